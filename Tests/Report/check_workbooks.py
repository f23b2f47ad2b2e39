#!/usr/bin/env python3
"""Reads back the workbook of every cookbook file and compares it with `kipi eval --format json`.

Usage: check_workbooks.py KIPI OUTPUT_DIR

For each formulas/*.kpi with a `#   kipi eval …` command in its header: `kipi report … -o
NAME.xlsx`, opened with openpyxl: sheet `KPIs` holds every single-valued KPI (name, value, status,
level, description), then a sheet per grouped KPI (keys, value, and for a KPI with levels status,
level and the levels); every value equals the JSON's (numbers to the bit, dates as dates, periods
as text), numbers have Excel number formats, the header is bold and frozen, sheet names keep
Excel's rules. When LibreOffice is on PATH it converts each workbook to CSV headlessly, one file
per sheet, and those values are compared too (to the 15 digits LibreOffice writes).
"""
import datetime
import glob
import json
import os
import re
import shutil
import subprocess
import sys

import openpyxl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_html_reports import examples  # noqa: E402

NUMBER_FORMATS = {"#,##0", "#,##0.00", "0.0%", "0%", "0.00%", "yyyy\\-mm\\-dd", "yyyy\\-mm\\-dd hh:mm"}
JUDGEMENT = ("status", "level", "critical", "norm", "target")


def expected_sheets(results):
    """The sheets the workbook must hold: name → (header, rows), from the JSON results."""
    sheets = {"KPIs": (["KPI", "value", "status", "level", "description"], [])}
    for name, value in results.items():
        if isinstance(value, list):
            keys = [key for key in (value[0] if value else {}) if key != "value" and key not in JUDGEMENT]
            judged = any("status" in row or any(level in row for level in ("critical", "norm", "target")) for row in value)
            levels = [level for level in ("critical", "norm", "target") if any(level in row for row in value)]
            header = keys + ["value"] + (["status", "level"] + levels if judged else [])
            rows = [[row.get(key) for key in keys] + [row["value"]] + ([row.get("status"), row.get("level")] + [row.get(level) for level in levels] if judged else [])
                    for row in value]
            sheets[name] = (header, rows)
        else:
            plain = value if not isinstance(value, dict) or "error" in value else value["value"]
            status = value.get("status") if isinstance(value, dict) else None
            level = value.get("level") if isinstance(value, dict) else None
            sheets["KPIs"][1].append([name, plain, status, level])
    return sheets


def same(cell, wanted):
    """A workbook cell against a JSON value: numbers to the bit, dates as dates, errors as text."""
    if isinstance(wanted, dict) and "error" in wanted:
        return cell == "error: " + wanted["error"]
    if wanted is None:
        return cell is None
    if isinstance(wanted, bool):
        return cell is wanted
    if isinstance(wanted, int) and isinstance(cell, str) and re.fullmatch(r"\d{4}", cell):
        return int(cell) == wanted  # a year period: JSON writes its number, the workbook its text
    if isinstance(wanted, (int, float)):
        return isinstance(cell, (int, float)) and not isinstance(cell, bool) and float(cell) == float(wanted)
    if isinstance(cell, datetime.datetime):
        shown = cell.strftime("%Y-%m-%d") if cell.time() == datetime.time(0) else cell.strftime("%Y-%m-%d %H:%M" + (":%S" if cell.second else ""))
        return shown == wanted
    return str(cell) == str(wanted)


