"""Programs over two or three tables, with their values from a small reference of SPEC v3's group
rules ("One set of groups per KPI, across levels and tables"), written from the SPEC's text and
not from Kipi's code. The Swift tests compare Kipi, in-process and on DuckDB and PostgreSQL, with
the values written here.

    python3 Tests/GroupRules/generate.py [COUNT] [SEED] > Tests/GroupRules/cases.json

The rules the reference follows:
- A KPI reads the tables of its inline aggregates and of every definition it refers to.
- At a level (a set of keys), the KPI's groups are the key combinations found in the rows of every
  table it reads that supplies all of those keys (after the top-level `where`s).
- A grouped definition has, for every such group, its aggregate over its table's rows of that
  group: for no rows, sum and count 0, avg/max/min an error.
- A coarser definition is read at the group that contains the KPI's group.
- An aggregate over a grouped value reduces the groups of that value's level (partitioned by the
  KPI's keys, if any), once each; a key written as written (`month(date)`) or by name (`period`)
  is the group's key.
- Nulls are skipped by aggregates; arithmetic with null is null; a failed value that an aggregate
  keeps fails it, but for `count`, which skips it as Excel's COUNT skips error cells; a division
  by zero fails.
"""
import json
import random
import sys

MONTHS = ["2024-01", "2024-02", "2024-03", "2024-04"]
MANAGERS = ["A", "B", "C", "D", "E"]
REGIONS = ["EU", "US"]


class Err:
    def __init__(self, message):
        self.message = message


def is_err(v):
    return isinstance(v, Err)


# ---------------------------------------------------------------------------------------------
# Data: the default table (deals), `ev` (events) and `pl` (plans).

def make_data(rng, variant):
    def managers():
        return rng.sample(MANAGERS, rng.randint(1, 4))

    def amount():
        return None if rng.random() < 0.15 else round(rng.uniform(1, 100), 2)

    deals = []
    for manager in managers():
        for _ in range(rng.randint(1, 3)):
            month = rng.choice(MONTHS)
            deals.append({"manager": manager, "date": f"{month}-{rng.randint(1, 28):02d}", "region": rng.choice(REGIONS),
                          "amount": amount()})
    events = []
    for manager in managers():
        for _ in range(rng.randint(1, 3)):
            month = rng.choice(MONTHS)
            events.append({"manager": manager, "date": f"{month}-{rng.randint(1, 28):02d}", "n": amount()})
    plans = []
    for manager in managers():
        for month in rng.sample(MONTHS, rng.randint(1, 3)):
            plans.append({"manager": manager, "period": month, "region": rng.choice(REGIONS),
                          "target": float(rng.choice([0, 10, 25, 40, 80]))})
    return {"": deals, "ev": events, "pl": plans}


def csv_text(table, rows, variant):
    if table == "":
        header = ["manager", "date", "region", "amount"]
    elif table == "ev":
        header = ["manager", variant["ev_date"], "n"]
    else:
        header = ["manager", "period", "region", "target"]
    lines = [",".join(header)]
    for row in rows:
        cells = []
        for column in header:
            key = "date" if column == variant["ev_date"] and table == "ev" else column
            value = row[key]
            if value is None:
                cells.append("")
            elif table == "pl" and column == "period" and variant["pl_dates"]:
                cells.append(value + "-01")
            elif isinstance(value, float):
                cells.append(repr(value))
            else:
                cells.append(str(value))
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Keys and levels. Every table has `manager`; `period` is month(date) of the deals, computed from
# the events' own date column (or their `let ev.period`), read from the plans' `period` column;
# `region` is a column of the deals and the plans only.

def key_value(table, row, key):
    if key == "manager":
        return row["manager"]
    if key == "period":
        return (row["date"] if table in ("", "ev") else row["period"])[:7]
    if key == "region":
        return row.get("region")
    raise ValueError(key)


def supplies(table, level):
    return all(not (key == "region" and table == "ev") for key in level)


