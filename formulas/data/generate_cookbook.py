"""Generates the cookbook's sample data (formulas/data/*.csv beside sales.csv). Fixed seeds: the
output never changes; the committed files are what the examples and tests read.

    cd formulas/data && python3 generate_cookbook.py
"""
import csv
import datetime
import random


def write(name, header, rows):
    with open(name, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


# Call center: three operators over two weeks; waits in seconds, handling in minutes, date-times.
rng = random.Random(20240601)
calls = []
for day in range(10):
    date = datetime.date(2024, 6, 3) + datetime.timedelta(days=day + 2 * (day // 5))
    for operator in ("Ольга", "Дмитрий", "Анна"):
        for _ in range(rng.randint(2, 4)):
            opened = datetime.datetime.combine(date, datetime.time(rng.randint(9, 17), rng.randrange(60), rng.randrange(60)))
            answered = opened + datetime.timedelta(seconds=rng.choice((5, 6, 8, 10, 12, 14, 15, 18, 22, 25, 28, 35, 48, 70)))
            closed = answered + datetime.timedelta(seconds=rng.randint(120, 900))
            resolved = "true" if rng.random() < 0.72 else "false"
            calls.append((operator, opened.isoformat(sep=" "), answered.isoformat(sep=" "), closed.isoformat(sep=" "), resolved))
# Two misdials: the caller hung up the moment the call was answered.
calls.append(("Дмитрий", "2024-06-05 10:00:00", "2024-06-05 10:00:08", "2024-06-05 10:00:08", "false"))
calls.append(("Анна", "2024-06-11 15:30:00", "2024-06-11 15:30:05", "2024-06-11 15:30:05", "false"))
write("call_center_calls.csv", ["operator", "opened", "answered", "closed", "resolved_first_contact"], calls)
# Every whole percent of the SLA scale, as the bonus sheet lists them.
write("call_center_sla_scale.csv", ["sla"], [[f"{p}%"] for p in range(5, 26)])

# Marketing: users by channel through the AARRR funnel, and spend per channel and month.
def marketing_user(number, quarter_start, activation, paying, order_value):
    channel = rng.choice(("ads", "seo", "referral"))
    signup = quarter_start + datetime.timedelta(days=rng.randrange(91))
    activated = rng.random() < activation[channel]
    retained = activated and rng.random() < 0.7
    paid = retained and rng.random() < paying
    orders = rng.randint(1, 5) if paid else 0
    revenue = round(orders * rng.uniform(*order_value), 2) if paid else 0
    referrals = rng.choice((0, 0, 0, 1, 1, 2)) if retained else 0
    return (f"u{number:03d}", channel, signup.isoformat(), str(activated).lower(), str(retained).lower(),
            str(paid).lower(), orders, revenue, referrals)


rng = random.Random(20240701)
users = [marketing_user(number, datetime.date(2024, 4, 1), {"ads": 0.6, "seo": 0.75, "referral": 0.85}, 0.65, (900, 2500))
         for number in range(1, 61)]
spend = []
for channel, base in (("ads", 26000), ("seo", 9000), ("referral", 4000)):
    # The same quarter a year earlier too, to compare with last year.
    for month in ("2023-04", "2023-05", "2023-06", "2024-04", "2024-05", "2024-06"):
        spend.append((channel, month, base + rng.randrange(0, 6000, 500)))
write("marketing_spend.csv", ["channel", "month", "spend"], spend)
# The same quarter a year earlier: its sign-ups, for LTV : CAC per channel and quarter.
rng = random.Random(20230701)
users += [marketing_user(number, datetime.date(2023, 4, 1), {"ads": 0.55, "seo": 0.7, "referral": 0.8}, 0.75, (800, 2200))
          for number in range(61, 81)]
write("marketing_users.csv", ["user", "channel", "signup", "activated", "retained", "paid", "orders", "revenue", "referrals"], users)

# HR: employees with their level-score targets, and absences.
employees = [
    ("Белова", "Продажи", "2021-03-01", "", 12, 12, 118, 80, 120, 30000),
    ("Громов", "Продажи", "2022-07-15", "2024-05-31", 12, 9, 70, 80, 120, 30000),
    ("Денисова", "Продажи", "2023-01-10", "", 12, 11, 101, 80, 120, 30000),
    ("Егоров", "Продажи", "2024-02-01", "", 12, 12, 135, 80, 120, 30000),
    ("Жукова", "Сервис", "2020-09-01", "", 12, 10, 4.1, 3.5, 4.5, 25000),
    ("Зайцев", "Сервис", "2023-05-20", "2024-03-15", 12, 6, 3.2, 3.5, 4.5, 25000),
    ("Ильина", "Сервис", "2021-11-01", "", 12, 12, 4.5, 3.5, 4.5, 25000),
    ("Ковалёв", "Сервис", "2022-02-14", "", 12, 11, 3.9, 3.5, 4.5, 25000),
    ("Лебедева", "Склад", "2019-06-01", "", 12, 12, 980, 900, 1000, 20000),
    ("Морозов", "Склад", "2023-08-01", "2024-06-30", 12, 8, 910, 900, 1000, 20000),
    ("Никитина", "Склад", "2024-01-15", "", 12, 12, 1040, 900, 1000, 20000),
    ("Орлов", "Склад", "2022-04-01", "2024-04-30", 12, 10, 870, 900, 1000, 20000),
]
write("hr_employees.csv",
      ["employee", "department", "hired", "left_on", "reports_due", "reports_on_time", "fact", "critical", "norm", "base bonus"],
      employees)
absences = [
    ("Белова", "2024-02-12", 3), ("Белова", "2024-05-20", 2), ("Громов", "2024-01-22", 5), ("Денисова", "2024-03-04", 1),
    ("Жукова", "2024-04-08", 7), ("Зайцев", "2024-02-01", 4), ("Зайцев", "2024-02-19", 2), ("Ковалёв", "2024-06-03", 3),
    ("Лебедева", "2024-01-15", 2), ("Морозов", "2024-03-11", 6), ("Морозов", "2024-05-06", 1), ("Орлов", "2024-04-22", 4),
]
write("hr_absences.csv", ["employee", "start", "days"], absences)

# Operations: three plasterers over three working weeks, square metres a day.
rng = random.Random(20240801)
work = []
for day in range(15):
    date = datetime.date(2024, 9, 2) + datetime.timedelta(days=day + 2 * (day // 5))
    for worker in ("Ахмедов", "Белов", "Васильев"):
        if rng.random() < 0.08:
            continue  # a day off
        work.append((date.isoformat(), worker, round(rng.uniform(24, 40), 1)))
write("operations_plastering.csv", ["date", "worker", "m2"], work)

# Scorecard: three perspectives, goals within them, indicators within goals (BSC Designer's model).
write("scorecard_indicators.csv",
      ["perspective", "perspective_weight", "goal", "goal_weight", "indicator", "kind", "value", "worst", "best", "answer", "weight"],
      [
          ("Финансы", 40, "Рост выручки", 60, "Выручка, млн", "maximize", 118, 80, 150, "", 70),
          ("Финансы", 40, "Рост выручки", 60, "Доля новых продуктов", "maximize", 0.12, 0, 0.3, "", 30),
          ("Финансы", 40, "Контроль затрат", 40, "Затраты на продажи, %", "minimize", 0.18, 0.3, 0.1, "", 100),
          ("Клиенты", 35, "Лояльность", 70, "NPS", "maximize", 42, 0, 70, "", 60),
          ("Клиенты", 35, "Лояльность", 70, "Отток клиентов", "minimize", 0.07, 0.15, 0.02, "", 40),
          ("Клиенты", 35, "Сервис", 30, "Оценка тайного покупателя", "qualitative", "", "", "", "good", 100),
          ("Процессы", 25, "Скорость", 50, "Срок поставки, дни", "minimize", 6, 10, 3, "", 100),
          ("Процессы", 25, "Качество", 50, "Доля брака", "minimize", 0.012, 0.05, 0.005, "", 50),
          ("Процессы", 25, "Качество", 50, "Аудит процессов", "qualitative", "", "", "", "average", 50),
      ])

# OKR: key results with baseline, target and current value; KPIs with plan and fact per month.
# Check-ins are typed by the key results' owners: "61%", "240 000", and once "4 дня" (4 days).
write("okr_key_results.csv", ["team", "objective", "key_result", "baseline", "target", "reported"], [
    ("Продукт", "Клиенты любят продукт", "NPS с 30 до 50", 30, 50, "41"),
    ("Продукт", "Клиенты любят продукт", "Отток с 6% до 3%", 0.06, 0.03, "5%"),
    ("Продукт", "Быстрый онбординг", "Активация с 40% до 60%", 0.4, 0.6, "61%"),
    ("Продукт", "Быстрый онбординг", "Время до первой ценности с 7 до 2 дней", 7, 2, "4 дня"),
    ("Продажи", "Выйти в новый регион", "10 клиентов в Казахстане", 0, 10, "4"),
    ("Продажи", "Выйти в новый регион", "Партнёр в Алматы", 0, 1, "1"),
    ("Продажи", "Крупные сделки", "Средний чек с 200 до 300 тыс.", 200000, 300000, "240 000"),
])
write("okr_kpis.csv", ["team", "kpi", "month", "fact", "plan"], [
    ("Продукт", "Активные пользователи", "2024-07", 10400, 10000),
    ("Продукт", "Активные пользователи", "2024-08", 11200, 11000),
    ("Продукт", "Время ответа API, мс", "2024-07", 180, 200),
    ("Продукт", "Время ответа API, мс", "2024-08", 210, 200),
    ("Продажи", "Выручка, тыс.", "2024-07", 5200, 5000),
    ("Продажи", "Выручка, тыс.", "2024-08", 4700, 5500),
    ("Продажи", "Новые клиенты", "2024-07", 14, 12),
    ("Продажи", "Новые клиенты", "2024-08", 11, 12),
])
