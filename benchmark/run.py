#!/usr/bin/env python3
"""Kipi's speed benchmark, every measurement in one run, as ratios against peers:

1. loading: `sum(amount)` over a 1,000,000-row, 9-column sales CSV (~70 MB), read as UTF-8 and
   as the same rows in Windows-1251, beside `wc -l`, a hand-written native Swift loop
   (native_sum.swift), pandas and the DuckDB command line;
2. the ten KPIs of sales_kpis.kpi over that CSV, end to end, beside polars (lazy scan_csv),
   the DuckDB command line and pandas computing the same (peers/); and over a second shape
   of the same columns (60 managers, Cyrillic and quoted names with commas, 1% empty cells);
3. the scale curve: the ten KPIs and `sum(amount)` over 1M, 10M and 30M rows (~2.1 GB), time
   and peak memory; and the ten KPIs on one core against every core (`taskset`);
4. the ten KPIs as SQL on DuckDB and PostgreSQL (when KIPI_POSTGRES names a cluster, as
   Tests/postgres.sh starts one), over a stored table, against hand-written SQL; and on Spark
   in local-cluster mode (two executor JVMs) over ten times the rows in Parquet, against
   hand-written Spark SQL (peers/spark_kpis.sql), each end to end with its JVMs' start;
5. the library after loading (LibraryBench/): three KPIs over 10M in-memory rows against
   native Swift loops, a small formula evaluated once per record against a native closure,
   grouping by text against `sum(amount)`, and each order statistic.

    python3 benchmark/run.py [--rows N] [--no-scale] [--no-spark]

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
    write_sales(path, rows, random.Random(20241122), MANAGERS, lambda rng, manager: REGIONS[manager], empty=0)


def generate_second_shape(path, rows):
    """The same nine columns with 60 managers (Russian, Chinese and English names, a third of them
    "Last, First" and so quoted), and 1% of the amount, plan, cost, sla and rating cells empty."""
    surnames = ["Иванов", "Петрова", "Сидоров", "Кузнецова", "Смирнов", "Попова", "Волков", "Соколова", "Лебедев", "Козлова",
                "Новиков", "Морозова", "Zhang", "Wang", "Li", "Garcia", "Miller", "Smith", "Brown", "Davis"]
    firsts = ["Анна", "Олег", "Wei", "John"]
    managers = [f"{surname}, {firsts[index % 4]}" if index % 3 == 0 else f"{surname} {firsts[index % 4][0]}."
                for index, surname in enumerate(surnames * 3)][:60]
    regions = ["RU", "EU", "APAC", "US"]
    write_sales(path, rows, random.Random(20261205), managers, lambda rng, manager: rng.choice(regions), empty=0.01)


def write_sales(path, rows, rng, managers, region_of, empty):
    """Sales rows of the nine columns; `empty` is the share of amount, plan, cost, sla and rating
    cells left empty (none draws no number from `rng`, so the first shape's rows stay as they were)."""
    def cell(text):
        return "" if empty and rng.random() < empty else text

    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("date,manager,region,status,amount,plan,cost,sla,rating\n")
        lines = []
        for _ in range(rows):
            manager = rng.choice(managers)
            name = f'"{manager}"' if "," in manager else manager
            amount = rng.lognormvariate(9.5, 0.6)
            lines.append(
                f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},{name},{region_of(rng, manager)},"
                f"{rng.choice(('won', 'lost', 'open'))},{cell(f'{amount:.2f}')},{cell(f'{round(amount * rng.uniform(0.8, 1.3), -2):.0f}')},"
                f"{cell(f'{amount * rng.uniform(0.45, 0.8):.2f}')},{cell(f'{rng.uniform(0.04, 0.26):.3f}')},{cell(rng.choice(RATINGS))}\n")
            if len(lines) == 10000:
                out.writelines(lines)
                lines.clear()
        out.writelines(lines)


def repeated(source, path, times):
    """A file of `source`'s rows `times` over, under one header: the scale curve's larger files."""
    if os.path.exists(path):
        return
    with open(source, "rb") as original:
        header = original.readline()
        body = original.read()
    with open(path, "wb") as out:
        out.write(header)
        for _ in range(times):
            out.write(body)


