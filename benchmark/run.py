#!/usr/bin/env python3
"""Kipi's loading benchmark: a 1,000,000-row, 9-column sales CSV (~75 MB), `sum(amount)`,
read as UTF-8 and as the same rows in Windows-1251.

    python3 benchmark/run.py [--rows N]

Builds kipi in release, generates the data once with a fixed seed (into .build/benchmark/),
and prints, for kipi and beside it `wc -l`, a hand-written native Swift loop
(benchmark/native_sum.swift), pandas (when installed) and the DuckDB command line (when
`duckdb` is on the PATH, e.g. from the PyPI package duckdb-cli): the best wall time of 5 runs,
MB/s and peak memory, and kipi's time as a ratio of each. Uses only Python's standard library.
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


if __name__ == "__main__":
    main()