def check_openpyxl(name, path, results):
    problems = []
    book = openpyxl.load_workbook(path)
    sheets = expected_sheets(results)
    names = book.sheetnames
    if len({n.lower() for n in names}) != len(names):
        problems.append(f"{name}: sheet names repeat: {names}")
    for sheet_name in names:
        if len(sheet_name) > 31 or re.search(r"[\[\]:*?/\\]", sheet_name) or sheet_name.startswith("'") or sheet_name.endswith("'"):
            problems.append(f"{name}: sheet name {sheet_name!r} breaks Excel's rules")
    # Sheet names are the KPIs' names unless Excel's rules changed them: pair them in order.
    wanted = list(sheets)
    if len(names) != len(wanted):
        return problems + [f"{name}: {len(names)} sheets, expected {len(wanted)}"]
    for sheet_name, kpi in zip(names, wanted):
        if kpi != sheet_name and kpi[:31] == sheet_name:
            pass
        elif kpi != sheet_name and not re.sub(r"[\[\]:*?/\\]", "_", kpi)[:27] in sheet_name:
            problems.append(f"{name}: sheet {sheet_name!r} for KPI {kpi!r}")
        sheet = book[sheet_name]
        header, rows = sheets[kpi]
        got_header = [cell.value for cell in sheet[1]]
        if got_header != header:
            problems.append(f"{name}.{kpi}: header {got_header} != {header}")
            continue
        if sheet.freeze_panes != "A2":
            problems.append(f"{name}.{kpi}: header not frozen ({sheet.freeze_panes})")
        if not all(cell.font.b for cell in sheet[1]):
            problems.append(f"{name}.{kpi}: header not bold")
        for column, title in enumerate(header):
            width = sheet.column_dimensions[openpyxl.utils.get_column_letter(column + 1)].width
            if width is None or width < min(len(title) + 2, 8):
                problems.append(f"{name}.{kpi}: column {title!r} is {width} wide")
        body = list(sheet.iter_rows(min_row=2))
        if len(body) != len(rows):
            problems.append(f"{name}.{kpi}: {len(body)} rows != {len(rows)}")
            continue
        for row, expected_row in zip(body, rows):
            for cell, value in zip(row, expected_row):
                if not same(cell.value, value):
                    problems.append(f"{name}.{kpi}!{cell.coordinate}: {cell.value!r} != {value!r}")
                if isinstance(cell.value, (int, float, datetime.datetime)) and not isinstance(cell.value, bool) and cell.number_format not in NUMBER_FORMATS:
                    problems.append(f"{name}.{kpi}!{cell.coordinate}: number format {cell.number_format!r}")
                if kpi != "KPIs" and header[cell.column - 1] == "level" and cell.value is not None and cell.number_format != "0.0%":
                    problems.append(f"{name}.{kpi}!{cell.coordinate}: a level shown as {cell.number_format!r}")
    return problems


def check_libreoffice(name, path, results, out):
    """LibreOffice's own reading: every sheet to CSV, each value as it stores it."""
    target = os.path.join(out, name + "-csv")
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(target)
    profile = "file://" + os.path.join(out, "lo-profile")
    converted = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", target, path],
        capture_output=True, text=True, timeout=300)
    files = glob.glob(os.path.join(target, "*.csv"))
    if converted.returncode != 0 or not files:
        return [f"{name}: LibreOffice could not convert the workbook: {converted.stderr[-400:]}"]
    import csv
    problems = []
    sheets = expected_sheets(results)
    book = openpyxl.load_workbook(path)
    for sheet_name, kpi in zip(book.sheetnames, sheets):
        csv_path = os.path.join(target, f"{name}-{sheet_name}.csv")
        if not os.path.exists(csv_path):
            problems.append(f"{name}: LibreOffice wrote no sheet {sheet_name!r}")
            continue
        with open(csv_path, encoding="utf-8") as f:
            lines = list(csv.reader(f))
        header, rows = sheets[kpi]
        if lines[0][:len(header)] != header:
            problems.append(f"{name}.{kpi}: LibreOffice reads the header {lines[0]}")
            continue
        for line, expected_row in zip(lines[1:], rows):
            for text, value in zip(line, expected_row):
                if isinstance(value, bool):
                    ok = text.upper() == str(value).upper()
                elif isinstance(value, (int, float)):
                    number = float(text.rstrip("%").replace(",", "")) / (100 if text.endswith("%") else 1) if text else None
                    ok = number is not None and abs(number - value) <= 1e-12 * max(1, abs(value))
                elif isinstance(value, dict):
                    ok = text == "error: " + value["error"]
                else:
                    ok = text == ("" if value is None else str(value))
                if not ok:
                    problems.append(f"{name}.{kpi}: LibreOffice reads {text!r} for {value!r}")
        if len(lines) - 1 != len(rows):
            problems.append(f"{name}.{kpi}: LibreOffice reads {len(lines) - 1} rows, not {len(rows)}")
    return problems


def main():
    kipi, out = sys.argv[1], os.path.abspath(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    office = shutil.which("soffice") is not None
    problems, checked = [], 0
    for name, arguments in examples():
        path = os.path.join(out, name + ".xlsx")
        report = subprocess.run([kipi, "report"] + arguments + ["-o", path], capture_output=True, text=True)
        if report.returncode != 0:
            problems.append(f"{name}: kipi report exited {report.returncode}: {report.stderr}")
            continue
        results = json.loads(subprocess.run([kipi, "eval"] + arguments + ["--format", "json"], capture_output=True, text=True).stdout)
        problems += check_openpyxl(name, path, results)
        if office:
            problems += check_libreoffice(name, path, results, out)
        checked += 1
    for problem in problems[:200]:
        print(problem)
    print(f"{checked} workbooks read back{' by openpyxl and LibreOffice' if office else ' by openpyxl (no LibreOffice on PATH)'}, {len(problems)} problems")
    sys.exit(1 if problems or checked == 0 else 0)


if __name__ == "__main__":
    main()
