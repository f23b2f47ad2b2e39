"""Excel's definitions, written out in plain Python for the cookbook's oracles (oracle.py,
cookbook_oracle.py): nothing here calls Kipi or shares its code."""
import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal


def total(values):
    """SUM, skipping empty cells; exactly rounded."""
    return math.fsum(v for v in values if v is not None)


def mean(values):
    """AVERAGE, skipping empty cells."""
    present = [v for v in values if v is not None]
    return math.fsum(present) / len(present)


def share(flags):
    """Kipi's percent(): true ÷ not empty."""
    present = [f for f in flags if f is not None]
    return sum(1 for f in present if f) / len(present)


def excel_round(x, digits=0):
    """ROUND: half away from zero on the decimal value Excel shows (15 significant digits)."""
    return float(Decimal(f"{x:.15g}").quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def percentile_inc(values, k):
    """PERCENTILE.INC: interpolated at k·(n − 1)."""
    ordered = sorted(values)
    position = k * (len(ordered) - 1)
    lower = math.floor(position)
    if lower + 1 >= len(ordered):
        return ordered[-1]
    return ordered[lower] + (position - lower) * (ordered[lower + 1] - ordered[lower])


def percentile_exc(values, k):
    """PERCENTILE.EXC: interpolated at k·(n + 1), 1-based."""
    ordered = sorted(values)
    position = k * (len(ordered) + 1)
    lower = math.floor(position)
    return ordered[lower - 1] + (position - lower) * (ordered[lower] - ordered[lower - 1])


def _truncate(rank, digits):
    # Excel keeps 15 significant digits, then truncates: 0.05 is not lost as 0.0499999….
    return float(Decimal(f"{rank:.15g}").quantize(Decimal(1).scaleb(-digits), rounding=ROUND_DOWN))


def _position(ordered, x):
    """The 0-based position of x among sorted values, interpolated between neighbours."""
    smaller = sum(1 for v in ordered if v < x)
    if ordered[smaller] == x:
        return smaller
    return smaller - 1 + (x - ordered[smaller - 1]) / (ordered[smaller] - ordered[smaller - 1])


def percentrank_inc(values, x, digits=3):
    """PERCENTRANK.INC: the interpolated position ÷ (n − 1), truncated."""
    ordered = sorted(values)
    return _truncate(_position(ordered, x) / (len(ordered) - 1), digits)


def percentrank_exc(values, x, digits=3):
    """PERCENTRANK.EXC: the interpolated 1-based position ÷ (n + 1), truncated."""
    ordered = sorted(values)
    return _truncate((_position(ordered, x) + 1) / (len(ordered) + 1), digits)


def interpolate(x, xs, ys):
    """Piecewise linear through the points, held flat outside them."""
    if x <= xs[0]:
        return ys[0]
    if x >= xs[-1]:
        return ys[-1]
    for (x0, y0), (x1, y1) in zip(zip(xs, ys), zip(xs[1:], ys[1:])):
        if x0 <= x <= x1:
            return y0 + (x - x0) / (x1 - x0) * (y1 - y0)


def clamp(x, low, high):
    return min(max(x, low), high)


def rank_desc(value, values):
    """RANK.EQ, descending: 1 for the largest, ties sharing the lower rank."""
    return 1 + sum(1 for v in values if v > value)


def grouped(rows, key_names, key, value):
    """One JSON row per group, sorted by the keys: {key names…, "value": value(rows of the group)}."""
    groups = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    result = []
    for k in sorted(groups):
        keys = k if isinstance(k, tuple) else (k,)
        result.append({**dict(zip(key_names, keys)), "value": value(groups[k])})
    return result


def iso_week(date):
    year, week, _ = date.isocalendar()
    return f"{year}-W{week:02d}"


def judged(value, critical=None, norm=None, target=None, sign=None):
    """A KPI value with its status and level, as SPEC v3 "Thresholds and status" defines them,
    in the shape `kipi eval --format json` gives: {"value", "status", "level", levels declared}.
    sign is "<=" (lower is better) or ">=" when written; otherwise the direction comes from the
    order of two or more levels (critical, norm, target), and higher is better with one."""
    declared = [(name, level) for name, level in (("critical", critical), ("norm", norm), ("target", target)) if level is not None]
    out = {"value": value}
    levels = [level for _, level in declared]
    if len(levels) == 1:
        higher = sign != "<="
    elif all(a < b for a, b in zip(levels, levels[1:])):
        higher = True
    elif all(a > b for a, b in zip(levels, levels[1:])):
        higher = False
    else:
        raise ValueError(f"levels contradict each other: {declared}")
    if len(levels) > 1 and sign is not None and higher != (sign == ">="):
        raise ValueError(f"levels contradict the sign {sign}: {declared}")

    def worse(level):
        return value < level if higher else value > level

    if critical is not None and worse(critical):
        status = "critical"
    elif target is not None and not worse(target):
        status = "exceeded"
    elif norm is not None:
        status = "below" if worse(norm) else "met"
    else:
        status = "below" if target is not None else "met"
    out["status"] = status
    if critical is not None and norm is not None:
        out["level"] = (value - critical) / (norm - critical)
    out.update(declared)
    return out
