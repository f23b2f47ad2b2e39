-- The benchmark's ten KPIs with psql, over run.py's stored table sales.
SELECT sum(amount) FILTER (WHERE status = 'won'), avg(CASE WHEN status = 'won' THEN 1 ELSE 0 END),
       avg(amount) FILTER (WHERE status = 'won'), percentile_cont(0.5) WITHIN GROUP (ORDER BY amount),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY amount),
       sum(amount) / sum(plan), sum(amount - cost) / sum(amount),
       -- PERCENTRANK.INC(amount, 15000), truncated to 3 digits: 15000 lies between two values.
       trunc(1000 * (count(*) FILTER (WHERE amount < 15000) - 1
             + (15000 - max(amount) FILTER (WHERE amount < 15000))
               / (min(amount) FILTER (WHERE amount > 15000) - max(amount) FILTER (WHERE amount < 15000)))
             / (count(amount) - 1)) / 1000
FROM sales;
SELECT manager, avg(amount), count(*) FROM sales GROUP BY manager ORDER BY manager;
SELECT date_trunc('month', date) AS month, sum(amount) FROM sales WHERE status = 'won' GROUP BY 1 ORDER BY 1;
