"""Reading input files into a private in-memory DuckDB and validating them (used by :mod:`._ingest`).

Raw values only ever live in an in-memory DuckDB connection whose spilling to disk is switched off
(``temp_directory = ''``): nothing raw reaches the database file, a temp file or a log. Every problem
is collected as a :class:`Problem` naming the file, the column and the row (1-based data row, the
header not counted) where it applies; problem messages never quote a direct identifier or a
sensitive value.

SQL note: the f-strings below only splice ``quote_ident(...)`` results, internal aliases
(``c0``, ``raw_0``...) and fixed fragments; every value is a bound parameter.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from analysis.dictionary import ColumnSpec, Dictionary
from analysis.store._gateway import execute, quote_ident, run, run_scalar

__all__ = ["Problem", "Source", "typed_sql", "hmac_sql", "bool_value", "scan_and_load", "validate"]

#: text accepted for a boolean, lower-cased and trimmed (project convention)
BOOL_TRUE = ("true", "yes", "1", "y")
BOOL_FALSE = ("false", "no", "0", "n")
#: how many example rows a problem message lists (the count is always given)
EXAMPLE_ROWS = 5
_CHUNK = 1 << 23  # 8 MiB per read when hashing and checking the bytes of a file
_INT_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER"}
_PARQUET_SUFFIXES = {".parquet", ".pq", ".parq"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input; ``column`` and ``row`` are None where they do not apply."""

    file: str
    column: str | None
    row: int | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        return f"{', '.join(where)}: {self.message}"


@dataclass
class Source:
    """One input file, loaded as ``memory.raw_<index>`` with dictionary column j as ``c<j>``."""

    index: int
    path: Path
    name: str
    fmt: str = "csv"
    sha256: str = ""
    rows: int = 0
    #: dictionary column name -> DuckDB type of the loaded column (VARCHAR for CSV)
    present: dict[str, str] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()
    loaded: bool = False
    #: rows dropped because of erasure
    dropped: int = 0

    @property
    def table(self) -> str:
        return f"memory.main.raw_{self.index}"


def bool_value(text: str) -> str | None:
    """'true'/'false' for a text the ingest accepts as a boolean, else None."""
    t = text.strip().lower()
    return "true" if t in BOOL_TRUE else "false" if t in BOOL_FALSE else None


def typed_sql(ref: str, ctype: str | None, src_type: str) -> str:
    """SQL turning column ``ref`` (of DuckDB type ``src_type``) into the dictionary type; NULL when it cannot."""
    if ctype is None:
        return ref
    if ctype in ("text", "category"):
        return ref if src_type == "VARCHAR" else f"CAST({ref} AS VARCHAR)"
    if ctype == "integer":
        if src_type in _INT_TYPES:
            return f"TRY_CAST({ref} AS BIGINT)"
        as_double = f"TRY_CAST({ref} AS DOUBLE)"  # '2.0' and '1e3' are integers, '1.5' is not
        return f"(CASE WHEN {as_double} = round({as_double}) THEN TRY_CAST({ref} AS BIGINT) END)"
    if ctype == "float":
        return f"TRY_CAST({ref} AS DOUBLE)"
    if ctype == "boolean":
        if src_type == "BOOLEAN":
            return ref
        text = f"lower(trim(CAST({ref} AS VARCHAR)))"
        yes = ", ".join(f"'{v}'" for v in BOOL_TRUE)  # fixed constants, not user data
        no = ", ".join(f"'{v}'" for v in BOOL_FALSE)
        return f"(CASE WHEN {text} IN ({yes}) THEN true WHEN {text} IN ({no}) THEN false END)"
    if ctype == "date":
        return f"TRY_CAST({ref} AS DATE)"
    if ctype == "timestamp":
        return f"TRY_CAST({ref} AS TIMESTAMP)"
    raise ValueError(f"Unknown column type {ctype!r}.")


def hmac_sql(ref: str) -> str:
    """HMAC-SHA256 of ``CAST(ref AS VARCHAR)`` as 32 lowercase hex, key blocks bound as $pl_ipad / $pl_opad.

    ``H((K xor opad) || H((K xor ipad) || m))`` (RFC 2104), with DuckDB's ``sha256`` on BLOBs.
    """
    inner = f"unhex(sha256($pl_ipad || encode(CAST({ref} AS VARCHAR))))"
    return f"left(sha256($pl_opad || {inner}), 32)"