LEVELS = {"m": ("manager",), "mp": ("manager", "period"), "r": ("region",)}
BY = {"m": "by manager", "mp": "by manager, period = month(date)", "r": "by region"}


def groups_at(level, tables, data):
    found = set()
    for table in tables:
        if supplies(table, level):
            for row in data[table]:
                found.add(tuple(key_value(table, row, key) for key in level))
    return found


# ---------------------------------------------------------------------------------------------
# Aggregates, as Kipi's built-ins define them.

def reduce(function, values):
    kept = []
    for value in values:
        if is_err(value):
            # Excel's COUNT skips error cells; every other aggregate fails on one.
            if function == "count":
                continue
            return value
        if value is not None:
            kept.append(value)
    if function == "sum":
        return float(sum(kept))
    if function == "count":
        return float(len(kept))
    if not kept:
        return Err({"avg": "average of no values", "max": "max of no values", "min": "min of no values"}[function])
    if function == "avg":
        return sum(kept) / len(kept)
    return max(kept) if function == "max" else min(kept)


COLUMN = {"": "amount", "ev": "n", "pl": "target"}
WRITTEN_COLUMN = {"": "amount", "ev": "ev.n", "pl": "pl.target"}


# ---------------------------------------------------------------------------------------------
# Expressions: each knows its Kipi text and its value in a context.
#   ctx: data, tables (the KPI's), level (keys of the current group), group (values), filters

class Context:
    def __init__(self, data, tables, level, group):
        self.data, self.tables, self.level, self.group = data, tables, level, group

    def at(self, level, group):
        return Context(self.data, self.tables, level, group)


class Literal:
    def __init__(self, value):
        self.value = value

    def text(self):
        return repr(self.value) if isinstance(self.value, (int, float)) else f'"{self.value}"'

    def tables(self):
        return set()

    def value_in(self, ctx):
        return float(self.value) if isinstance(self.value, (int, float)) else self.value


class Definition:
    """`let name = agg(column) by keys` over one table; `level` None for one value."""

    def __init__(self, name, table, function, level):
        self.name, self.table, self.function, self.level = name, table, function, level

    def declaration(self):
        by = f" {BY[self.level]}" if self.level else ""
        return f"let {self.name} = {self.function}({WRITTEN_COLUMN[self.table]}){by}"

    def text(self):
        return self.name

    def tables(self):
        return {self.table}

    def value_at(self, ctx, level, group):
        keys = LEVELS[level] if level else ()
        values = [row[COLUMN[self.table]] for row in ctx.data[self.table]
                  if all(key_value(self.table, row, key) == value for key, value in zip(keys, group))]
        return reduce(self.function, values)

    def value_in(self, ctx):
        if not self.level:
            return self.value_at(ctx, None, ())
        own = LEVELS[self.level]
        # The same keys, or a coarser definition read at the group that contains this one.
        assert set(own) <= set(ctx.level), (own, ctx.level)
        group = tuple(ctx.group[ctx.level.index(key)] for key in own)
        return self.value_at(ctx, self.level, group)


class Inline:
    """An aggregate written in the KPI: it reduces its table's rows of the KPI's group."""

    def __init__(self, function, table):
        self.function, self.table = function, table

    def text(self):
        return f"{self.function}({WRITTEN_COLUMN[self.table]})"

    def tables(self):
        return {self.table}

    def value_in(self, ctx):
        values = [row[COLUMN[self.table]] for row in ctx.data[self.table]
                  if all(key_value(self.table, row, key) == value for key, value in zip(ctx.level, ctx.group))]
        return reduce(self.function, values)


class Key:
    def __init__(self, key, written):
        self.key, self.written = key, written

    def text(self):
        return self.written

    def tables(self):
        return set()

    def value_in(self, ctx):
        return ctx.group[ctx.level.index(self.key)]


