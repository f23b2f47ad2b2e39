"""The benchmark's ten KPIs with pandas."""
import sys

import pandas as pd

sales = pd.read_csv(sys.argv[1], parse_dates=["date"])
won = sales["status"] == "won"
amount = sales["amount"]
by_manager = sales.groupby("manager")["amount"].agg(["mean", "count"])
by_month = sales[won].groupby(sales["date"].dt.to_period("M"))["amount"].sum()
n = amount.count()
smaller = (amount < 15000).sum()
rank = smaller / (n - 1) if (amount == 15000).any() else (
    smaller - 1 + (15000 - amount[amount < 15000].max()) / (amount[amount > 15000].min() - amount[amount < 15000].max())) / (n - 1)
print(amount[won].sum(), won.mean(), amount[won].mean(), amount.median(), amount.quantile(0.9), amount.sum() / sales["plan"].sum(),
      (amount - sales["cost"]).sum() / amount.sum(), int(rank * 1000) / 1000, len(by_manager), len(by_month))
