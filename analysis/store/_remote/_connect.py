"""Connections to a warehouse source, read-only, through Ibis (its PostgreSQL and PySpark backends).

- ``postgresql://…`` (or ``postgres://…``, or a libpq ``key=value`` string): credentials come from the URL, the
  environment or libpq's usual files (``PGHOST``, ``PGUSER``, ``PGPASSWORD``, ``~/.pgpass``, ``PGSERVICE``); the
  session is opened with ``default_transaction_read_only=on``, so the server refuses any write.
- ``spark``: a SparkSession — the active one when there is one (a notebook, a Databricks job), else a new one
  with the master of ``--spark-master``, ``PRIVACYLIFT_SPARK_MASTER`` or ``local[2]``. Tables are read from its
  catalog, or from Parquet paths (``table = "/lake/crm/customers"``, read as session-local views); PrivacyLift
  writes nothing to the catalog or the files.

:func:`describe` names a source without its credentials (what reports, logs and errors show).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["ENV_SPARK_MASTER", "SourceError", "Connection", "connect", "describe", "is_warehouse"]

ENV_SPARK_MASTER = "PRIVACYLIFT_SPARK_MASTER"
#: PrivacyLift assumption (engineering): a local Spark uses 2 cores unless told otherwise
DEFAULT_SPARK_MASTER = "local[2]"
_PG = re.compile(r"^(postgres|postgresql)://", re.IGNORECASE)


class SourceError(ValueError):
    """A source that cannot be opened or read (the message never holds a credential)."""


def is_warehouse(source: str | None) -> bool:
    """Whether ``--source`` names a warehouse (PostgreSQL or Spark) rather than the DuckDB store."""
    if not source:
        return False
    return source.strip().lower() == "spark" or bool(_PG.match(source.strip())) or (
        "=" in source and "dbname" in source.lower())


def describe(source: str) -> str:
    """The source without credentials: ``postgresql (database crm on host db.internal)`` or ``spark (local[2])``."""
    s = source.strip()
    if s.lower() == "spark":
        return "spark"
    try:
        from psycopg.conninfo import conninfo_to_dict

        info = conninfo_to_dict(s)
    except Exception:  # noqa: BLE001 - an unparsable string is named by its kind only
        return "postgresql"
    parts = []
    if info.get("dbname"):
        parts.append(f"database {info['dbname']}")
    host = info.get("host")
    if host and not str(host).startswith("/"):
        parts.append(f"on host {host}")
    elif host:
        parts.append("over a local socket")
    return "postgresql" + (f" ({' '.join(parts)})" if parts else "")


@dataclass
class Connection:
    """An Ibis backend on a warehouse, and what kind it is (``postgresql`` or ``spark``)."""

    kind: str
    backend: Any
    description: str
    session: Any = None  #: the SparkSession (spark only)

    def close(self) -> None:
        if self.kind == "postgresql":
            try:
                self.backend.disconnect()
            except Exception:  # noqa: BLE001 - closing twice is harmless
                pass


def connect(source: str, *, spark_master: str | None = None) -> Connection:
    """Open ``source`` read-only (see the module docstring)."""
    s = source.strip()
    if s.lower() == "spark":
        return _spark(spark_master)
    if not is_warehouse(s):
        raise SourceError(f"--source {describe(s)!r} is neither a postgresql:// URL nor 'spark'.")
    return _postgres(s)


def _postgres(source: str) -> Connection:
    import ibis
    from psycopg.conninfo import conninfo_to_dict

    try:
        info = conninfo_to_dict(source)
    except Exception:  # noqa: BLE001 - the message could echo the string (and a password)
        raise SourceError("The PostgreSQL source is not a valid connection URL or string.") from None
    kwargs: dict[str, Any] = {}
    for ours, theirs in (("host", "host"), ("port", "port"), ("user", "user"), ("password", "password"),
                         ("database", "dbname")):
        if info.get(theirs) not in (None, ""):
            kwargs[ours] = int(info[theirs]) if ours == "port" else info[theirs]
    extra = {k: v for k, v in info.items() if k not in ("host", "port", "user", "password", "dbname")}
    # the server refuses every write of this session (INSERT, CREATE, even CREATE TEMP TABLE)
    options = (str(extra.pop("options", "")) + " -c default_transaction_read_only=on").strip()
    try:
        backend = ibis.postgres.connect(**kwargs, options=options, **extra)
    except Exception as exc:  # noqa: BLE001 - psycopg's message names host and user, never the password
        raise SourceError(f"Could not connect to {describe(source)}: {type(exc).__name__}.") from None
    return Connection("postgresql", backend, describe(source))


def _spark(master: str | None) -> Connection:
    import ibis

    try:
        from pyspark.sql import SparkSession
    except ImportError:  # pragma: no cover - pyspark is a runtime requirement
        raise SourceError("--source spark needs pyspark (pip install -r requirements.txt).") from None
    session = SparkSession.getActiveSession()
    if session is None:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        chosen = master or os.environ.get(ENV_SPARK_MASTER) or DEFAULT_SPARK_MASTER
        builder = (SparkSession.builder.master(chosen).appName("privacylift")
                   .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                   .config("spark.sql.session.timeZone", "UTC"))
        if chosen.startswith("local"):
            builder = (builder.config("spark.driver.host", "127.0.0.1")
                       .config("spark.driver.bindAddress", "127.0.0.1"))
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
    import ibis.backends.pyspark  # noqa: F401 - loads the pyspark compiler options (ibis to_sql needs them)

    return Connection("spark", ibis.pyspark.connect(session), f"spark ({session.sparkContext.master})", session)