def column_type(spec: ColumnSpec, dictionary: Dictionary) -> str | None:
    """The type a column is checked and stored as (the erased flag is always a boolean)."""
    return "boolean" if spec.name == dictionary.erased else spec.type


def shows_values(spec: ColumnSpec) -> bool:
    """Whether a problem message may quote a value of this column (never direct identifiers or sensitive data)."""
    return spec.role not in ("direct_identifier", "sensitive")


def _short_error(exc: Exception) -> str:
    """DuckDB's message without the echoed line of data (which may hold personal data) and settings dump."""
    keep = []
    for line in str(exc).splitlines():
        if not line.strip():
            break
        if line.startswith("Original Line"):
            continue
        keep.append(line.strip())
    return " ".join(keep)[:400]


def _scan_bytes(src: Source, check_text: bool) -> list[Problem]:
    """sha256 of the file, and for text: UTF-8 validity and NUL bytes, with the byte offset and line."""
    problems: list[Problem] = []
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = newlines = 0
    utf8_ok = nul_ok = True
    with src.path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            if check_text and (utf8_ok or nul_ok):
                if nul_ok and (at := chunk.find(b"\x00")) >= 0:
                    nul_ok = False
                    line = newlines + chunk.count(b"\n", 0, at) + 1
                    problems.append(Problem(src.name, None, None, f"contains a NUL byte at byte offset {offset + at} "
                                            f"(line {line}): not a text CSV file"))
                if utf8_ok:
                    try:
                        decoder.decode(chunk, final=False)
                    except UnicodeDecodeError as exc:
                        utf8_ok = False
                        line = newlines + chunk.count(b"\n", 0, exc.start) + 1
                        problems.append(Problem(src.name, None, None, f"not UTF-8: invalid byte at byte offset "
                                                f"{offset + exc.start} (line {line}); save the file as UTF-8"))
                newlines += chunk.count(b"\n")
            offset += len(chunk)
    if check_text and utf8_ok:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            problems.append(Problem(src.name, None, None, f"not UTF-8: the file ends inside a character "
                                    f"(byte offset {offset - 1})"))
    src.sha256 = digest.hexdigest()
    return problems


def _duplicate_header_names(src: Source, dictionary: Dictionary) -> list[Problem]:
    """DuckDB renames a repeated header name (``age``, ``age_1``): refuse it instead of guessing."""
    opts = dictionary.csv_options
    quote = opts.get("quote", '"')
    with src.path.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
        names = next(csv.reader(fh, delimiter=opts.get("delimiter", ","), quotechar=quote or None), [])
    seen: set[str] = set()
    problems = []
    for name in names:
        if name in seen:
            problems.append(Problem(src.name, name, None, f"the header names column {name!r} more than once"))
        seen.add(name)
    return problems


def _diagnose_csv(src: Source, dictionary: Dictionary) -> list[Problem]:
    """When DuckDB cannot read a CSV: find the rows whose field count differs from the header's (Python csv).

    Only runs on the error path. Messages give row numbers (1-based data rows), never the row's content.
    """
    opts = dictionary.csv_options
    quote = opts.get("quote", '"')
    escape = opts.get("escape")
    header = bool(opts.get("header", True))
    problems: list[Problem] = []
    bad: list[tuple[int, int]] = []
    expected = None
    try:
        with src.path.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
            reader = csv.reader(fh, delimiter=opts.get("delimiter", ","), quotechar=quote or None,
                                doublequote=escape in (None, quote), escapechar=None if escape in (None, quote) else escape,
                                strict=True)
            record_start = 1
            for index, record in enumerate(reader):
                record_start = reader.line_num + 1  # the next record begins on the following line
                if expected is None:
                    expected = len(record)
                    if header:
                        continue
                if len(record) != expected and record:
                    bad.append((index + (0 if header else 1), len(record)))
    except csv.Error as exc:
        row = record_start - (1 if header else 0)
        problems.append(Problem(src.name, None, row, f"malformed CSV from line {record_start}: {exc} "
                                "(an unclosed quote?)"))
    if bad:
        shown = ", ".join(f"row {r} has {n}" for r, n in bad[:EXAMPLE_ROWS])
        problems.insert(0, Problem(src.name, None, bad[0][0], f"{len(bad)} row(s) do not have the {expected} "
                                   f"fields of the header: {shown}"))
    return problems


