"""Writes SPEC v3's office-export fixtures (dates as every Excel writes them, report title lines,
numbers with both separators), some in the encodings the offices use:

    python3 Tests/Fixtures/make_office_fixtures_v3.py
"""
import os

here = os.path.dirname(os.path.abspath(__file__))


def write(name, text, encoding="utf-8"):
    with open(os.path.join(here, name), "wb") as out:
        out.write(text.encode(encoding))


# Chinese Excel: GB18030, yyyy/m/d with h:mm, yuan amounts with a thousands comma.
write("gb18030_slash_dates.csv", "用户,时间,金额\r\n王伟,2024/1/10 0:00,\"¥1,200\"\r\n李娜,2024/1/3 7:45,¥950\r\n张敏,2024/2/5 12:00,\"¥2,300\"\r\n",
      "gb18030")
# US Excel (month first: 1/25 settles it) and UK or Russian Excel (day first: 25/01 settles it).
write("us_dates.csv", "date,amount\n1/5/2024,10\n1/25/2024,20\n12/1/2023,5\n")
write("uk_dates.csv", "date,amount\n05/01/2024,10\n25/01/2024,20\n01/12/2023,5\n")
# Every day and month 12 or less: nothing in the column says which comes first.
write("ambiguous_dates.csv", "date,amount\n03/04/2024,1\n05/06/2024,2\n")
# Old 1C: dd.mm.yy, across Excel's two-digit-year boundary (29 → 2029, 30 → 1930).
write("dotted_two_digit_years.csv", "date;amount\n26.09.24;1\n31.12.29;2\n01.01.30;3\n")
# Excel's serial day numbers, as a column saved without its date format.
write("excel_serials.csv", "day,amount\n45292,1\n45322.5,2\n")
# A 1C report: three title lines above the header, Windows-1251, decimal commas with points.
write("1c_report_title_lines.csv",
      "Отчёт по продажам\r\nПериод: 01.01.2024 - 31.01.2024\r\n\r\nМенеджер;Сумма\r\nИванов;1.234,56\r\nПетрова;2 000,00\r\n", "cp1251")
# Both separators in one ',' file: quoted US thousands, and a decimal comma with point thousands.
write("both_separators.csv", "item,us,eu,yen\na,\"1,234.56\",\"1.234,56\",\"¥1,200\"\nb,12.5,\"2,5\",¥30\n")

# An Excel report: two title lines and an empty row above the header (pip install openpyxl).
try:
    import openpyxl
except ImportError:
    raise SystemExit("openpyxl is needed for the .xlsx fixture")
book = openpyxl.Workbook()
sheet = book.active
sheet.title = "Отчёт"
sheet.append(["Продажи за январь 2024"])
sheet.append(["Сформирован 01.02.2024"])
sheet.append([])
sheet.append(["Менеджер", "Сумма"])
sheet.append(["Иванов", 1234.56])
sheet.append(["Петрова", 2000])
book.save(os.path.join(here, "report_title_lines.xlsx"))
