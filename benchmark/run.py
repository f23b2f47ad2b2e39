#!/usr/bin/env python3
"""Kipi's speed benchmark, every measurement in one run, as ratios against peers:

1. loading: `sum(amount)` over a 1,000,000-row, 9-column sales CSV (~70 MB), read as UTF-8 and
   as the same rows in Windows-1251, beside `wc -l`, a hand-written native Swift loop
   (native_sum.swift), pandas and the DuckDB command line;
2. the ten KPIs of sales_kpis.kpi over that CSV, end to end, beside polars (lazy scan_csv),
   the DuckDB command line and pandas computing the same (peers/);
3. the library after loading (LibraryBench/): three KPIs over 10M in-memory rows against
   native Swift loops, a small formula evaluated once per record against a native closure,
   grouping by text against `sum(amount)`, and each order statistic.

    python3 benchmark/run.py [--rows N]

Builds kipi and LibraryBench in release and generates the data once with a fixed seed (into
.build/benchmark/). Peers run when installed (`pip install polars pandas duckdb-cli`). Prints
the best wall time of 5 runs, its median, peak memory, and kipi's time as a ratio of each peer's.
Uses only Python's standard library.
"""
import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MANAGERS = ["Иванов", "Петрова", "Сидоров", "Anna Smith", "Chen Wei", "John Miller", "Smith, John", "García, Ana", "Кузнецова, Ольга"]
REGIONS = {"Иванов": "RU", "Петрова": "RU", "Сидоров": "RU", "Кузнецова, Ольга": "RU", "Anna Smith": "EU", "García, Ana": "EU",
           "Chen Wei": "APAC", "John Miller": "US", "Smith, John": "US"}
RATINGS = ["poor", "average", "good", "excellent"]


def generate(path, rows):
    rng = random.Random(20241122)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("date,manager,region,status,amount,plan,cost,sla,rating\n")
        lines = []
        for _ in range(rows):
            manager = rng.choice(MANAGERS)
            name = f'"{manager}"' if "," in manager else manager
            amount = rng.lognormvariate(9.5, 0.6)
            lines.append(
                f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},{name},{REGIONS[manager]},"
                f"{rng.choice(('won', 'lost', 'open'))},{amount:.2f},{round(amount * rng.uniform(0.8, 1.3), -2):.0f},"
                f"{amount * rng.uniform(0.45, 0.8):.2f},{rng.uniform(0.04, 0.26):.3f},{rng.choice(RATINGS)}\n")
            if len(lines) == 10000:
                out.writelines(lines)
                lines.clear()
        out.writelines(lines)