class Binary:
    def __init__(self, op, left, right):
        self.op, self.left, self.right = op, left, right

    def text(self):
        return f"({self.left.text()} {self.op} {self.right.text()})"

    def tables(self):
        return self.left.tables() | self.right.tables()

    def value_in(self, ctx):
        a, b = self.left.value_in(ctx), self.right.value_in(ctx)
        if self.op in ("and", "or"):
            if is_err(a):
                return a
            if is_err(b):
                return b
            decisive = self.op == "or"
            if a is decisive or b is decisive:
                return decisive
            if a is None or b is None:
                return None
            return not decisive
        if is_err(a):
            return a
        if is_err(b):
            return b
        if a is None or b is None:
            return None
        if self.op == "+":
            return a + b
        if self.op == "-":
            return a - b
        if self.op == "*":
            return a * b
        if self.op == "/":
            return Err("division by zero") if b == 0 else a / b
        return {"==": a == b, "!=": a != b, ">": a > b, ">=": a >= b, "<": a < b}[self.op]


class Coalesce:
    def __init__(self, value, fallback):
        self.value, self.fallback = value, fallback

    def text(self):
        return f"coalesce({self.value.text()}, {self.fallback.text()})"

    def tables(self):
        return self.value.tables() | self.fallback.tables()

    def value_in(self, ctx):
        value = self.value.value_in(ctx)
        return self.fallback.value_in(ctx) if value is None else value


class IfError:
    def __init__(self, value, fallback):
        self.value, self.fallback = value, fallback

    def text(self):
        return f"iferror({self.value.text()}, {self.fallback.text()})"

    def tables(self):
        return self.value.tables() | self.fallback.tables()

    def value_in(self, ctx):
        value = self.value.value_in(ctx)
        return self.fallback.value_in(ctx) if is_err(value) else value


class OverGroups:
    """An aggregate over a grouped value at a finer level: its groups (those of the KPI's tables),
    inside the KPI's group, once each."""

    def __init__(self, function, level, collection, condition):
        self.function, self.level, self.collection, self.condition = function, level, collection, condition

    def text(self):
        where = f" where {self.condition.text()}" if self.condition else ""
        return f"{self.function}({self.collection.text()}{where})"

    def tables(self):
        return self.collection.tables() | (self.condition.tables() if self.condition else set())

    def value_in(self, ctx):
        keys = LEVELS[self.level]
        values = []
        for group in sorted(groups_at(keys, ctx.tables, ctx.data)):
            if any(group[keys.index(key)] != value for key, value in zip(ctx.level, ctx.group)):
                continue
            inner = ctx.at(keys, group)
            if self.condition:
                kept = self.condition.value_in(inner)
                if is_err(kept):
                    return kept
                if kept is not True:
                    continue
            values.append(self.collection.value_in(inner))
        return reduce(self.function, values)


# ---------------------------------------------------------------------------------------------
# Programs.

