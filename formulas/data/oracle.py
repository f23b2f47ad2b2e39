"""An independent oracle for formulas/sales.kpi: the same KPIs computed in plain Python from
data/sales.csv, written to sales.expected.json. The Swift tests compare `kipi eval` with it.

    python3 formulas/data/oracle.py
"""
import csv
import json
import math
import os
import statistics

import excel
from excel import excel_round, interpolate, judged, mean, percentile_inc, percentrank_inc, rank_desc, total

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


def grouped(key_names, key, value):
    return excel.grouped(rows, key_names, key, value)


def quarter(date):
    return f"{date[:4]}-Q{(int(date[5:7]) - 1) // 3 + 1}"


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


won_amounts = [r["amount"] for r in won_rows if r["amount"] is not None]
avg_sla = mean(r["sla"] for r in rows)
sla_steps = [0.05, 0.10, 0.15, 0.20, 0.25]
bonus_steps = [1.30, 1.15, 1.00, 0.80, 0.0]
scale = {"poor": 0, "average": 3, "good": 6, "excellent": 10}
expected["median_deal"] = statistics.median(won_amounts)
expected["deal_spread"] = statistics.stdev(won_amounts)
expected["plan_score"] = level(expected["plan_fact"])
expected["check_index"] = (avg_check - 10000) / (30000 - 10000)
expected["sla_index"] = (0.25 - avg_sla) / (0.25 - 0.05)
expected["service_score"] = mean(scale[r["rating"]] for r in rows)
expected["sla_bonus"] = percentile_inc(bonus_steps, 1 - percentrank_inc(sla_steps, avg_sla))
expected["sla_bonus_linear"] = interpolate(avg_sla, sla_steps, bonus_steps)
expected["scorecard"] = (0.5 * min(max(expected["plan_score"], 0), 1) + 0.3 * expected["win_rate"] + 0.2 * expected["sla_index"]) / 1.0
expected["median_by_month"] = grouped(
    ["month(date)"], lambda r: r["date"][:7], lambda g: statistics.median(r["amount"] for r in g if won(r) and r["amount"] is not None))
expected["ltv_cac"] = avg_check / 6 * 18 / 45000



# Levels and time: months are counted on the calendar, so a month without a group is a gap.
def month_index(month):
    return int(month[:4]) * 12 + int(month[5:7]) - 1


monthly = grouped(
    ["manager", "month(date)"], lambda r: (r["manager"], r["date"][:7]), lambda g: total(r["amount"] for r in g if won(r)))
monthly_at = {(e["manager"], month_index(e["month(date)"])): e["value"] for e in monthly}
expected["monthly_revenue"] = monthly
expected["best_month"] = [
    {"manager": m, "value": max(e["value"] for e in monthly if e["manager"] == m)} for m in sorted({e["manager"] for e in monthly})]


def growth(e):
    earlier = monthly_at.get((e["manager"], month_index(e["month(date)"]) - 1))
    return None if earlier is None else e["value"] / earlier - 1


expected["mom_growth"] = [{**e, "value": growth(e)} for e in monthly]
by_month = expected["revenue_by_month"]
expected["revenue_ytd"] = [
    {"month(date)": e["month(date)"], "value": math.fsum(
        o["value"] for o in by_month if o["month(date)"][:4] == e["month(date)"][:4] and o["month(date)"] <= e["month(date)"])}
    for e in by_month]
expected["revenue_rolling_3m"] = [
    {"month(date)": e["month(date)"], "value": mean(
        o["value"] for o in by_month if 0 <= month_index(e["month(date)"]) - month_index(o["month(date)"]) < 3)}
    for e in by_month]
month_totals = {}
for e in monthly:
    month_totals.setdefault(e["month(date)"], []).append(e["value"])
expected["month_share"] = [{**e, "value": e["value"] / math.fsum(month_totals[e["month(date)"]])} for e in monthly]
expected["month_rank"] = [{**e, "value": 1 + sum(1 for v in month_totals[e["month(date)"]] if v > e["value"])} for e in monthly]

# Plan/fact per manager and month, joined with the plan table on both keys.
with open(os.path.join(here, "sales_plan.csv"), encoding="utf-8") as f:
    plans = list(csv.DictReader(f))
fact_cells, plan_cells = {}, {}
for r in won_rows:
    key = (r["manager"], r["date"][:7])
    fact_cells[key] = fact_cells.get(key, []) + [r["amount"]]
for p in plans:
    key = (p["manager"], p["period"])
    plan_cells[key] = plan_cells.get(key, []) + [float(p["target"])]
