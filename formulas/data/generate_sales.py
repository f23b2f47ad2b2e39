"""Generates sales.csv, the sample data of formulas/sales.kpi. Fixed seed: the output never changes."""
import csv
import datetime
import random

random.seed(20240101)
managers = {"Иванов": "RU", "Петрова": "RU", "Сидоров": "RU", "Anna Smith": "EU", "Chen Wei": "APAC", "John Miller": "US"}
ratings = ["poor", "average", "good", "excellent"]
start = datetime.date(2024, 1, 1)
# Clients and deal kinds come from a second generator, so the columns above never change.
extra = random.Random(20241123)
clients = [f"Клиент {number:02d}" for number in range(1, 61)]
with open("sales.csv", "w", newline="", encoding="utf-8") as out:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "manager", "region", "status", "amount", "plan", "cost", "sla", "rating", "client", "kind"])
    for deal in range(360):
        manager = random.choice(list(managers))
        day = start + datetime.timedelta(days=random.randrange(182))
        status = random.choices(["won", "lost", "open"], weights=[5, 3, 2])[0]
        amount = round(random.lognormvariate(9.5, 0.6), 2)
        plan = round(amount * random.uniform(0.8, 1.3), -2)
        cost = round(amount * random.uniform(0.45, 0.8), 2)
        sla = round(random.uniform(0.04, 0.26), 3)
        rating = random.choices(ratings, weights=[1, 3, 4, 2])[0]
        # A few deals have no amount yet: empty cells are nulls.
        amount_cell = "" if status == "open" and random.random() < 0.15 else amount
        client = extra.choice(clients)
        # new: a first sale; upsell: more of what the client has; cross-sell: another product.
        kind = extra.choices(["new", "upsell", "cross-sell"], weights=[6, 2, 2])[0]
        writer.writerow([day.isoformat(), manager, managers[manager], status, amount_cell, plan, cost, sla, rating, client, kind])
