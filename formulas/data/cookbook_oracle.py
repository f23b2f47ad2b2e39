"""An independent oracle for the cookbook: each KPI of call_center, marketing, hr, operations,
scorecard and okr.kpi computed in plain Python from the same CSV files, from the definitions in
the files' comments and Excel's (excel.py), written to formulas/NAME.expected.json. The Swift
tests compare `kipi eval` with them.

    python3 formulas/data/cookbook_oracle.py
"""
import csv
import datetime
import json
import math
import os
import statistics

from excel import (clamp, excel_round, grouped, judged, interpolate, iso_week, mean, percentile_exc, percentile_inc,
                   percentrank_exc, percentrank_inc, rank_desc, share, total)

here = os.path.dirname(os.path.abspath(__file__))


def read(name):
    with open(os.path.join(here, name), encoding="utf-8") as f:
        return list(csv.DictReader(f))


def save(name, expected):
    with open(os.path.join(here, "..", f"{name}.expected.json"), "w", encoding="utf-8") as out:
        json.dump(expected, out, ensure_ascii=False, indent=2)
        out.write("\n")


def stamp(text):
    return datetime.datetime.fromisoformat(text)


def call_center():
    calls = [r for r in read("call_center_calls.csv") if stamp(r["closed"]) > stamp(r["answered"])]  # misdials dropped
    for r in calls:
        r["wait"] = (stamp(r["answered"]) - stamp(r["opened"])).total_seconds()
        r["handling"] = (stamp(r["closed"]) - stamp(r["answered"])).total_seconds() / 60
        r["resolved"] = r["resolved_first_contact"] == "true"
        r["opened_at"] = stamp(r["opened"])
    target = 30
    sla_steps = [0.05, 0.10, 0.15, 0.20, 0.25]
    bonus_steps = [1.30, 1.15, 1.00, 0.80, 0.0]

    def bonus(breach):
        return percentile_inc(bonus_steps, 1 - percentrank_inc(sla_steps, clamp(breach, 0.05, 0.25)))

    # The sheet of the KPI literature: from 5% to 15% the bonus falls 3 points a percent, to 20%
    # 4 points, to 25% 16 points. The percentile-rank method must give exactly that.
    literature = {p: 130 - 3 * (p - 5) if p <= 15 else 100 - 4 * (p - 15) if p <= 20 else 80 - 16 * (p - 20) for p in range(5, 26)}
    assert literature[6] == 127 and literature[20] == 80 and literature[21] == 64 and literature[25] == 0
    for p, percent in literature.items():
        assert abs(bonus(p / 100) - percent / 100) < 1e-12, (p, bonus(p / 100))

    by_operator = grouped(calls, ["operator"], lambda r: r["operator"], len)
    waits = [r["wait"] for r in calls]
    calls_target = mean(e["value"] for e in by_operator) * (1 - 0.10)
    by_week = grouped(calls, ["week(opened)"], lambda r: iso_week(r["opened_at"]), len)
    scale = [float(r["sla"].rstrip("%")) / 100 for r in read("call_center_sla_scale.csv")]
    save("call_center", {
        "calls": len(calls),
        "calls_by_operator": by_operator,
        "answered_in_time": judged(share(r["wait"] <= target for r in calls), norm=0.8),
        "sla_breach": judged(share(r["wait"] > target for r in calls), critical=0.25, norm=0.15, target=0.05),
        "sla_bonus": bonus(share(r["wait"] > target for r in calls)),
        "sla_bonus_by_operator": grouped(calls, ["operator"], lambda r: r["operator"], lambda g: bonus(share(r["wait"] > target for r in g))),
        "bonus_sheet": [{"sla": p / 100, "value": literature[p] / 100} for p in range(5, 26)],
        "bonus_sheet_check": max(abs(bonus(s) - interpolate(s, sla_steps, bonus_steps)) for s in scale),
        "first_contact_resolution": share(r["resolved"] for r in calls),
        "fcr_by_operator": grouped(calls, ["operator"], lambda r: r["operator"], lambda g: share(r["resolved"] for r in g)),
        "average_handling_minutes": excel_round(mean(r["handling"] for r in calls), 2),
        "aht_by_operator": grouped(calls, ["operator"], lambda r: r["operator"], lambda g: mean(r["handling"] for r in g)),
        "wait_p90": percentile_inc(waits, 0.9),
        "wait_p90_exc": percentile_exc(waits, 0.9),
        "wait_q1": percentile_inc(waits, 0.25),
        "wait_q3": percentile_inc(waits, 0.75),
        "rank_of_30s": percentrank_inc(waits, 30),
        "rank_of_30s_exc": percentrank_exc(waits, 30, 4),
        "calls_target": calls_target,
        "on_target": [{**e, "value": "yes" if e["value"] >= calls_target else "no"} for e in by_operator],
        "calls_by_hour": grouped(calls, ["hour(opened)"], lambda r: r["opened_at"].hour, len),
        "calls_by_quarter_hour": grouped(calls, ["quarter_hour"], lambda r: r["opened_at"].minute // 15, len),
        "calls_by_day": grouped(calls, ["day(opened)"], lambda r: r["opened_at"].day, len),
        "calls_by_week": by_week,
        "calls_change": [{**e, "value": None if i == 0 else e["value"] - by_week[i - 1]["value"]} for i, e in enumerate(by_week)],
    })


def marketing():
    users = read("marketing_users.csv")
    for u in users:
        for column in ("activated", "retained", "paid"):
            u[column] = u[column] == "true"
        for column in ("orders", "revenue", "referrals"):
            u[column] = float(u[column])
    spend = read("marketing_spend.csv")
    for s in spend:
        s["spend"] = float(s["spend"])
    churn, margin = 0.05, 0.80
    payers = [u for u in users if u["paid"]]
    arppu = mean(u["revenue"] for u in payers)
    ltv_saas = arppu / churn * margin
    aov = total(u["revenue"] for u in payers) / total(u["orders"] for u in payers)
    referrals_per_payer = total(u["referrals"] for u in payers) / len(payers)
    this_quarter = [s for s in spend if s["month"] >= "2024-04"]
    new_payers = [u for u in payers if u["signup"] >= "2024-04-01"]
    cac = total(s["spend"] for s in this_quarter) / len(new_payers)
    channels = sorted({u["channel"] for u in users})

    def of(channel):
        return [u for u in users if u["channel"] == channel]

    cac_by = {c: total(s["spend"] for s in this_quarter if s["channel"] == c) / sum(1 for u in of(c) if u["paid"] and u["signup"] >= "2024-04-01")
              for c in channels}

    def quarter_of(month):
        return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"

    # Per channel and quarter: the groups of both tables (users by sign-up, spend by its month).
    quarters = sorted({(u["channel"], quarter_of(u["signup"])) for u in users} | {(s["channel"], quarter_of(s["month"])) for s in spend})

    def ltv_to_cac_quarter(channel, quarter):
        cohort = [u for u in users if u["channel"] == channel and quarter_of(u["signup"]) == quarter]
        paying = [u for u in cohort if u["paid"]]
        ltv = mean(u["revenue"] for u in paying) / churn * margin
        cac = total(s["spend"] for s in spend if s["channel"] == channel and quarter_of(s["month"]) == quarter) / len(paying)
        return ltv / cac
    ltv_by = {c: mean(u["revenue"] for u in of(c) if u["paid"]) / churn * margin for c in channels}

    def verdict(ratio):
        return "losing money" if ratio < 1 else "below healthy" if ratio < 3 else "healthy" if ratio < 5 else "under-investing"

    def per_channel(value):
        return [{"channel": c, "value": value(c)} for c in channels]

    months = sorted({s["month"] for s in spend})
    spend_by = {m: total(s["spend"] for s in spend if s["month"] == m) for m in months}

    def month_before(month, n=1):
        year, number = int(month[:4]), int(month[5:7]) - n
        while number < 1:
            year, number = year - 1, number + 12
        return f"{year}-{number:02d}"

    signups = {m: sum(1 for u in users if u["signup"][:7] == m) for m in sorted({u["signup"][:7] for u in users})}
    save("marketing", {
        "arpu": total(u["revenue"] for u in users) / len(users),
        "arppu": arppu,
        "lifetime_months": 1 / churn,
        "ltv_saas_simple": arppu * (1 / churn),
        "ltv_saas": ltv_saas,
        "average_order_value": aov,
        "ltv_ecommerce": aov * 4 * 3,
        "referrals_per_payer": referrals_per_payer,
        "ltv_app": ltv_saas * (1 + referrals_per_payer),
        "cac": cac,
        "cac_by_channel": per_channel(lambda c: cac_by[c]),
        "ltv_by_channel": per_channel(lambda c: ltv_by[c]),
        "ltv_to_cac": ltv_saas / cac,
        "ltv_to_cac_by_channel": per_channel(lambda c: ltv_by[c] / cac_by[c]),
        "ltv_to_cac_verdict": verdict(ltv_saas / cac),
        "verdict_by_channel": per_channel(lambda c: verdict(ltv_by[c] / cac_by[c])),
        "acquisition": per_channel(lambda c: len(of(c))),
        "activation_rate": per_channel(lambda c: share(u["activated"] for u in of(c))),
        "retention_rate": per_channel(lambda c: share(u["retained"] for u in of(c) if u["activated"])),
        "revenue_conversion": per_channel(lambda c: share(u["paid"] for u in of(c) if u["retained"])),
        "referral_rate": per_channel(lambda c: share(u["referrals"] > 0 for u in of(c) if u["retained"])),
        "signup_to_paid": per_channel(lambda c: share(u["paid"] for u in of(c))),
        "spend_by_month": [{"month": m, "value": spend_by[m]} for m in months],
        "spend_growth": [{"month": m, "value": spend_by[m] / spend_by[month_before(m)] - 1 if month_before(m) in spend_by else None}
                         for m in months],
        "spend_previous_month": [{"month": m, "value": spend_by.get(month_before(m))} for m in months],
        "spend_vs_last_year": [{"month": m, "value": spend_by[m] / spend_by[month_before(m, 12)] - 1
                                if month_before(m, 12) in spend_by else None} for m in months],
        "signups_by_month": [{"month": m, "value": n} for m, n in signups.items()],
        "ltv_to_cac_by_quarter": [{"channel": c, "q": q, "value": ltv_to_cac_quarter(c, q)} for c, q in quarters],
        "signups_rolling": [{"month": m, "value": n + signups.get(month_before(m), 0)} for m, n in signups.items()],
    })


def hr():
    people = read("hr_employees.csv")
    for p in people:
        for column in ("reports_due", "reports_on_time", "fact", "critical", "norm", "base bonus"):
            p[column] = float(p[column])
        p["gone"] = p["left_on"] != ""
    absences = read("hr_absences.csv")
    leavers = sum(1 for p in people if p["gone"])
    turnover = leavers / len(people)
    scores = {p["employee"]: excel_round((p["fact"] - p["critical"]) / (p["norm"] - p["critical"]), 4) for p in people}
    bonuses = {p["employee"]: 0 if scores[p["employee"]] < 0 else min(scores[p["employee"]], 1.2) * p["base bonus"] for p in people}
    days = {}
    for a in absences:
        days[a["employee"]] = days.get(a["employee"], 0) + float(a["days"])
    end = datetime.date(2024, 6, 30)
    service = [((datetime.date.fromisoformat(p["left_on"]) if p["gone"] else end) - datetime.date.fromisoformat(p["hired"])).days / 365.25
               for p in people]
    save("hr", {
        "headcount": len(people),
        "leavers": leavers,
        "turnover": turnover,
        "turnover_plan_fact": turnover / 0.15,
        "turnover_by_department": grouped(people, ["department"], lambda p: p["department"], lambda g: share(p["gone"] for p in g)),
        "on_time_reports": total(p["reports_on_time"] for p in people) / total(p["reports_due"] for p in people),
        "on_time_by_department": grouped(
            people, ["department"], lambda p: p["department"],
            lambda g: total(p["reports_on_time"] for p in g) / total(p["reports_due"] for p in g)),
        "level_score": [{"employee": e, "value": scores[e]} for e in sorted(scores)],
        "bonus": [{"employee": e, "value": bonuses[e]} for e in sorted(bonuses)],
        "bonus_total": total(bonuses.values()),
        "фонд_премий": total(p["base bonus"] for p in people),
        "still_employed": sum(1 for p in people if not p["gone"]),
        "below_critical": sum(1 for p in people if p["fact"] < p["critical"]),
        "absence_days": [{"employee": e, "value": days[e]} for e in sorted(days)],
        "median_absence_days": statistics.median(days.values()),
        "absence_rate": [{"employee": p["employee"], "value": days.get(p["employee"], 0) / 124}
                         for p in sorted(people, key=lambda p: p["employee"])],
        "absences_by_month": grouped(absences, ["month"], lambda a: a["start"][:7], lambda g: total(float(a["days"]) for a in g)),
        "service_years": excel_round(mean(service), 2),
        "earliest_hire_year": min(int(p["hired"][:4]) for p in people),
    })


def operations():
    work = read("operations_plastering.csv")
    for w in work:
        w["m2"] = float(w["m2"])
        w["week"] = iso_week(datetime.date.fromisoformat(w["date"]))
    goal = 10 * 200
    daily_norm = goal / 21 / 3
    m2 = [w["m2"] for w in work]
    crew = grouped(work, ["week(date)"], lambda w: w["week"], lambda g: total(w["m2"] for w in g))
    running = [{**e, "value": math.fsum(o["value"] for o in crew[:i + 1])} for i, e in enumerate(crew)]

    def week_days(week):
        monday = datetime.date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
        return monday.isoformat(), (monday + datetime.timedelta(days=6)).isoformat()

    def versus_norm(g):
        return total(w["m2"] for w in g) / (daily_norm * len({w["date"] for w in g}))

    save("operations", {
        "monthly_goal_m2": goal,
        "crew_daily_norm": goal / 21,
        "daily_norm": daily_norm,
        "posted_daily_norm": math.ceil(daily_norm),
        "done_m2": total(m2),
        "done_by_worker_week": grouped(work, ["worker", "week(date)"], lambda w: (w["worker"], w["week"]), lambda g: total(w["m2"] for w in g)),
        "days_by_worker_week": grouped(work, ["worker", "week(date)"], lambda w: (w["worker"], w["week"]), lambda g: len({w["date"] for w in g})),
        "actual_vs_norm": grouped(work, ["worker", "week(date)"], lambda w: (w["worker"], w["week"]), versus_norm),
        "actual_vs_norm_by_worker": grouped(work, ["worker"], lambda w: w["worker"], versus_norm),
        "crew_by_week": crew,
        "crew_change": [{**e, "value": None if i == 0 else e["value"] - crew[i - 1]["value"]} for i, e in enumerate(crew)],
        "crew_running": running,
        "goal_reached": [{**e, "value": e["value"] / goal} for e in running],
        "week_start": [{**e, "value": week_days(e["week(date)"])[0]} for e in crew],
        "week_end": [{**e, "value": week_days(e["week(date)"])[1]} for e in crew],
        "best_day_m2": max(m2),
        "worst_day_m2": min(m2),
        "average_day_m2": mean(m2),
        "daily_spread": excel_round(statistics.pstdev(m2), 3),
        "daily_variance": excel_round(statistics.variance(m2), 3),
        "daily_variance_population": excel_round(statistics.pvariance(m2), 3),
        "days_under_norm": sum(1 for v in m2 if v < math.ceil(daily_norm)),
    })


def scorecard():
    rows = read("scorecard_indicators.csv")
    points = {"poor": 0, "average": 3, "good": 6, "excellent": 10}
    for r in rows:
        if r["kind"] == "maximize":  # linear maximisation: 0 at worst, 1 at best
            v, worst, best = float(r["value"]), float(r["worst"]), float(r["best"])
            r["progress"] = clamp((v - worst) / (best - worst), 0, 1)
        elif r["kind"] == "minimize":  # linear minimisation: 1 at best (the low end), 0 at worst
            v, worst, best = float(r["value"]), float(r["worst"]), float(r["best"])
            r["progress"] = clamp((worst - v) / (worst - best), 0, 1)
        else:
            r["progress"] = points[r["answer"].strip().lower()] / 10
        for column in ("weight", "goal_weight", "perspective_weight"):
            r[column] = float(r[column])

    def weighted(pairs):
        pairs = list(pairs)
        return math.fsum(v * w for v, w in pairs) / math.fsum(w for _, w in pairs)

    goals = grouped(rows, ["perspective", "goal"], lambda r: (r["perspective"], r["goal"]),
                    lambda g: (weighted((r["progress"], r["weight"]) for r in g), g[0]["goal_weight"]))
    perspectives = {}
    for e in goals:
        perspectives.setdefault(e["perspective"], []).append(e["value"])
    perspective_scores = {p: weighted(pairs) for p, pairs in perspectives.items()}
    perspective_weights = {r["perspective"]: r["perspective_weight"] for r in rows}
    indicators = grouped(rows, ["perspective", "goal", "indicator"], lambda r: (r["perspective"], r["goal"], r["indicator"]),
                         lambda g: g[0]["progress"])
    save("scorecard", {
        "indicator_progress": indicators,
        "goal_score": [{**e, "value": e["value"][0]} for e in goals],
        "perspective_score": [{"perspective": p, **judged(perspective_scores[p], critical=0.5, norm=0.8)} for p in sorted(perspective_scores)],
        "index": judged(weighted((perspective_scores[p], perspective_weights[p]) for p in perspective_scores), critical=0.5, norm=0.8, target=0.95),
        "weakest_progress": min(e["value"] for e in indicators),
        "indicators_on_track": sum(1 for r in rows if r["progress"] >= 0.8),
        "malformed": 0,
    })


def okr():
    results = read("okr_key_results.csv")

    def number(text):  # as typed: "61%", "240 000"; anything else is unknown
        text = text.replace(" ", "")
        try:
            return float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            return None

    for r in results:
        current, baseline, target = number(r["reported"]), float(r["baseline"]), float(r["target"])
        r["progress"] = 0 if current is None else clamp((current - baseline) / (target - baseline), 0, 1)
        r["unknown"] = current is None
    objectives = grouped(results, ["team", "objective"], lambda r: (r["team"], r["objective"]), lambda g: mean(r["progress"] for r in g))
    kpis = read("okr_kpis.csv")
    for k in kpis:
        fact, plan = float(k["fact"]), float(k["plan"])
        k["attainment"] = plan / fact if "время" in k["kpi"].lower() else fact / plan

    def status(g):
        progress = mean(r["progress"] for r in g)
        number = excel_round(progress * 100)
        return f"{g[0]['team'].upper()}: {number:.0f}% — {'on track' if progress >= 0.7 else 'at risk'}"

    save("okr", {
        "unreadable_check_ins": sum(1 for r in results if r["unknown"]),
        "key_result_progress": grouped(results, ["team", "objective", "key_result"], lambda r: (r["team"], r["objective"], r["key_result"]),
                                       lambda g: g[0]["progress"]),
        "objective_progress": [{**e, **judged(e["value"], norm=0.7, target=1.0)} for e in objectives],
        "team_progress": grouped(objectives, ["team"], lambda e: e["team"], lambda g: mean(e["value"] for e in g)),
        "okr_score": judged(mean(e["value"] for e in objectives), norm=0.7, target=1.0),
        "achieved": sum(1 for r in results if r["progress"] >= 1),
        "on_track_count": sum(1 for r in results if r["progress"] >= 0.7),
        "objective_status": grouped(results, ["team", "objective"], lambda r: (r["team"], r["objective"]), status),
        "measurable": share("0" in r["key_result"] or "%" in r["key_result"] for r in results),
        "longest_wording": max(len(r["key_result"]) for r in results),
        "kpi_attainment": grouped(kpis, ["team", "month"], lambda k: (k["team"], k["month"]), lambda g: mean(k["attainment"] for k in g)),
        "kpi_attainment_by_team": [{**e, **judged(e["value"], critical=0.9, norm=1.0)}
                                   for e in grouped(kpis, ["team"], lambda k: k["team"], lambda g: mean(k["attainment"] for k in g))],
        "kpis_on_plan": sum(1 for k in kpis if k["month"] == "2024-08" and k["attainment"] >= 1),
        "kpis_off_plan": len({k["kpi"] for k in kpis if k["attainment"] < 1}),
    })


call_center()
marketing()
hr()
operations()
scorecard()
okr()