cells = sorted(set(fact_cells) | set(plan_cells) | {(r["manager"], r["date"][:7]) for r in rows})
expected["plan_fact_by_month"] = [
    {"manager": m, "period": period, "value": total(fact_cells.get((m, period), [])) / total(plan_cells[(m, period)])}
    for m, period in cells]
expected["plan_fact_split"] = expected["plan_fact_by_month"]
# The plan of each manager's month is the norm of its won revenue; 60% of it the critical level.
expected["revenue_vs_plan"] = [
    {"manager": m, "period": period,
     **judged(total(fact_cells.get((m, period), [])), critical=0.6 * total(plan_cells[(m, period)]), norm=total(plan_cells[(m, period)]))}
    for m, period in cells]

# Per manager: median deal, the mean without the deals above the manager's 95th percentile, revenue and rank.
def won_amounts_of(g):
    return [r["amount"] for r in g if won(r) and r["amount"] is not None]


by_manager = lambda value: grouped(["manager"], lambda r: r["manager"], value)  # noqa: E731
expected["median_deal_by_manager"] = by_manager(lambda g: statistics.median(won_amounts_of(g)))
expected["mean_without_outliers"] = by_manager(
    lambda g: mean(a for a in won_amounts_of(g) if a <= percentile_inc(won_amounts_of(g), 0.95)))
expected["revenue_by_manager"] = by_manager(lambda g: total(won_amounts_of(g)))
revenues = [e["value"] for e in expected["revenue_by_manager"]]
expected["manager_rank"] = [{**e, "value": rank_desc(e["value"], revenues)} for e in expected["revenue_by_manager"]]
expected["plan_fact_by_manager"] = by_manager(lambda g: total(won_amounts_of(g)) / total(r["plan"] for r in g if won(r)))
expected["win_rate_by_manager"] = by_manager(lambda g: sum(1 for r in g if won(r)) / sum(1 for r in g if closed(r)))
checks = [e["value"] for e in expected["avg_check_by_manager"]]
expected["avg_check_rank"] = [{**e, "value": rank_desc(e["value"], checks)} for e in expected["avg_check_by_manager"]]

# Up-sell and cross-sell shares of won revenue; repeat purchases among clients who bought.
revenue = expected["revenue"]
expected["upsell_share"] = total(r["amount"] for r in won_rows if r["kind"] == "upsell") / revenue
expected["cross_sell_share"] = total(r["amount"] for r in won_rows if r["kind"] == "cross-sell") / revenue
purchases = {}
for r in rows:
    purchases[r["client"]] = purchases.get(r["client"], 0) + (1 if won(r) else 0)
buyers = [n for n in purchases.values() if n > 0]
expected["repeat_purchase_rate"] = sum(1 for n in buyers if n > 1) / len(buyers)
expected["clients_without_purchase"] = sum(1 for n in purchases.values() if n == 0)

# Quarter to date and the month before, along the calendar.
month_value = {e["month(date)"]: e["value"] for e in by_month}
expected["revenue_qtd"] = [
    {"month(date)": e["month(date)"], "value": math.fsum(
        o["value"] for o in by_month if quarter(o["month(date)"] + "-01") == quarter(e["month(date)"] + "-01")
        and o["month(date)"] <= e["month(date)"])}
    for e in by_month]


def month_before(month):
    index = month_index(month) - 1
    return f"{index // 12}-{index % 12 + 1:02d}"


expected["revenue_previous_month"] = [{**e, "value": month_value.get(month_before(e["month(date)"]))} for e in by_month]
expected["compound_monthly_growth"] = (month_value["2024-06"] / month_value["2024-01"]) ** (1 / 5) - 1
growths = [month_value[m] / month_value[month_before(m)] for m in month_value if month_before(m) in month_value]
expected["geometric_mean_growth"] = math.exp(mean(math.log(g) for g in growths)) - 1
expected["big_deals"] = sum(1 for r in won_rows if r["amount"] >= 50_000)
expected["revenue_millions"] = revenue / 1e6
expected["avg_check_standard_error"] = statistics.stdev(won_amounts) / math.sqrt(len(won_rows))
expected["not_won"] = sum(1 for r in rows if not won(r))

# Plan fulfilment judged against the file's params: critical 60%, norm 100%.
expected["plan_fact"] = judged(expected["plan_fact"], critical=0.6, norm=1.0)

with open(os.path.join(here, "..", "sales.expected.json"), "w", encoding="utf-8") as out:
    json.dump(expected, out, ensure_ascii=False, indent=2)
    out.write("\n")
