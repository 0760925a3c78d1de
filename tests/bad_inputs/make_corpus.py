"""Re-creates the binary and derived files of the bad-input corpus (run once; the results are committed).

Run: ``.venv/bin/python tests/bad_inputs/make_corpus.py``. Text cases that are easier to read by hand are
written here too, so the whole corpus comes from one place. ``cases.toml`` lists what each must give.
The 10 MB single-field case is *not* written here: the test generates it into a temporary directory.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
HEADER = "customer_id,email,full_name,age,zip,signup,spend,opt_in,arm,converted"
ROWS = [
    "1,ana@example.org,Ana Lima,34,10115,2023-01-05,12.50,yes,email,true",
    "2,ben@example.org,Ben Stone,51,20095,2022-11-30,0,no,control,false",
    "3,cy@example.org,Cy Twombly,29,80331,2024-02-29,99.99,y,email,false",
    "4,dee@example.org,Dee Dee,42,50667,2021-07-14,5.25,n,control,true",
    "5,eve@example.org,Eve Adams,63,01067,2020-03-01,250,yes,email,true",
    "6,fay@example.org,Fay Wray,38,10115,2023-09-09,17,no,control,false",
]


def csv(name: str, rows: list[str], header: str = HEADER, *, newline: str = "\n") -> None:
    (HERE / name).write_bytes((newline.join([header, *rows]) + newline).encode("utf-8"))


def replace(row: int, field: int, value: str, rows: list[str] = ROWS) -> list[str]:
    """ROWS with field ``field`` (0-based) of data row ``row`` (1-based) replaced."""
    out = list(rows)
    parts = out[row - 1].split(",")
    parts[field] = value
    out[row - 1] = ",".join(parts)
    return out


def main() -> None:
    csv("good.csv", ROWS)
    csv("good_part1.csv", ROWS[:3])
    csv("good_part2_dupe.csv", [ROWS[3], ROWS[1].replace("ben@", "ben2@"), ROWS[5]])
    # loads fine
    (HERE / "bom.csv").write_bytes(b"\xef\xbb\xbf" + "\n".join([HEADER, *ROWS]).encode() + b"\n")
    csv("crlf.csv", ROWS, newline="\r\n")
    csv("quoted_newline.csv", replace(2, 2, '"Ben\nStone"'))
    csv("formula.csv", replace(1, 4, "\"=cmd|' /C calc'!A0\"", replace(2, 4, "+1+1", replace(3, 4, "@SUM(A1)",
        replace(4, 4, "-2+3", replace(5, 2, '"=HYPERLINK(""http://evil.example"",""x"")"'))))))
    # structure
    csv("wrong_delimiter.csv", [r.replace(",", ";") for r in ROWS], HEADER.replace(",", ";"))
    csv("missing_column.csv", [",".join(p for i, p in enumerate(r.split(",")) if i != 3) for r in ROWS],
        HEADER.replace(",age", ""))
    csv("renamed_column_case.csv", ROWS, HEADER.replace("age", "AGE"))
    csv("duplicate_header.csv", [r + ",99" for r in ROWS], HEADER + ",age")
    csv("ragged_rows.csv", replace(2, 9, "false,EXTRA,MORE"))
    csv("unclosed_quote.csv", replace(3, 2, '"Cy Twombly'))
    csv("header_only.csv", [])
    (HERE / "empty.csv").write_bytes(b"")
    (HERE / "blank_lines_only.csv").write_bytes(b"\n\n\n")
    # keys
    csv("duplicate_keys.csv", replace(5, 0, "2"))
    csv("empty_key.csv", replace(3, 0, ""))
    # types
    csv("wrong_type_integer.csv", replace(4, 3, "forty"))
    csv("wrong_type_integer_fraction.csv", replace(1, 3, "34.5"))
    csv("integer_overflow.csv", replace(2, 3, "99999999999999999999999"))
    csv("wrong_type_float.csv", replace(1, 6, "12.50.3"))
    csv("wrong_type_boolean.csv", replace(6, 7, "maybe"))
    csv("wrong_type_date.csv", replace(2, 5, "2023-02-30"))
    # bytes
    text = "\n".join([HEADER, *ROWS]) + "\n"
    (HERE / "non_utf8.csv").write_bytes(text.replace("Cy Twombly", "Zoé Twombly").encode("latin-1"))
    (HERE / "utf16.csv").write_bytes(text.encode("utf-16"))
    lines = text.encode().split(b"\n")
    lines[2] = lines[2].replace(b"ben@", b"be\x00n@")
    (HERE / "nul_bytes.csv").write_bytes(b"\n".join(lines))
    # campaign semantics
    csv("outcome_three_values.csv", replace(3, 9, "maybe"))
    csv("outcome_one_value.csv", [r.rsplit(",", 1)[0] + ",false" for r in ROWS])
    csv("treatment_no_control.csv", [r.replace(",control,", ",discount,") for r in ROWS])
    csv("treatment_only_control.csv", [r.replace(",email,", ",control,") for r in ROWS])
    # Parquet
    frame = pl.read_csv(HERE / "good.csv", schema_overrides={"zip": pl.Utf8})
    frame.rename({"customer_id": "id", "email": "mail", "age": "years"}).write_parquet(HERE / "wrong_schema.parquet")
    frame.with_columns(pl.col("age").cast(pl.Utf8).replace("51", "x")).write_parquet(HERE / "wrong_types.parquet")
    frame.write_parquet(HERE / "good.parquet")
    (HERE / "truncated.parquet").write_bytes((HERE / "good.parquet").read_bytes()[:-40])
    (HERE / "not_parquet.parquet").write_bytes(text.encode())
    (HERE / "good.parquet").unlink()
    # erasure lists
    (HERE / "erasure_latin1.txt").write_bytes("3\nZoé\n".encode("latin-1"))
    (HERE / "erasure_bad_key.txt").write_text("3\nabc\n\n5\n", encoding="utf-8")
    # names: SQL-like, unicode, internal parameter names
    sql_header = ['"id\') OR 1=1; --"', '"name""; DROP TABLE customers; --"', "年齢 âge 🙂", "?"]
    csv("sql_names.csv", ["1,Ana,34,x", "2,Ben,51,y"], ",".join(sql_header))
    csv("unicode_names.csv", ["1,Zoë,München,🙂", "2,Åsa,Zürich,☃"], "kundennummer,prénom,städt,表情")
    csv("dollar_names.csv", ["1,a", "2,b"], "$pl_ipad,v")
    csv("case_names.csv", ["1,2", "3,4"], "Age,age")
    csv("other_dataset.csv", ["x", "y"], "w")
    # --- issue 18: nothing raw slips in, values that would crash later, messages that never echo data
    csv("headerless.csv", ROWS[1:], ROWS[0])  # no header line: its first line is a customer
    import gzip as _gzip
    (HERE / "good.csv.gz").write_bytes(_gzip.compress(text.encode(), mtime=0))
    (HERE / "truncated.csv.gz").write_bytes(_gzip.compress(text.encode(), mtime=0)[:-30])
    csv("treatment_empty.csv", replace(4, 8, ""))
    csv("float_nan.csv", replace(2, 6, "nan"))
    csv("float_infinite.csv", replace(3, 6, "-inf"))
    csv("integer_underscore.csv", replace(5, 3, "6_3"))
    csv("integer_hex.csv", replace(1, 3, "0x22"))
    csv("key_blank.csv", replace(4, 0, "   "))
    csv("key_duplicate_after_trim.csv", replace(3, 0, " 1"))
    text_rows = [f"C{r}" for r in ROWS]  # text keys C1 … C6
    csv("text_keys.csv", text_rows)
    csv("text_keys_spaced.csv", [" " + r if i % 2 else r for i, r in enumerate(text_rows)])
    (HERE / "erasure_case_spaces.txt").write_text("C1 \nc3\n C5\n", encoding="utf-8")
    (HERE / "erasure_blank_line.txt").write_text("C1\n   \nC3\n", encoding="utf-8")
    csv("events_by_email.csv", ["ana@example.org,2024-01-01 10:00:00,visit",
                                "ben@example.org,2024-01-02 11:00:00,purchase"], "email,event_time,event_type")
    csv("other_keys.csv", [f"{100 + i},x" for i in range(1, 7)], "customer_id,segment")
    csv("arm_not_declared.csv", replace(2, 8, "sms"))
    # dictionaries that are not UTF-8 / have a BOM
    base = (HERE / "customers.toml").read_text(encoding="utf-8")
    (HERE / "dict_bom.toml").write_bytes(b"\xef\xbb\xbf" + base.encode())
    (HERE / "dict_non_utf8.toml").write_bytes(base.replace('name = "customers"', 'name = "client\u00e8le"')
                                              .encode("latin-1"))
    (HERE / "dict_empty.toml").write_bytes(b"")


if __name__ == "__main__":
    main()
