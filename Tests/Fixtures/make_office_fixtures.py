"""Writes the office-export fixtures whose bytes are not UTF-8, so they are made, not typed:

    python3 Tests/Fixtures/make_office_fixtures.py
"""
import os

here = os.path.dirname(os.path.abspath(__file__))


def write(name, data):
    with open(os.path.join(here, name), "wb") as out:
        out.write(data)


# 1C / Russian Excel: Windows-1251, ';', decimal commas with space thousands.
write("cp1251_semicolon.csv", "Менеджер;Сумма;Дата\r\nИванов;1 234,56;28.05.2024 15:28\r\nПетрова;100;29.05.2024\r\n".encode("cp1251"))
# Excel's "Unicode text": UTF-16LE with a byte order mark, tab-separated.
write("utf16_unicode_text.txt", "\ufeffmanager\tamount\r\nAnn\t10,5\r\nBob\t5\r\n".encode("utf-16-le"))
# Chinese Excel: GB18030 with Chinese headers.
write("gb18030_chinese.csv", "经理,金额\r\n王伟,100\r\n李娜,250.5\r\n".encode("gb18030"))
# Every null token and currency form.
write(
    "nulls_and_currency.csv",
    "item;price;rate\n"
    "a;$530;#N/A\n"
    "b;1 234,56 ₽;#Н/Д\n"
    "c;¥1200;N/A\n"
    "d;€ 5;n/a\n"
    "e;#DIV/0!;NULL\n"
    "f;#ДЕЛ/0!;12,5%\n".encode("utf-8"),
)

# Workbooks, written by the spreadsheet libraries people use (pip install openpyxl xlsxwriter),
# only when they are installed: the committed files are what the tests read.
try:
    import datetime
    import openpyxl
    import xlsxwriter
except ImportError:
    raise SystemExit("openpyxl and xlsxwriter are needed for the .xlsx fixtures")

# openpyxl: several sheets with a Cyrillic name first; dates, text, numbers, booleans, an empty
# column, a missing row, error cells, numbers 1C stored as text, and a formula saved without a value.
book = openpyxl.Workbook()
sales = book.active
sales.title = "Продажи"
sales.append(["Дата", "Менеджер", "Сумма", None, "Выиграна", "Комментарий"])
rows = [
    (datetime.date(2024, 1, 15), "Иванов", 1200.5, True, "первая"),
    (datetime.date(2024, 2, 29), "Петрова", 800, False, None),
    None,  # a row that is not in the sheet at all
    (datetime.date(2024, 3, 1), "Иванов", 0.1, True, "строка\nс переносом"),
    (datetime.date(1900, 2, 10), "Сидоров", -50, False, "#N/A"),
]
for number, row in enumerate(rows, start=2):
    if row is None:
        continue
    date, manager, amount, won, comment = row
    for column, value in zip("ABCEF", (date, manager, amount, won, comment)):
        sales[f"{column}{number}"] = value
    sales[f"A{number}"].number_format = "dd.mm.yyyy"
plans = book.create_sheet("Plans")
plans.append(["manager", "plan", "as text", "errors"])
plans.append(["Иванов", 1000, "1 234,56", 5])
plans.append(["Петрова", 900, "100", "#DIV/0!"])
plans.append(["Сидоров", 10, "-7,5", "#N/A"])
unsaved = book.create_sheet("Unsaved")
unsaved.append(["a", "b"])
unsaved.append([1, "=A2*2"])
book.save(os.path.join(here, "workbook_openpyxl.xlsx"))

# xlsxwriter: formulas with their cached values, date-times, and the 1904 date system.
book = xlsxwriter.Workbook(os.path.join(here, "workbook_xlsxwriter.xlsx"), {"date_1904": True})
sheet = book.add_worksheet("Calls")
stamp = book.add_format({"num_format": "dd.mm.yyyy hh:mm"})
sheet.write_row(0, 0, ["opened", "closed", "hours", "operator"])
calls = [
    (datetime.datetime(2024, 5, 28, 15, 28), datetime.datetime(2024, 5, 28, 18, 58), "Ann"),
    (datetime.datetime(2024, 5, 29, 9, 0), datetime.datetime(2024, 5, 30, 9, 30), "Bob"),
]
for number, (opened, closed, operator) in enumerate(calls, start=1):
    sheet.write_datetime(number, 0, opened, stamp)
    sheet.write_datetime(number, 1, closed, stamp)
    hours = (closed - opened).total_seconds() / 3600
    sheet.write_formula(number, 2, f"=(B{number + 1}-A{number + 1})*24", None, hours)
    sheet.write_string(number, 3, operator)
book.close()
