"""The benchmark's ten KPIs with polars (lazy scan_csv, all queries collected together)."""
import sys

import polars as pl

sales = pl.scan_csv(sys.argv[1], try_parse_dates=True)
won = pl.col("status") == "won"
amount = pl.col("amount")
scalars = sales.select(
    won_revenue=amount.filter(won).sum(),
    win_rate=won.mean(),
    avg_won_deal=amount.filter(won).mean(),
    median_deal=amount.median(),
    p90_deal=amount.quantile(0.9, interpolation="linear"),
    plan_fact=amount.sum() / pl.col("plan").sum(),
    margin=(amount - pl.col("cost")).sum() / amount.sum(),
    # PERCENTRANK.INC(amount, 15000), truncated to 3 digits: 15000 lies between two values.
    smaller=(amount < 15000).sum(),
    present=(amount == 15000).any(),
    below=amount.filter(amount < 15000).max(),
    above=amount.filter(amount > 15000).min(),
    n=amount.count(),
)
by_manager = sales.group_by("manager").agg(avg=amount.mean(), deals=pl.len()).sort("manager")
by_month = sales.filter(won).group_by(pl.col("date").dt.truncate("1mo")).agg(amount.sum()).sort("date")
first, managers, months = pl.collect_all([scalars, by_manager, by_month])
row = first.row(0, named=True)
rank = row["smaller"] / (row["n"] - 1) if row["present"] else (
    row["smaller"] - 1 + (15000 - row["below"]) / (row["above"] - row["below"])) / (row["n"] - 1)
print(row["won_revenue"], row["win_rate"], row["avg_won_deal"], row["median_deal"], row["p90_deal"], row["plan_fact"],
      row["margin"], int(rank * 1000) / 1000, managers.height, months.height)
