#!/usr/bin/env python3
"""Renders the HTML report of every cookbook file in headless Chromium and checks it.

Usage: check_html_reports.py KIPI OUTPUT_DIR

For each formulas/*.kpi with a `#   kipi eval …` command in its header: `kipi report … -o
NAME.html`, then Chromium (no network: every host resolves to nothing) prints its console to
stderr, dumps the rendered page and takes an A4-wide screenshot NAME.png. Fails on any console
message, on anything the page would load from elsewhere, and when the page's structure does not
match `kipi eval --format json`: one section per KPI, and for each grouped KPI whose key holds
periods or dates an SVG line chart with one point per period of each line.
"""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PERIOD = re.compile(r"^\d{4}-(\d{2}|Q[1-4]|W\d{2})$|^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$")


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    sys.exit("no Chromium on PATH: apt-get install chromium, as .ci/run does")


class Page(html.parser.HTMLParser):
    """The sections, charts, series and points of a rendered report."""

    def __init__(self):
        super().__init__()
        self.sections = []  # [{"kpi": name, "charts": [{"periods": n, "series": [points, …]}]}]
        self.external = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if attrs.get(name) and not attrs[name].startswith("#"):
                self.external.append(f"<{tag} {name}={attrs[name]}>")
        if tag == "section" and "kpi" in (attrs.get("class") or "").split():
            self.sections.append({"kpi": attrs.get("data-kpi"), "charts": []})
        elif tag == "svg" and "chart" in (attrs.get("class") or "").split() and self.sections:
            self.sections[-1]["charts"].append({"periods": int(attrs["data-periods"]), "series": []})
        elif tag == "g" and attrs.get("class") == "series" and self.sections and self.sections[-1]["charts"]:
            self.sections[-1]["charts"][-1]["series"].append({"label": attrs.get("data-label"), "points": 0, "declared": int(attrs["data-points"])})
        elif tag == "circle" and self.sections and self.sections[-1]["charts"] and self.sections[-1]["charts"][-1]["series"]:
            self.sections[-1]["charts"][-1]["series"][-1]["points"] += 1


def chromium_run(browser, arguments, out):
    """One headless Chromium run with a profile of its own (a shared one makes a second instance
    wait on the first's lock); a run that hangs under load is killed and tried once more."""
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
             "--no-first-run", "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=794,1123"]
    for attempt in range(2):
        profile = tempfile.mkdtemp(prefix="kipi-chromium-", dir=out)
        try:
            return subprocess.run([browser] + flags + ["--user-data-dir=" + profile] + arguments, capture_output=True, text=True, timeout=90)
        except subprocess.TimeoutExpired:
            if attempt == 1:
                raise
        finally:
            shutil.rmtree(profile, ignore_errors=True)


def examples():
    for file in sorted(os.listdir(os.path.join(ROOT, "formulas"))):
        if not file.endswith(".kpi"):
            continue
        with open(os.path.join(ROOT, "formulas", file), encoding="utf-8") as f:
            command = next((line for line in f if line.startswith("#   kipi eval ")), None)
        if command:
            yield file[:-4], [word.replace("formulas/", os.path.join(ROOT, "formulas") + "/") for word in command.split()[3:]]


def check(kipi, browser, name, arguments, out):
    problems = []
    page_path = os.path.join(out, name + ".html")
    report = subprocess.run([kipi, "report"] + arguments + ["-o", page_path], capture_output=True, text=True)
    if report.returncode != 0:
        return [f"{name}: kipi report exited {report.returncode}: {report.stderr}"]
    evaluated = subprocess.run([kipi, "eval"] + arguments + ["--format", "json"], capture_output=True, text=True)
    results = json.loads(evaluated.stdout)
    url = "file://" + page_path
    dumped = chromium_run(browser, ["--dump-dom", url], out)
    console = [line for line in dumped.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    problems += [f"{name}: console: {line}" for line in console]
    shot_path = os.path.join(out, name + ".png")
    if os.path.exists(shot_path):
        os.remove(shot_path)
    shot = chromium_run(browser, ["--screenshot=" + shot_path, url], out)
    if shot.returncode != 0 or not os.path.exists(shot_path):
        problems.append(f"{name}: no screenshot: {shot.stderr[-500:]}")
    page = Page()
    page.feed(dumped.stdout)
    problems += [f"{name}: loads {item}" for item in page.external]
    with open(page_path, encoding="utf-8") as f:
        source = f.read()
    if re.search(r"https?://(?!www\.w3\.org/2000/svg)", source) or "<script" in source:
        problems.append(f"{name}: the page refers to the network or holds a script")
    names = [section["kpi"] for section in page.sections]
    if names != list(results):
        problems.append(f"{name}: sections {names} != KPIs {list(results)}")
    for section in page.sections:
        value = results.get(section["kpi"])
        if not isinstance(value, list) or not value:
            continue
        keys = [key for key in value[0] if key not in ("value", "status", "level", "critical", "norm", "target")]
        along = next((key for key in keys if all(isinstance(row[key], str) and PERIOD.match(row[key]) for row in value)), None)
        if along is None or not any(isinstance(row["value"], (int, float)) for row in value):
            continue
        if len(section["charts"]) != 1:
            problems.append(f"{name}.{section['kpi']}: {len(section['charts'])} charts along {along}, not 1")
            continue
        chart = section["charts"][0]
        periods = len({row[along] for row in value})
        if chart["periods"] != periods:
            problems.append(f"{name}.{section['kpi']}: the chart has {chart['periods']} periods, the KPI {periods}")
        others = [key for key in keys if key != along]
        for series in chart["series"]:
            rows = [row for row in value if (" · ".join(str(row[key]) for key in others) or "value") == series["label"]
                    and isinstance(row["value"], (int, float))]
            if series["points"] != len(rows) or series["points"] != series["declared"] or series["points"] > periods:
                problems.append(f"{name}.{section['kpi']}[{series['label']}]: {series['points']} points for {len(rows)} values")
        if not chart["series"]:
            problems.append(f"{name}.{section['kpi']}: a chart without lines")
    return problems


def main():
    kipi, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    browser = chromium()
    problems, checked = [], 0
    for name, arguments in examples():
        problems += check(kipi, browser, name, arguments, out)
        checked += 1
    for problem in problems:
        print(problem)
    print(f"{checked} reports rendered in {out}, {len(problems)} problems")
    sys.exit(1 if problems or checked == 0 else 0)


if __name__ == "__main__":
    main()
