-- The benchmark's ten KPIs with the DuckDB command line; run.py replaces FILE with the CSV's path.
CREATE TEMP TABLE sales AS SELECT * FROM read_csv('FILE');
SELECT sum(amount) FILTER (status = 'won'), avg(CASE WHEN status = 'won' THEN 1 ELSE 0 END),
       avg(amount) FILTER (status = 'won'), median(amount), quantile_cont(amount, 0.9),
       sum(amount) / sum(plan), sum(amount - cost) / sum(amount),
       -- PERCENTRANK.INC(amount, 15000), truncated to 3 digits: 15000 lies between two values.
       trunc(1000 * (count(*) FILTER (amount < 15000) - 1
             + (15000 - max(amount) FILTER (amount < 15000)) / (min(amount) FILTER (amount > 15000) - max(amount) FILTER (amount < 15000)))
             / (count(amount) - 1)) / 1000
FROM sales;
SELECT manager, avg(amount), count(*) FROM sales GROUP BY manager ORDER BY manager;
SELECT date_trunc('month', date) AS month, sum(amount) FROM sales WHERE status = 'won' GROUP BY month ORDER BY month;