def measure(command):
    """Best wall time of 5 runs, and the peak memory of that run (KiB), of a command."""
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        output = process.stdout.read().decode().strip()
        if status != 0:
            sys.exit(f"{command[0]} failed: {process.stderr.read().decode()}")
        runs.append((elapsed, usage.ru_maxrss, output))
    best = min(runs)
    return best[0], best[1], best[2], statistics.median(run[0] for run in runs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    subprocess.run(["swift", "build", "-c", "release", "--product", "kipi"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    kipi = os.path.join(ROOT, ".build", "release", "kipi")
    data_dir = os.path.join(ROOT, ".build", "benchmark")
    os.makedirs(data_dir, exist_ok=True)
    data = os.path.join(data_dir, f"sales-{rows}.csv")
    if not os.path.exists(data):
        print(f"generating {data} …", file=sys.stderr)
        generate(data, rows)
    # The same rows as 1C writes them: Windows-1251, which is decoded before reading.
    cp1251 = os.path.join(data_dir, f"sales-{rows}-cp1251.csv")
    if not os.path.exists(cp1251):
        with open(data, encoding="utf-8") as source, open(cp1251, "wb") as out:
            out.write(source.read().encode("cp1251", errors="replace"))
    megabytes = os.path.getsize(data) / 1e6
    print(f"data: {data}, {rows:,} rows, {megabytes:.1f} MB")
    native = os.path.join(data_dir, "native_sum")
    subprocess.run(["swiftc", "-O", "-o", native, os.path.join(ROOT, "benchmark", "native_sum.swift")], check=True)
    peers = [("kipi sum(amount)", [kipi, "eval", "-e", "sum(amount)", "--data", data, "--format", "json"]),
             ("kipi cp1251", [kipi, "eval", "-e", "sum(amount)", "--data", cp1251, "--format", "json"]),
             ("wc -l", ["wc", "-l", data]),
             ("native Swift loop", [native, data, "4"])]
    try:
        import pandas  # noqa: F401
        peers.append(("pandas sum(amount)", [sys.executable, "-c",
                      f"import pandas; print(pandas.read_csv({data!r}, usecols=['amount'])['amount'].sum())"]))
    except ImportError:
        print("(pandas not found: pip install pandas to compare)")
    if shutil.which("duckdb"):
        peers.append(("duckdb sum(amount)", ["duckdb", "-csv", "-noheader", "-c", f"select sum(amount) from read_csv('{data}')"]))
    else:
        print("(duckdb not found: pip install duckdb-cli to compare)")
    results = {}
    print(f"{'':22} {'best s':>8} {'median s':>9} {'MB/s':>8} {'peak MB':>8} {'× file':>7}  output")
    for label, command in peers:
        best, peak, output, median = measure(command)
        results[label] = best
        print(f"{label:22} {best:8.3f} {median:9.3f} {megabytes / best:8.0f} {peak / 1024:8.1f} {peak * 1024 / 1e6 / megabytes:7.2f}  {output.split()[0]}")
    kipi_time = results["kipi sum(amount)"]
    for label, seconds in results.items():
        if label != "kipi sum(amount)":
            print(f"kipi takes {kipi_time / seconds:.2f}× the time of {label}")
    kpis(kipi, data, megabytes)
    on_engine(kipi, data)
    library(data)


def kpis(kipi, data, megabytes):
    """The ten KPIs, end to end, beside the peers that are installed."""
    here = os.path.join(ROOT, "benchmark")
    print(f"\nthe ten KPIs of benchmark/sales_kpis.kpi, end to end")
    peers = [("kipi", [kipi, "eval", os.path.join(here, "sales_kpis.kpi"), "--data", data, "--format", "json"])]
    for module, script in (("polars", "polars_kpis.py"), ("pandas", "pandas_kpis.py")):
        try:
            __import__(module)
            peers.append((module, [sys.executable, os.path.join(here, "peers", script), data]))
        except ImportError:
            print(f"({module} not found: pip install {module} to compare)")
    if shutil.which("duckdb"):
        with open(os.path.join(here, "peers", "duckdb_kpis.sql")) as sql:
            peers.append(("duckdb", ["duckdb", "-csv", "-noheader", "-c", sql.read().replace("FILE", data)]))
    print(f"{'':22} {'best s':>8} {'median s':>9} {'peak MB':>8} {'× file':>7}")
    results = {}
    for label, command in peers:
        best, peak, _, median = measure(command)
        results[label] = best
        print(f"{label:22} {best:8.3f} {median:9.3f} {peak / 1024:8.1f} {peak * 1024 / 1e6 / megabytes:7.2f}")
    for label, seconds in results.items():
        if label != "kipi":
            print(f"kipi takes {results['kipi'] / seconds:.2f}× the time of {label}")


def on_engine(kipi, data):
    """The ten KPIs as SQL on DuckDB (kipi eval --engine) beside the hand-written SQL, over one table."""
    if not shutil.which("duckdb"):
        print("\n(duckdb not found: pip install duckdb-cli to compare the SQL)")
        return
    here = os.path.join(ROOT, "benchmark")
    database = os.path.join(os.path.dirname(data), "sales.duckdb")
    if os.path.exists(database):
        os.remove(database)
    subprocess.run(["duckdb", database, "-c", f"CREATE TABLE sales AS SELECT * FROM read_csv('{data}')"], check=True)
    with open(os.path.join(here, "peers", "duckdb_kpis.sql")) as sql:
        queries = sql.read().split(";", 2)[2]  # the queries, over the stored table
    print("\nthe ten KPIs on DuckDB, over a stored table: Kipi's SQL against hand-written SQL")
    results = {}
    for label, command in (("kipi --engine duckdb", [kipi, "eval", os.path.join(here, "sales_kpis.kpi"), "--engine", "duckdb",
                                                     "--table", "sales", "--connect", database, "--format", "json"]),
                           ("hand-written SQL", ["duckdb", database, "-csv", "-noheader", "-c", queries])):
        best, _, _, median = measure(command)
        results[label] = best
        print(f"{label:22} {best:8.3f} {median:9.3f}")
    print(f"kipi's SQL takes {results['kipi --engine duckdb'] / results['hand-written SQL']:.2f}× the time of the hand-written SQL")


def library(data):
    """The library after loading, against native Swift in the same binary."""
    package = os.path.join(ROOT, "benchmark", "LibraryBench")
    subprocess.run(["swift", "build", "-c", "release", "--package-path", package], check=True, stdout=subprocess.DEVNULL)
    output = subprocess.run([os.path.join(package, ".build", "release", "LibraryBench"), data, "10000000", "100000", "",
                             os.path.join(ROOT, "formulas", "sales.kpi")],
                            check=True, capture_output=True, text=True).stdout
    times = {}
    for line in output.splitlines():
        name, seconds, what = line.split("\t")
        times[name] = float(seconds)
    print("\nthe library after loading (best of 5; 3 for the 10M rows)")
    for formula in ("sum(a * b + 1)", "sum(a where b > 3)", "avg(a / b)"):
        kipi, native = times[f"columnar {formula}"], times[f"columnar {formula} native"]
        print(f"{formula:22} kipi {kipi * 1e3:7.1f} ms, native loop {native * 1e3:6.1f} ms: {kipi / native:.1f}× native  (10M rows)")
    native = times["embedded native"]
    for case in ("parameters", "one-row table"):
        kipi = times[f"embedded {case}"]
        print(f"formula per record, {case:14} {kipi * 1e9:7.0f} ns per evaluation (a native closure: {native * 1e9:.1f} ns)")
    for case, target in (("score", 100), ("level", 100), ("ten operators", 300), ("travel", 120)):
        kipi, closure = times[f"prepared {case}"], times[f"prepared {case} native"]
        print(f"prepared {case:14} {kipi * 1e9:7.0f} ns per record (target ≤ {target} ns; a native closure: {closure * 1e9:.1f} ns)")
    total = times["sales sum(amount)"]
    for case in ("avg(amount) by manager", "count() by status"):
        print(f"{case:22} {times['sales ' + case] * 1e3:7.1f} ms: {times['sales ' + case] / total:.1f}× sum(amount)'s {total * 1e3:.1f} ms (1M rows)")
    for case in ("median(amount)", "percentile(amount, 0.9)", "percentrank(amount, 15000)"):
        print(f"{case:26} {times['sales ' + case] * 1e3:7.1f} ms (1M rows)")
    print("\na stop: how long an evaluation takes under a time limit (best of 3)")
    for case in ("one pass", "order statistic", "groups", "window"):
        print(f"{case:26} {times['stop ' + case] * 1e3:7.1f} ms with a 5 ms limit (3M rows)")
    print(f"{'host function 50 µs/call':26} {times['stop host function'] * 1e3:7.1f} ms with a 20 ms limit (10,000 rows)")
    print(f"\nper request: Kipi() {times['serving Kipi()'] * 1e6:.0f} µs; a one-line formula against compiled definitions "
          f"{times['serving formula against program'] * 1e6:.0f} µs (checked again with them: {times['serving formula checked with definitions'] * 1e6:.0f} µs)")


if __name__ == "__main__":
    main()
