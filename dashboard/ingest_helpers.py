"""Helpers of the Data page: read an upload's column names and types (never its values for display), build
a data dictionary from choices made in the page, and ingest into a new upload of this session
(:mod:`dashboard.uploads`: a random id, never the dataset's name; a random secret, never stored)."""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import tempfile
from pathlib import Path

import polars as pl

from analysis import Store
from analysis.dictionary import CATEGORIES, ROLES, TYPES, Dictionary, DictionaryError, parse_dictionary
from analysis import IngestError

from . import state, uploads

#: polars dtype → dictionary type
_TYPE_OF = {pl.Boolean: "boolean", pl.Date: "date", pl.String: "category"}


def sniff_delimiter(data: bytes) -> str:
    head = data[:4096].decode("utf-8", errors="replace")
    try:
        return csv.Sniffer().sniff(head.splitlines()[0] if head else ",", delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def read_sample(data: bytes, filename: str, *, delimiter: str | None = None) -> pl.DataFrame:
    """The first rows of an upload, to learn its columns and types (shown only as names and types)."""
    if filename.lower().endswith(".parquet"):
        return pl.read_parquet(io.BytesIO(data)).head(1000)
    return pl.read_csv(io.BytesIO(data), separator=delimiter or sniff_delimiter(data), n_rows=1000,
                       infer_schema_length=1000)


def guess_type(dtype: pl.DataType) -> str:
    if dtype.is_integer():
        return "integer"
    if dtype.is_float():
        return "float"
    if isinstance(dtype, pl.Datetime):
        return "timestamp"
    return _TYPE_OF.get(dtype, "category")


def column_plan(sample: pl.DataFrame) -> pl.DataFrame:
    """One row per column: its name, the type found, and editable role / category / type (no values)."""
    return pl.DataFrame({
        "column": sample.columns,
        "found type": [str(t) for t in sample.dtypes],
        "role": ["other"] * sample.width,
        "category": ["other"] * sample.width,
        "type": [guess_type(t) for t in sample.dtypes],
    })


def dictionary_toml(name: str, plan: pl.DataFrame, *, delimiter: str = ",", positive: str = "",
                    entity: str = "customers") -> str:
    """A data dictionary (TOML) from the page's choices."""
    lines = ["[dataset]", f"name = {json.dumps(name)}", f"entity = {json.dumps(entity)}",
             'description = "Uploaded in the PrivacyLift dashboard; dictionary built in the page."', "",
             "[dataset.csv]", f"delimiter = {json.dumps(delimiter)}", "header = true", ""]
    for row in plan.iter_rows(named=True):
        lines.append(f"[columns.{json.dumps(row['column'])}]")
        lines.append(f"role = {json.dumps(row['role'] or 'other')}")
        if row["category"] and row["role"] not in ("consent", "treatment", "outcome", "timestamp"):
            lines.append(f"category = {json.dumps(row['category'])}")
        if row["type"]:
            lines.append(f"type = {json.dumps(row['type'])}")
        if row["role"] == "outcome" and positive and row["type"] in ("category", "text"):
            lines.append(f"positive = {json.dumps(positive)}")
        lines.append("")
    return "\n".join(lines)


def problems_table(error: Exception, names: dict[str, str]) -> pl.DataFrame:
    """IngestError / DictionaryError problems as a table (file, column, row, what is wrong)."""
    if isinstance(error, IngestError):
        rows = [{"file": names.get(p.file, Path(p.file).name), "column": p.column,
                 "row": None if p.row is None else str(p.row), "problem": p.message} for p in error.problems]
    elif isinstance(error, DictionaryError):
        rows = [{"file": "data dictionary", "column": None, "row": None, "problem": str(p)}
                for p in error.problems]
    else:
        rows = [{"file": "", "column": None, "row": None, "problem": str(error)}]
    return pl.DataFrame(rows, schema={"file": pl.String, "column": pl.String, "row": pl.String,
                                      "problem": pl.String})


def safe_name(text: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", text.strip())[:64].strip("_-")
    return name if name and state.UPLOAD_NAME.match(name) else "dataset"


def ingest_upload(dictionary: Dictionary, files: list[tuple[str, bytes]]):
    """Write the uploads to a private temporary folder, ingest them (all or nothing) into a new upload owned by
    this session, delete the copies.

    Returns (database path, IngestReport); raises IngestError / DictionaryError (and then nothing is kept).
    """
    upload_id, target = uploads.new_upload(dictionary.name)
    try:
        return target, _ingest_into(target, dictionary, files)
    except BaseException:
        uploads.discard_upload(upload_id)
        raise


def _ingest_into(target: Path, dictionary: Dictionary, files: list[tuple[str, bytes]]):
    with tempfile.TemporaryDirectory(prefix="privacylift-upload-") as folder:
        paths, names = [], {}
        for i, (filename, data) in enumerate(files):
            suffix = ".parquet" if filename.lower().endswith(".parquet") else ".csv"
            path = Path(folder) / f"upload_{i}{suffix}"
            path.write_bytes(data)
            paths.append(path)
            names[str(path)] = filename
        try:
            # a one-off secret, never stored: nobody (not even this server) can link these pseudonyms back
            report = Store(target).ingest(dictionary, paths, secret=secrets.token_bytes(32))
        except IngestError as exc:
            exc.display_names = names
            raise
    return report


__all__ = ["ROLES", "CATEGORIES", "TYPES", "parse_dictionary", "DictionaryError", "IngestError"]