def measure(command, runs=5):
    """Best wall time of `runs` runs, and the peak memory of that run (KiB), of a command.

    The peak is GNU time's: a child forked from this Python process would count the
    interpreter's own memory (and polars' and pandas', once imported) in its peak."""
    results = []
    timed = ["/usr/bin/time", "-f", "%M"] + command if os.path.exists("/usr/bin/time") else command
    for _ in range(runs):
        started = time.perf_counter()
        process = subprocess.Popen(timed, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        output = process.stdout.read().decode().strip()
        errors = process.stderr.read().decode().strip()
        if status != 0:
            sys.exit(f"{command[0]} failed: {errors}")
        peak = int(errors.splitlines()[-1]) if timed is not command else usage.ru_maxrss
        results.append((elapsed, peak, output))
    best = min(results)
    return best[0], best[1], best[2], statistics.median(run[0] for run in results)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-scale", action="store_true", help="skip the 10M- and 30M-row files")
    parser.add_argument("--no-spark", action="store_true", help="skip the Spark local-cluster runs (minutes each)")
    parser.add_argument("--only", choices=["spark", "engines"], help="run only this part")
    arguments = parser.parse_args()
    rows = arguments.rows
    subprocess.run(["swift", "build", "-c", "release", "--product", "kipi"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    kipi = os.path.join(ROOT, ".build", "release", "kipi")
    data_dir = os.path.join(ROOT, ".build", "benchmark")
    os.makedirs(data_dir, exist_ok=True)
    data = os.path.join(data_dir, f"sales-{rows}.csv")
    if not os.path.exists(data):
        print(f"generating {data} …", file=sys.stderr)
        generate(data, rows)
    if arguments.only == "spark":
        on_spark(kipi, data, data_dir, rows)
        return
    if arguments.only == "engines":
        on_engine(kipi, data)
        on_postgres(kipi, data)
        return
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
    print(f"target: sum(amount) at ≥ 1 GB/s — {megabytes / 1000 / kipi_time:.2f} GB/s")
    kpis(kipi, data, megabytes, "benchmark/run.py's data")
    second = os.path.join(data_dir, f"sales-second-{rows}.csv")
    if not os.path.exists(second):
        print(f"generating {second} …", file=sys.stderr)
        generate_second_shape(second, rows)
    kpis(kipi, second, os.path.getsize(second) / 1e6, "the second shape: 60 managers, quoted Cyrillic names, 1% empty cells")
    cores(kipi, data)
    if not arguments.no_scale:
        scale(kipi, data, data_dir, rows)
    on_engine(kipi, data)
    on_postgres(kipi, data)
    if not arguments.no_spark:
        on_spark(kipi, data, data_dir, rows)
    library(data)


def kpis(kipi, data, megabytes, shape):
    """The ten KPIs, end to end, beside the peers that are installed."""
    here = os.path.join(ROOT, "benchmark")
    print(f"\nthe ten KPIs of benchmark/sales_kpis.kpi, end to end, over {shape} ({megabytes:.1f} MB)")
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
    peaks = {}
    for label, command in peers:
        best, peak, _, median = measure(command)
        results[label] = best
        peaks[label] = peak * 1024 / 1e6 / megabytes
        print(f"{label:22} {best:8.3f} {median:9.3f} {peak / 1024:8.1f} {peaks[label]:7.2f}")
    for label, seconds in results.items():
        if label != "kipi":
            target = "  (target ≤ 0.5×)" if label in ("polars", "duckdb") else ""
            print(f"kipi takes {results['kipi'] / seconds:.2f}× the time of {label}{target}")
    print(f"kipi's peak memory: {peaks['kipi']:.2f}× the file (target ≤ 1.5×)")


def cores(kipi, data):
    """The ten KPIs on one core and on every core the machine has (taskset), end to end."""
    if not shutil.which("taskset"):
        print("\n(taskset not found: the one-core run is skipped)")
        return
    count = os.cpu_count() or 1
    kpi_file = os.path.join(ROOT, "benchmark", "sales_kpis.kpi")
    command = [kipi, "eval", kpi_file, "--data", data, "--format", "json"]
    one, _, _, _ = measure(["taskset", "-c", "0"] + command)
    every, _, _, _ = measure(["taskset", "-c", f"0-{count - 1}"] + command)
    print(f"\nthe ten KPIs on 1 core: {one:.3f} s; on {count} cores: {every:.3f} s ({one / every:.2f}× faster)")


def scale(kipi, data, data_dir, rows):
    """`sum(amount)` and the ten KPIs over 1×, 10× and 30× the rows: time and peak memory should grow linearly."""
    kpi_file = os.path.join(ROOT, "benchmark", "sales_kpis.kpi")
    print(f"\nthe scale curve (best of 2 for the larger files)")
    print(f"{'rows':>12} {'MB':>8} {'sum s':>8} {'sum peak MB':>12} {'10 KPIs s':>10} {'peak MB':>8} {'× file':>7} {'s per 1M rows':>14}")
    for times in (1, 10, 30):
        path = data if times == 1 else os.path.join(data_dir, f"sales-{rows}-x{times}.csv")
        repeated(data, path, times)
        megabytes = os.path.getsize(path) / 1e6
        runs = 5 if times == 1 else 2
        total, total_peak, _, _ = measure([kipi, "eval", "-e", "sum(amount)", "--data", path, "--format", "json"], runs)
        best, peak, _, _ = measure([kipi, "eval", kpi_file, "--data", path, "--format", "json"], runs)
        print(f"{rows * times:12,} {megabytes:8.0f} {total:8.3f} {total_peak / 1024:12.0f} {best:10.3f} {peak / 1024:8.0f} "
              f"{peak * 1024 / 1e6 / megabytes:7.2f} {best / (rows * times / 1e6):14.3f}")


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


def on_postgres(kipi, data):
    """The ten KPIs as SQL on PostgreSQL (kipi eval --engine postgres) beside the hand-written SQL,
    over one stored table, in the cluster KIPI_POSTGRES names."""
    connection = os.environ.get("KIPI_POSTGRES")
    if not connection or not shutil.which("psql"):
        print("\n(no PostgreSQL: start one with `bash Tests/postgres.sh start` and export KIPI_POSTGRES to compare)")
        return
    here = os.path.join(ROOT, "benchmark")
    load = ("SET client_min_messages = warning; DROP TABLE IF EXISTS sales; CREATE TABLE sales (date date, manager text, region text, status text, "
            "amount double precision, plan double precision, cost double precision, sla double precision, rating text);")
    subprocess.run(["psql", connection, "-q", "-c", load], check=True)
    subprocess.run(["psql", connection, "-q", "-c", f"\\copy sales FROM '{data}' CSV HEADER"], check=True)
    subprocess.run(["psql", connection, "-q", "-c", "ANALYZE sales"], check=True)
    print("\nthe ten KPIs on PostgreSQL, over a stored table: Kipi's SQL against hand-written SQL")
    results = {}
    for label, command in (("kipi --engine postgres", [kipi, "eval", os.path.join(here, "sales_kpis.kpi"), "--engine", "postgres",
                                                       "--table", "sales", "--connect", connection, "--format", "json"]),
                           ("hand-written SQL", ["psql", connection, "-q", "-A", "-t", "-f", os.path.join(here, "peers", "postgres_kpis.sql")])):
        best, _, _, median = measure(command)
        results[label] = best
        print(f"{label:22} {best:8.3f} {median:9.3f}")
    print(f"kipi's SQL takes {results['kipi --engine postgres'] / results['hand-written SQL']:.2f}× the time of the hand-written SQL")


def on_spark(kipi, data, data_dir, rows):
    """The ten KPIs on Spark in local-cluster mode over ten times the rows in Parquet (written by
    DuckDB): kipi eval --engine spark, which reads the file where it is, against hand-written
    Spark SQL. Both are timed end to end, each starting its driver and two executor JVMs."""
    if not shutil.which("spark-sql") or not shutil.which("duckdb"):
        print("\n(spark-sql or duckdb not found: pip install pyspark duckdb-cli to compare on Spark)")
        return
    parquet = os.path.join(data_dir, f"sales-{rows * 10}.parquet")
    if not os.path.exists(parquet):
        print(f"writing {parquet} …", file=sys.stderr)
        subprocess.run(["duckdb", "-c", f"COPY (SELECT s.* FROM read_csv('{data}') s, range(10)) TO '{parquet}' (FORMAT parquet)"], check=True)
    master = "local-cluster[2,1,1024]"
    here = os.path.join(ROOT, "benchmark")
    with open(os.path.join(here, "peers", "spark_kpis.sql")) as sql:
        queries = sql.read().replace("FILE", parquet)
    peer = os.path.join(data_dir, "spark_kpis.sql")
    with open(peer, "w") as out:
        out.write(queries)
    print(f"\nthe ten KPIs on Spark ({master}), {rows * 10:,} rows in Parquet: Kipi's SQL against hand-written Spark SQL")
    results = {}
    # spark-sql leaves its metastore in the working directory: the benchmark's folder, not the project's.
    previous = os.getcwd()
    os.chdir(data_dir)
    try:
        for label, command in (("kipi --engine spark", [kipi, "eval", os.path.join(here, "sales_kpis.kpi"), "--engine", "spark",
                                                        "--table", f"data={parquet}", "--connect", f"--master {master}", "--format", "json"]),
                               ("hand-written Spark SQL", ["spark-sql", "--master", master, "-f", peer])):
            best, _, _, median = measure(command, runs=3)
            results[label] = best
            print(f"{label:22} {best:8.3f} {median:9.3f}")
    finally:
        os.chdir(previous)
    print(f"kipi's SQL takes {results['kipi --engine spark'] / results['hand-written Spark SQL']:.2f}× the time of the hand-written Spark SQL")


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
        print(f"{formula:22} kipi {kipi * 1e3:7.1f} ms, native loop {native * 1e3:6.1f} ms: {kipi / native:.1f}× native  (10M rows; target ≤ 2×)")
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
