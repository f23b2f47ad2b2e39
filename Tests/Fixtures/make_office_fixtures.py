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