def _reader(src: Source, dictionary: Dictionary) -> tuple[str, dict[str, Any]]:
    """The table-function call reading a file, and its bound parameters."""
    if src.fmt == "parquet":
        return "read_parquet($pl_file)", {"pl_file": str(src.path)}
    opts = dictionary.csv_options
    quote = opts.get("quote", '"')
    # Pin the dialect: DuckDB's sniffer would otherwise guess skip_rows (taking a later, wider row as the
    # header), a comment character ('#': rows starting with it silently dropped) and a backslash escape.
    params: dict[str, Any] = {"pl_file": str(src.path), "pl_delim": opts.get("delimiter", ","), "pl_quote": quote,
                              "pl_escape": opts.get("escape", quote), "pl_header": bool(opts.get("header", True))}
    call = ("read_csv($pl_file, delim=$pl_delim, quote=$pl_quote, escape=$pl_escape, header=$pl_header, "
            "skip=0, comment='', all_varchar=true")
    for field_name, arg in (("null", "nullstr"), ("encoding", "encoding")):
        if field_name in opts:
            call += f", {arg}=$pl_{arg}"
            params[f"pl_{arg}"] = opts[field_name]
    return call + ")", params


def _header_hint(name: str, file_columns: list[str]) -> str:
    similar = [c for c in file_columns if c.strip().lower() == name.strip().lower()]
    if similar:
        return f"; the file has {similar[0]!r} (names must match exactly)"
    shown = ", ".join(repr(c) for c in file_columns[:8]) + (", ..." if len(file_columns) > 8 else "")
    hint = f"; the file has {len(file_columns)} column(s): {shown}"
    if len(file_columns) == 1:
        hint += " (is the delimiter right?)"
    return hint


def scan_and_load(con: duckdb.DuckDBPyConnection, dictionary: Dictionary, src: Source) -> list[Problem]:
    """Hash and check the bytes of one file, then load its dictionary columns into ``memory.raw_<i>``."""
    if not src.path.is_file():
        return [Problem(src.name, None, None, "file not found")]
    with src.path.open("rb") as fh:
        magic = fh.read(4)
    src.fmt = "parquet" if src.path.suffix.lower() in _PARQUET_SUFFIXES or magic == b"PAR1" else "csv"
    encoding = str(dictionary.csv_options.get("encoding", "utf-8")).lower().replace("_", "-")
    problems = _scan_bytes(src, check_text=src.fmt == "csv" and encoding in ("utf-8", "utf8"))
    if src.path.stat().st_size == 0:
        return problems + [Problem(src.name, None, None, "the file is empty")]
    if problems:
        return problems
    call, params = _reader(src, dictionary)
    kind = "Parquet" if src.fmt == "parquet" else "CSV"
    try:
        described = run(con, f"DESCRIBE SELECT * FROM {call}", params)
    except duckdb.Error as exc:
        found = _diagnose_csv(src, dictionary) if src.fmt == "csv" else []
        return found or [Problem(src.name, None, None, f"cannot be read as {kind}: {_short_error(exc)}")]
    file_cols = described["column_name"].to_list()
    file_types = dict(zip(file_cols, described["column_type"].to_list()))
    header = src.fmt == "parquet" or bool(dictionary.csv_options.get("header", True))
    if src.fmt == "csv" and header:
        problems += _duplicate_header_names(src, dictionary)
        if problems:
            return problems
    wanted = list(dictionary.column_names)
    if not header:  # no header line: the dictionary declares the columns in file order
        file_types = {w: file_types[f] for w, f in zip(wanted, file_cols)}
        mapping = dict(zip(wanted, file_cols))
    else:
        mapping = {w: w for w in wanted if w in file_types}
    for j, name in enumerate(wanted):
        if name not in mapping:
            problems.append(Problem(src.name, name, None, "column is missing" + _header_hint(name, file_cols)))
    src.skipped = tuple(c for c in file_cols if c not in set(mapping.values()))
    src.present = {w: file_types[mapping[w]] for w in wanted if w in mapping}
    select = ", ".join(f"{quote_ident(mapping[w])} AS c{wanted.index(w)}" for w in src.present) or "NULL AS c_none"
    try:
        execute(con, f"CREATE TABLE raw_{src.index} AS SELECT {select} FROM {call}", params)
        src.rows = int(run_scalar(con, f"SELECT count(*) FROM raw_{src.index}"))
    except duckdb.OutOfMemoryException:
        raise MemoryError(f"{src.name} does not fit in memory for validation (raw values are never spilled "
                          "to disk); split the file and ingest the parts with replace=False.") from None
    except duckdb.Error as exc:
        found = _diagnose_csv(src, dictionary) if src.fmt == "csv" else []
        return problems + (found or [Problem(src.name, None, None, f"cannot be read as {kind}: {_short_error(exc)}")])
    src.loaded = True
    if src.rows == 0:
        problems.append(Problem(src.name, None, None, "no data rows (the file has only a header)"))
    return problems


