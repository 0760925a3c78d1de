"""Validating loaded input files (used by :mod:`._ingest`; files are read by :mod:`._ingest_read`).

Every problem is collected as a :class:`Problem` naming the file, the column and the row (1-based data row,
the header not counted) where it applies; problem messages quote a cell only of a campaign-code column
(treatment, outcome, consent: :data:`VALUE_ROLES`), never of a column about a person.

Keys are normalized one documented way (:func:`key_sql`), and numbers must be written as numbers
(:data:`NUMBER_PATTERN`): values that DuckDB's casts would turn into something else, or that crash the models
later (NaN, infinities, empty treatments), are refused here.

SQL note: the f-strings below only splice ``quote_ident(...)`` results, internal aliases
(``c0``, ``raw_0``...) and fixed fragments; every value is a bound parameter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from analysis.dictionary import NUMERIC_TYPES, ColumnSpec, Dictionary
from analysis.pseudonym import hmac_pads
from analysis.store._gateway import quote_ident, run
from analysis.store._ingest_read import EXAMPLE_ROWS, Problem, Source, scan_and_load

__all__ = ["Problem", "Source", "typed_sql", "hmac_params", "hmac_sql", "key_sql", "erasure_token_sql", "bool_value",
           "scan_and_load", "validate", "join_problems"]

#: text accepted for a boolean, lower-cased and trimmed (project convention)
BOOL_TRUE = ("true", "yes", "1", "y")
BOOL_FALSE = ("false", "no", "0", "n")
_INT_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER"}
#: a number written as text: digits with an optional sign, decimal point and exponent. Anything else DuckDB's
#: cast would also accept ('1_0' = 10, '0x10' = 16, 'nan', 'inf', ' 1 2') is refused.
NUMBER_PATTERN = r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*"
#: roles whose values a problem message may quote: campaign codes and flags, not data about a person
VALUE_ROLES = ("treatment", "outcome", "consent")


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
        whole = f"{as_double} = round({as_double})"
        if src_type == "VARCHAR":
            whole = f"regexp_full_match({ref}, '{NUMBER_PATTERN}') AND {whole}"  # fixed pattern, not user data
        return f"(CASE WHEN {whole} THEN TRY_CAST({ref} AS BIGINT) END)"
    if ctype == "float":
        as_double = f"TRY_CAST({ref} AS DOUBLE)"
        finite = f"isfinite({as_double})"  # NaN and infinities crash the models later: refused here
        if src_type == "VARCHAR":
            finite = f"regexp_full_match({ref}, '{NUMBER_PATTERN}') AND {finite}"
        return f"(CASE WHEN {finite} THEN {as_double} END)"
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


def hmac_params(secret: bytes) -> dict[str, bytes]:
    """The bound parameters of :func:`hmac_sql`: the key blocks of ``secret``."""
    ipad, opad = hmac_pads(secret)
    return {"pl_ipad": ipad, "pl_opad": opad}


def hmac_sql(ref: str) -> str:
    """HMAC-SHA256 of ``CAST(ref AS VARCHAR)`` as 32 lowercase hex, key blocks bound as $pl_ipad / $pl_opad.

    ``H((K xor opad) || H((K xor ipad) || m))`` (RFC 2104), with DuckDB's ``sha256`` on BLOBs.
    """
    inner = f"unhex(sha256($pl_ipad || encode(CAST({ref} AS VARCHAR))))"
    return f"left(sha256($pl_opad || {inner}), 32)"


def key_sql(d: Dictionary, ref: str, src_type: str) -> str:
    """SQL of the key as stored before any pseudonym: typed, spaces around a text key removed (a blank key is
    NULL), and a key that is a direct identifier lower-cased too (so an erasure request written in other case
    finds it). The one normalization of keys, used for the data, for erasure lists and for joins."""
    spec = d.column(d.key)
    typed = typed_sql(ref, column_type(spec, d), src_type)
    if spec.type not in (None, "text", "category"):
        return typed
    text = f"nullif(trim(CAST({typed} AS VARCHAR)), '')"
    return f"lower({text})" if spec.role == "direct_identifier" else text


def erasure_token_sql(key_value: str) -> str:
    """SQL of what an erasure matches on, from a normalized key value: its text, lower-cased (erasure requests
    match keys whatever their case and surrounding spaces). ``_pl_erased`` holds the keyed pseudonym of it."""
    return hmac_sql(f"lower(CAST({key_value} AS VARCHAR))")


def column_type(spec: ColumnSpec, dictionary: Dictionary) -> str | None:
    """The type a column is checked and stored as (the erased flag is always a boolean)."""
    return "boolean" if spec.name == dictionary.erased else spec.type


def shows_values(spec: ColumnSpec) -> bool:
    """Whether a problem message may quote a value of this column: only campaign codes and flags
    (:data:`VALUE_ROLES`), never a value about a person (identifiers, quasi-identifiers, sensitive,
    behavioural data, keys)."""
    return spec.role in VALUE_ROLES


def _rows_text(rows: list[int], count: int) -> str:
    shown = ", ".join(str(r) for r in rows)
    return f"row {shown}" if count == 1 else f"{count} rows, first at rows {shown}"


def _file_checks(con: duckdb.DuckDBPyConnection, d: Dictionary, src: Source) -> list[Problem]:
    """Values not of their type, outside the declared values, empty keys and empty treatments, in one pass over
    one file (keys with spaces around them are noted in ``src.warnings``: they are trimmed)."""
    cols = list(d.column_names)
    parts: list[str] = []
    checks: list[tuple[str, ColumnSpec, str]] = []  # (alias, column, what is wrong)
    params: dict[str, Any] = {}
    for name, src_type in src.present.items():
        j = cols.index(name)
        spec = d.columns[j]
        ctype = column_type(spec, d)
        blank = f"nullif(trim(CAST(c{j} AS VARCHAR)), '') IS NULL"
        failing = []
        if ctype not in (None, "text", "category"):
            failing.append((f"t{j}", f"(c{j} IS NOT NULL AND {typed_sql(f'c{j}', ctype, src_type)} IS NULL"
                            + (f" AND NOT ({blank}))" if name == d.key else ")"), ctype))
        if name == d.key:
            failing.append((f"k{j}", f"({blank})", "key"))
            if spec.type in (None, "text", "category"):
                failing.append((f"s{j}", f"(CAST(c{j} AS VARCHAR) <> trim(CAST(c{j} AS VARCHAR)))", "spaces"))
        if spec.role == "treatment":
            failing.append((f"e{j}", f"({blank})", "treatment"))
        if spec.values and ctype in (None, "text", "category"):
            params[f"pl_values_{j}"] = list(spec.values)
            failing.append((f"d{j}", f"(c{j} IS NOT NULL AND NOT list_contains($pl_values_{j}, "
                            f"CAST(c{j} AS VARCHAR)))", "values"))
        for alias, fail, what in failing:
            parts.append(f"count_if({fail}) AS n_{alias}, min(rowid + 1, {EXAMPLE_ROWS}) FILTER (WHERE {fail}) "
                         f"AS r_{alias}, arg_min(CAST(c{j} AS VARCHAR), rowid) FILTER (WHERE {fail}) AS v_{alias}")
            checks.append((alias, spec, what))
    if not parts:
        return []
    res = run(con, f"SELECT {', '.join(parts)} FROM raw_{src.index}", params or None).row(0, named=True)
    problems = []
    for alias, spec, kind in checks:
        n = int(res[f"n_{alias}"] or 0)
        if not n:
            continue
        rows = sorted(res[f"r_{alias}"])
        value = res[f"v_{alias}"]
        example = f", e.g. {value[:40]!r}" if shows_values(spec) and value is not None else ""
        if kind == "spaces":
            src.warnings.append(f"{src.name}, column {spec.name!r}: {_rows_text(rows, n)} had spaces around the key; "
                                "they were removed (keys are compared without surrounding spaces)")
            continue
        if kind == "key":
            what = f"the key is empty or blank ({_rows_text(rows, n)}); every row needs a key"
        elif kind == "treatment":
            what = (f"the treatment is empty ({_rows_text(rows, n)}); every row needs its arm "
                    f"(the control value is {spec.control!r})")
        elif kind == "values":
            shown = ", ".join(repr(v) for v in spec.values[:8]) + (", …" if len(spec.values) > 8 else "")
            what = (f"{'a value is' if n == 1 else 'values are'} not among the declared values "
                    f"({_rows_text(rows, n)}){example}; declared: {shown}")
        else:
            what = f"{'a value is' if n == 1 else 'values are'} not {kind} ({_rows_text(rows, n)}){example}"
            if kind in NUMERIC_TYPES:
                what += " (numbers are digits with an optional sign, decimal point and exponent: no NaN, infinity, "
                what += "'_' or hex)"
            if kind == "boolean":
                what += f"; accepted: {', '.join(BOOL_TRUE + BOOL_FALSE)} (any case)"
        problems.append(Problem(src.name, spec.name, rows[0], what))
    return problems


def _union(d: Dictionary, sources: list[Source], name: str) -> str | None:
    """SQL of (f, r, v): file index, 0-based row, typed value of column ``name`` over every loaded file."""
    j = d.column_names.index(name)
    ctype = column_type(d.columns[j], d)

    def value(src: Source) -> str:
        if name == d.key:
            return key_sql(d, f"c{j}", src.present[name])
        return typed_sql(f"c{j}", ctype, src.present[name])

    parts = [f"SELECT {s.index} AS f, rowid AS r, {value(s)} AS v FROM {s.table}"
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
            if i == 0:
                msg += ("; keys are compared without surrounding spaces" +
                        (" and ignoring case (a direct identifier)" if d.column(d.key).role == "direct_identifier"
                         else ""))
            problems.append(Problem(names[others[0]["f"]], d.key, others[0]["r"], msg))
    if d.key is not None and d.column(d.key).type in (None, "text", "category") and (u := _union(d, sources, d.key)):
        n, n_lower = run(con, f"WITH u AS ({u}) SELECT count(DISTINCT v), count(DISTINCT lower(v)) FROM u").row(0)
        if n_lower < n:
            sources[0].warnings.append(
                f"{everyone}, column {d.key!r}: {n - n_lower} key(s) differ from another key only by upper/lower "
                "case; they are kept as different customers, but an erasure request matches keys ignoring case "
                "and would erase both")
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
    """The keys of an erasure list (one per line; empty lines ignored, a line of only spaces refused) as a frame
    ``k`` (the text of the line, normalized later like the data's keys: see :func:`key_sql`), ``line``."""
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
    lines = pl.Series("k", text.splitlines(), dtype=pl.Utf8)
    frame = pl.DataFrame({"k": lines, "line": pl.int_range(1, len(lines) + 1, eager=True)})
    blank = frame.filter((pl.col("k") != "") & (pl.col("k").str.strip_chars() == ""))["line"]
    problems = []
    if blank.len() and blank.len() < frame.filter(pl.col("k") != "").height:  # only blanks: simply no keys
        shown = ", ".join(str(x) for x in blank.head(EXAMPLE_ROWS).to_list())
        problems.append(Problem(name, d.key, None, f"{blank.len()} line(s) hold only spaces (lines {shown}): a key "
                                "cannot be blank; remove those lines or write the keys on them"))
    return frame.filter(pl.col("k").str.strip_chars() != ""), problems


def join_problems(con, d: Dictionary, others: list[Dictionary], min_share: float) -> list[Problem]:
    """A keyed dataset must join the keyed datasets already stored: a join matching (almost) nobody — keys
    pseudonymized on one side only, another key, another file — is an error, never a silent zero."""
    problems: list[Problem] = []
    if d.key is None:
        return problems
    mine = f"SELECT DISTINCT CAST({quote_ident(d.key)} AS VARCHAR) AS v FROM {quote_ident(d.name)}"
    for other in others:
        if other.key is None or other.name == d.name:
            continue
        theirs = f"SELECT DISTINCT CAST({quote_ident(other.key)} AS VARCHAR) AS v FROM {quote_ident(other.name)}"
        n_mine, n_theirs, matched = run(con, f"WITH a AS ({mine}), b AS ({theirs}) SELECT (SELECT count(*) FROM a), "
                                             "(SELECT count(*) FROM b), (SELECT count(*) FROM a SEMI JOIN b USING (v))"
                                        ).row(0)
        smaller = min(n_mine, n_theirs)
        if smaller and matched < min_share * smaller:
            share = f"{matched / smaller:.1%}".replace("0.0%", "0 %")
            problems.append(Problem(f"dictionary of {d.name!r}", d.key, None, (
                f"the key matches {matched:,} of the {smaller:,} keys of the smaller side of the join with dataset "
                f"{other.name!r} (key {other.key!r}), {share}: a join that matches (almost) nobody would turn their "
                "features into zeros. Check that both files hold the same customers' keys and that both "
                "dictionaries declare the key the same way")))
    return problems
