"""An independent oracle for formulas/sales.kpi: the same KPIs computed in plain Python from
data/sales.csv, written to sales.expected.json. The Swift tests compare `kipi eval` with it.

    python3 formulas/data/oracle.py
"""
import csv
import json
import math
import os
from decimal import ROUND_HALF_UP, Decimal

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "sales.csv"), encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
for row in rows:
    for column in ("amount", "plan", "cost", "sla"):
        row[column] = float(row[column]) if row[column] != "" else None

critical, norm, focus_region = 0.60, 1.00, "RU"


def won(r):
    return r["status"] == "won"


def closed(r):
    return r["status"] in ("won", "lost")


def total(values):
    return math.fsum(v for v in values if v is not None)


def mean(values):
    present = [v for v in values if v is not None]
    return math.fsum(present) / len(present)


def excel_round(x, digits):
    return float(Decimal(f"{x:.15g}").quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def quarter(date):
    return f"{date[:4]}-Q{(int(date[5:7]) - 1) // 3 + 1}"


def grouped(key_names, key, value):
    groups = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    result = []
    for k in sorted(groups):
        keys = k if isinstance(k, tuple) else (k,)
        entry = dict(zip(key_names, keys))
        entry["value"] = value(groups[k])
        result.append(entry)
    return result


def level(fact):
    return (fact - critical) / (norm - critical)


won_rows = [r for r in rows if won(r)]
avg_check = mean(r["amount"] for r in won_rows)
expected = {
    "deals": len(rows),
    "won_deals": len(won_rows),
    "revenue": total(r["amount"] for r in won_rows),
    "win_rate": sum(1 for r in rows if closed(r) and won(r)) / sum(1 for r in rows if closed(r)),
    "won_share": len(won_rows) / len(rows),
    "avg_check": avg_check,
    "plan_fact": total(r["amount"] for r in won_rows) / total(r["plan"] for r in won_rows),
    "margin": total(r["amount"] - r["cost"] for r in won_rows if r["amount"] is not None and r["cost"] is not None)
    / total(r["amount"] for r in won_rows),
    "missing_amounts": sum(1 for r in rows if r["amount"] is None),
    "largest_deal": max(r["amount"] for r in won_rows if r["amount"] is not None),
    "active_managers": len({r["manager"] for r in rows}),
    "focus_revenue": total(r["amount"] for r in won_rows if r["region"] == focus_region),
    "avg_check_by_manager": grouped(["manager"], lambda r: r["manager"], lambda g: mean(r["amount"] for r in g if won(r))),
    "revenue_by_month": grouped(["month(date)"], lambda r: r["date"][:7], lambda g: total(r["amount"] for r in g if won(r))),
    "win_rate_by_region": grouped(
        ["region", "quarter(date)"], lambda r: (r["region"], quarter(r["date"])),
        lambda g: sum(1 for r in g if closed(r) and won(r)) / sum(1 for r in g if closed(r))),
    "plan_score_by_manager": grouped(
        ["manager"], lambda r: r["manager"],
        lambda g: excel_round(level(total(r["amount"] for r in g if won(r)) / total(r["plan"] for r in g if won(r))), 3)),
}
expected["best_avg_check_ratio"] = max(e["value"] for e in expected["avg_check_by_manager"]) / avg_check
expected["early_march_deals"] = sum(1 for r in rows if "2024-03-01" <= r["date"] < "2024-03-08")

with open(os.path.join(here, "..", "sales.expected.json"), "w", encoding="utf-8") as out:
    json.dump(expected, out, ensure_ascii=False, indent=2)
    out.write("\n")
