"""Reading input files into a private in-memory DuckDB (used by :mod:`._ingest`; checked by :mod:`._ingest_checks`).

Raw values only ever live in an in-memory DuckDB connection whose spilling to disk is switched off
(``temp_directory = ''``): nothing raw reaches the database file, a temp file or a log. CSV (plain or gzip) and
Parquet are read; the bytes are hashed and, for text, checked (UTF-8, NUL bytes) first. Messages name the file,
the column and the row, never a cell's content: a header name is quoted only when it equals a dictionary name up
to case (any other may be a first line of data), and DuckDB's echo of a bad line is cut away.

SQL note: the f-strings below only splice ``quote_ident(...)`` results, internal aliases (``c0``, ``raw_0``...)
and fixed fragments; every value is a bound parameter.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from analysis.dictionary import Dictionary
from analysis.store._gateway import execute, quote_ident, run, run_scalar

__all__ = ["Problem", "Source", "scan_and_load", "EXAMPLE_ROWS"]

#: how many example rows a problem message lists (the count is always given)
EXAMPLE_ROWS = 5
_CHUNK = 1 << 23  # 8 MiB per read when hashing and checking the bytes of a file
_PARQUET_SUFFIXES = {".parquet", ".pq", ".parq"}
_GZIP_MAGIC = b"\x1f\x8b"

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
    #: gzip-compressed text (read by DuckDB with compression='gzip')
    gzip: bool = False
    #: things worth saying that do not stop the ingest (keys trimmed, keys equal up to case)
    warnings: list[str] = field(default_factory=list)

    @property
    def table(self) -> str:
        return f"memory.main.raw_{self.index}"


def _short_error(exc: Exception) -> str:
    """DuckDB's message without the echoed line of data (which may hold personal data, quoted newlines and all)
    and its settings dump: the lines before ``Original Line``, each cut short."""
    keep = []
    for line in str(exc).splitlines():
        if not line.strip() or line.startswith("Original Line"):
            break
        keep.append(line.strip()[:160])
    return " ".join(keep)[:400]


def _open_text(src: Source):
    """The file as text (UTF-8, BOM stripped, undecodable bytes replaced), decompressed when gzip."""
    raw = gzip.open(src.path, "rb") if src.gzip else src.path.open("rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


def _text_problems(src: Source, chunks, offset_word: str) -> list[Problem]:
    """UTF-8 validity and NUL bytes of a stream of byte chunks, with the offset and line of the first of each."""
    problems: list[Problem] = []
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = newlines = 0
    utf8_ok = nul_ok = True
    for chunk in chunks:
        if nul_ok and (at := chunk.find(b"\x00")) >= 0:
            nul_ok = False
            line = newlines + chunk.count(b"\n", 0, at) + 1
            problems.append(Problem(src.name, None, None, f"contains a NUL byte at {offset_word} {offset + at} "
                                    f"(line {line}): not a text CSV file"))
        if utf8_ok:
            try:
                decoder.decode(chunk, final=False)
            except UnicodeDecodeError as exc:
                utf8_ok = False
                line = newlines + chunk.count(b"\n", 0, exc.start) + 1
                problems.append(Problem(src.name, None, None, f"not UTF-8: invalid byte at {offset_word} "
                                        f"{offset + exc.start} (line {line}); save the file as UTF-8"))
        newlines += chunk.count(b"\n")
        offset += len(chunk)
        if not (utf8_ok or nul_ok):
            break
    if utf8_ok:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            problems.append(Problem(src.name, None, None, f"not UTF-8: the file ends inside a character "
                                    f"({offset_word} {offset - 1})"))
    return problems


def _chunks(fh):
    while chunk := fh.read(_CHUNK):
        yield chunk


def _scan_bytes(src: Source, check_text: bool) -> list[Problem]:
    """sha256 of the file, and for text: UTF-8 validity and NUL bytes, with the byte offset and line (of the
    decompressed text for a gzip file, which is read as such)."""
    digest = hashlib.sha256()
    problems: list[Problem] = []

    def hashed(fh):
        for chunk in _chunks(fh):
            digest.update(chunk)
            yield chunk

    with src.path.open("rb") as fh:
        if not check_text or src.gzip:
            for _ in hashed(fh):
                pass
        else:
            problems = _text_problems(src, hashed(fh), "byte offset")
            for _ in hashed(fh):  # the rest of the file, after the first problem
                pass
    if check_text and src.gzip:
        try:
            with gzip.open(src.path, "rb") as fh:
                problems = _text_problems(src, _chunks(fh), "offset (uncompressed)")
        except (OSError, EOFError) as exc:  # a damaged or truncated gzip stream
            problems = [Problem(src.name, None, None, f"looks like a gzip file but cannot be decompressed "
                                f"({exc}): compress it again, or save it uncompressed")]
    src.sha256 = digest.hexdigest()
    return problems


def _duplicate_header_names(src: Source, dictionary: Dictionary) -> list[Problem]:
    """DuckDB renames a repeated header name (``age``, ``age_1``): refuse it instead of guessing."""
    opts = dictionary.csv_options
    quote = opts.get("quote", '"')
    with _open_text(src) as fh:
        names = next(csv.reader(fh, delimiter=opts.get("delimiter", ","), quotechar=quote or None), [])
    wanted = set(dictionary.column_names)
    seen: set[str] = set()
    problems = []
    for name in names:
        # only names of the dictionary: a repeated value in a first line that is data is never echoed
        if name in seen and name in wanted:
            problems.append(Problem(src.name, name, None, f"the header names column {name!r} more than once"))
        seen.add(name)
    return list(dict.fromkeys(problems))


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
        with _open_text(src) as fh:
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
            "skip=0, comment='', all_varchar=true" + (", compression='gzip'" if src.gzip else ""))
    for field_name, arg in (("null", "nullstr"), ("encoding", "encoding")):
        if field_name in opts:
            call += f", {arg}=$pl_{arg}"
            params[f"pl_{arg}"] = opts[field_name]
    return call + ")", params


def _header_hint(name: str, file_columns: list[str]) -> str:
    """A hint for a missing column. It quotes a name of the file only when it equals the dictionary's up to
    case and spaces: any other header name may be a first line of data (a file without a header)."""
    similar = [c for c in file_columns if c.strip().lower() == name.strip().lower()]
    if similar:
        return f"; the file has {similar[0]!r} (names must match exactly)"
    return ""


def _most_columns_missing(src: Source, missing: list[str], wanted: list[str], file_columns: list[str]) -> Problem:
    """One problem when most of the dictionary's columns are not in the header: a wrong delimiter, or a file
    whose first line is data (its values are never quoted)."""
    shown = ", ".join(repr(c) for c in missing[:4]) + (", …" if len(missing) > 4 else "")
    hint = ("is the delimiter right?" if len(file_columns) == 1 else
            "does its first line name the columns? (for a file without a header line, set header = false "
            "under [dataset.csv] and declare the columns in file order)")
    which = ("every column is missing" if len(missing) == len(wanted) else
             f"{len(missing)} of the dictionary's {len(wanted)} columns are missing")
    return Problem(src.name, None, None, f"{which} from the file's header of {len(file_columns)} column(s) "
                   f"({shown}); {hint}")


def scan_and_load(con: duckdb.DuckDBPyConnection, dictionary: Dictionary, src: Source) -> list[Problem]:
    """Hash and check the bytes of one file, then load its dictionary columns into ``memory.raw_<i>``."""
    if not src.path.is_file():
        return [Problem(src.name, None, None, "file not found")]
    with src.path.open("rb") as fh:
        magic = fh.read(4)
    src.fmt = "parquet" if src.path.suffix.lower() in _PARQUET_SUFFIXES or magic == b"PAR1" else "csv"
    src.gzip = src.fmt == "csv" and magic.startswith(_GZIP_MAGIC)
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
    missing = [w for w in wanted if w not in mapping]
    if src.fmt == "csv" and header and len(missing) > len(wanted) / 2:  # its first line may be data
        problems.append(_most_columns_missing(src, missing, wanted, file_cols))
    else:
        for name in missing:
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