def _rows_text(rows: list[int], count: int) -> str:
    shown = ", ".join(str(r) for r in rows)
    return f"row {shown}" if count == 1 else f"{count} rows, first at rows {shown}"


def _file_checks(con: duckdb.DuckDBPyConnection, d: Dictionary, src: Source) -> list[Problem]:
    """Values not of their type and empty keys, in one pass over one file."""
    cols = list(d.column_names)
    parts: list[str] = []
    checks: list[tuple[str, ColumnSpec, str]] = []  # (alias, column, what is wrong)
    for name, src_type in src.present.items():
        j = cols.index(name)
        spec = d.columns[j]
        ctype = column_type(spec, d)
        failing = []
        if ctype not in (None, "text", "category"):
            failing.append((f"t{j}", f"(c{j} IS NOT NULL AND {typed_sql(f'c{j}', ctype, src_type)} IS NULL)", ctype))
        if name == d.key:
            failing.append((f"k{j}", f"(c{j} IS NULL)", ""))
        for alias, fail, what in failing:
            parts.append(f"count_if({fail}) AS n_{alias}, min(rowid + 1, {EXAMPLE_ROWS}) FILTER (WHERE {fail}) "
                         f"AS r_{alias}, arg_min(CAST(c{j} AS VARCHAR), rowid) FILTER (WHERE {fail}) AS v_{alias}")
            checks.append((alias, spec, what))
    if not parts:
        return []
    res = run(con, f"SELECT {', '.join(parts)} FROM raw_{src.index}").row(0, named=True)
    problems = []
    for alias, spec, ctype in checks:
        n = int(res[f"n_{alias}"] or 0)
        if not n:
            continue
        rows = sorted(res[f"r_{alias}"])
        if not ctype:
            what = f"the key is empty ({_rows_text(rows, n)}); every row needs a key"
        else:
            what = f"{'a value is' if n == 1 else 'values are'} not {ctype} ({_rows_text(rows, n)})"
            if shows_values(spec):
                what += f", e.g. {res[f'v_{alias}'][:40]!r}"
            if ctype == "boolean":
                what += f"; accepted: {', '.join(BOOL_TRUE + BOOL_FALSE)} (any case)"
        problems.append(Problem(src.name, spec.name, rows[0], what))
    return problems


def _union(d: Dictionary, sources: list[Source], name: str) -> str | None:
    """SQL of (f, r, v): file index, 0-based row, typed value of column ``name`` over every loaded file."""
    j = d.column_names.index(name)
    ctype = column_type(d.columns[j], d)
    parts = [f"SELECT {s.index} AS f, rowid AS r, {typed_sql(f'c{j}', ctype, s.present[name])} AS v FROM {s.table}"
             for s in sources if s.loaded and name in s.present]
    return " UNION ALL ".join(parts) if parts else None