def generate(rng, index):
    variant = {"ev_date": rng.choice(["date", "when"]), "pl_dates": rng.random() < 0.3,
               "where": rng.random() < 0.2}
    raw = make_data(rng, variant)
    data = dict(raw)
    if variant["where"]:
        # The top-level `where` keeps the deals it holds for before any KPI is computed.
        data[""] = [row for row in raw[""] if row["amount"] is not None and row["amount"] >= 20]
    lines = []
    if variant["ev_date"] == "when":
        lines.append("let ev.period = month(ev.when)")
    if variant["where"]:
        lines.append("where amount >= 20")
    definitions = {}

    def definition(table, function, level):
        name = f"{'dep'[['', 'ev', 'pl'].index(table)]}_{function}_{level or 'all'}"
        if name not in definitions:
            definitions[name] = Definition(name, table, function, level)
        return definitions[name]

    def any_table(level):
        return rng.choice(["", "pl"] if level == "r" else ["", "ev", "pl"])

    def grouped(level, functions=("sum", "count", "avg", "max")):
        return definition(any_table(level), rng.choice(functions), level)

    def filter_on_keys():
        month = rng.choice(MONTHS)
        return rng.choice([
            Binary("==", Key("period", "period"), Literal(month)),
            Binary("==", Key("period", "month(date)"), Literal(month)),
            Binary("!=", Key("manager", "manager"), Literal(rng.choice(MANAGERS))),
            Binary("and", Binary(">=", Key("period", "period"), Literal(month)), Binary("!=", Key("manager", "manager"), Literal("A"))),
            None,
        ])

    kpis = []
    for number in range(rng.randint(3, 6)):
        form = rng.randrange(9)
        op = rng.choice(["+", "-", "*", "/"])
        if form == 0:  # two definitions at one level, from any tables
            level = rng.choice(["m", "mp", "r"])
            expression, by = Binary(op, grouped(level), grouped(level)), level
        elif form == 1:  # an inline aggregate beside a definition of another table
            level = rng.choice(["m", "mp"])
            expression, by = Binary(op, Inline(rng.choice(["sum", "count"]), any_table(level)), grouped(level)), level
        elif form == 2:  # a coarser definition
            expression, by = Binary(op, grouped("mp"), grouped("m")), "mp"
        elif form == 3:  # an aggregate over a finer grouped value, per manager
            expression, by = OverGroups(rng.choice(["sum", "avg", "max", "count"]), "mp", grouped("mp"), filter_on_keys()), "m"
        elif form == 4:  # over a finer value from two tables, for the whole data
            collection = Binary(rng.choice(["+", "-"]), grouped("mp", ("sum", "count")), grouped("mp", ("sum", "count")))
            expression, by = OverGroups(rng.choice(["sum", "avg", "max", "count"]), "mp", collection, filter_on_keys()), None
        elif form == 5:  # coalesce and iferror apply: no value is absent
            level = rng.choice(["m", "mp"])
            inner = Binary("/", grouped(level), grouped(level))
            expression, by = (IfError(inner, Literal(-1)) if rng.random() < 0.5 else Coalesce(grouped(level), Literal(0))), level
        elif form == 6:  # a single value read from another table adds that table's groups
            level = rng.choice(["m", "r"])
            expression, by = Binary(op, grouped(level), definition(any_table(None), "sum", None)), level
        elif form == 7:  # a count of groups where a condition over another table holds
            collection = grouped("m")
            condition = Binary(">", grouped("m", ("sum", "count")), Literal(rng.choice([0, 10, 30])))
            expression, by = OverGroups("count", "m", collection, condition), None
        else:  # an inline aggregate over the KPI's own table and a finer sum per manager
            expression, by = Binary(op, OverGroups("sum", "mp", grouped("mp", ("sum", "count")), None), Inline("count", "")), "m"
        kpis.append((f"k{number}", expression, by))

    for definition_ in definitions.values():
        lines.append(definition_.declaration())
    for name, expression, by in kpis:
        lines.append(f"{name} = {expression.text()}" + (f" {BY[by]}" if by else ""))

    expected = {}
    for name, expression, by in kpis:
        tables = expression.tables()
        if by:
            level = LEVELS[by]
            rows = []
            for group in sorted(groups_at(level, tables, data)):
                rows.append({"keys": list(group), "value": encode(expression.value_in(Context(data, tables, level, group)))})
            expected[name] = {"groups": rows}
        else:
            expected[name] = encode(expression.value_in(Context(data, tables, (), ())))
    return {
        "name": f"groups-{index}",
        "tables": {table: csv_text(table, rows, variant) for table, rows in raw.items()},
        "program": "\n".join(lines) + "\n",
        "expected": expected,
    }


def encode(value):
    if is_err(value):
        return {"error": value.message}
    if value is None:
        return {"null": True}
    return {"value": value}


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 21
    rng = random.Random(seed)
    cases = [generate(rng, index) for index in range(count)]
    json.dump({"seed": seed, "cases": cases}, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