def _dataset_checks(con: duckdb.DuckDBPyConnection, d: Dictionary, sources: list[Source]) -> list[Problem]:
    """Checks over all files together: duplicate keys, binary outcomes, treatment arms."""
    problems: list[Problem] = []
    names = {s.index: s.name for s in sources}
    everyone = ", ".join(s.name for s in sources)
    if d.key is not None and d.entity == "customers" and (u := _union(d, sources, d.key)):
        dup = run(con, f"""WITH u AS ({u}),
            k AS (SELECT v FROM u WHERE v IS NOT NULL GROUP BY v HAVING count(*) > 1),
            d AS (SELECT list({{'f': f, 'r': r + 1}} ORDER BY f, r) AS occ FROM u SEMI JOIN k USING (v) GROUP BY v)
            SELECT occ[1:3] AS occ, count(*) OVER () AS total FROM d ORDER BY occ[1].f, occ[1].r LIMIT {EXAMPLE_ROWS}""")
        for i, row in enumerate(dup.iter_rows(named=True)):
            first, *others = row["occ"]
            again = ", ".join(f"{names[o['f']]} row {o['r']}" for o in others)
            msg = f"duplicate key: the key of {names[first['f']]} row {first['r']} appears again at {again}"
            if i == 0 and row["total"] > 1:
                msg += f" ({row['total']} keys are duplicated in all)"
            problems.append(Problem(names[others[0]["f"]], d.key, others[0]["r"], msg))
    for spec in d.columns:
        u = _union(d, sources, spec.name)
        if u is None:
            continue
        ctype = column_type(spec, d)
        if spec.role == "outcome" and (ctype in (None, "boolean", "category", "text") or spec.positive is not None):
            n, values = run(con, f"""WITH u AS ({u}) SELECT count(DISTINCT v) AS n,
                (SELECT list(x ORDER BY x) FROM (SELECT DISTINCT CAST(v AS VARCHAR) AS x FROM u
                 WHERE v IS NOT NULL ORDER BY x LIMIT 6)) AS vals FROM u""").row(0)
            shown = ", ".join(repr(v) for v in (values or [])[:5]) + (", ..." if n > 5 else "")
            if n != 2:
                problems.append(Problem(everyone, spec.name, None, f"outcome is not binary: it has {n} distinct "
                                        f"value(s) ({shown}); an outcome needs exactly 2"))
            positive = spec.positive
            if positive is not None and ctype == "boolean":
                positive = bool_value(positive) or positive
            if positive is not None and n >= 1 and positive not in (values or []) and n <= 5:
                problems.append(Problem(everyone, spec.name, None, f"the positive value {spec.positive!r} never "
                                        f"occurs (values: {shown})"))
        if spec.role == "treatment" and spec.control is not None:
            control = bool_value(spec.control) if ctype == "boolean" else spec.control
            n_control, n_treated = run(con, f"""WITH u AS ({u}) SELECT count_if(CAST(v AS VARCHAR) = $pl_control),
                count_if(CAST(v AS VARCHAR) <> $pl_control) FROM u""", {"pl_control": control}).row(0)
            if not n_control:
                problems.append(Problem(everyone, spec.name, None, f"no control rows: the control value "
                                        f"{spec.control!r} never occurs, so no effect can be measured"))
            if not n_treated:
                problems.append(Problem(everyone, spec.name, None, f"only control rows: every row has the control "
                                        f"value {spec.control!r}, so nobody was treated"))
    return problems


def validate(con: duckdb.DuckDBPyConnection, d: Dictionary, sources: list[Source]) -> list[Problem]:
    """Every problem of the loaded files (per file, then across files)."""
    problems: list[Problem] = []
    for src in sources:
        if src.loaded and src.rows:
            problems += _file_checks(con, d, src)
    if any(s.loaded and s.rows for s in sources):
        problems += _dataset_checks(con, d, sources)
    return problems


def erasure_keys(path: Path, d: Dictionary) -> tuple[pl.DataFrame, list[Problem]]:
    """The keys of an erasure list (one per line, blank lines ignored) as a one-column frame ``k``."""
    name = str(path)
    if d.key is None:
        return pl.DataFrame({"k": []}, schema={"k": pl.Utf8}), [Problem(
            name, None, None, f"an erasure list needs a key, and dataset {d.name!r} has none")]
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return pl.DataFrame(schema={"k": pl.Utf8}), [Problem(name, None, None, "file not found")]
    except UnicodeDecodeError as exc:
        return pl.DataFrame(schema={"k": pl.Utf8}), [Problem(name, None, None, f"not UTF-8: invalid byte at byte "
                                                             f"offset {exc.start}")]
    lines = pl.Series("k", text.splitlines(), dtype=pl.Utf8).str.strip_chars()
    frame = pl.DataFrame({"k": lines, "line": pl.int_range(1, len(lines) + 1, eager=True)})
    return frame.filter(pl.col("k") != ""), []
