"""Real warehouse components for the tests: a throwaway PostgreSQL cluster and a local SparkSession.

Both are session-scoped (a Spark start costs 8–12 s) and their tests are marked ``postgres`` / ``spark`` so they
can be deselected (``-m "not postgres and not spark"``). Loading a synthetic CRM into them is
:func:`load_postgres` / :func:`load_spark` (test set-up only: PrivacyLift itself never writes to a warehouse).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import polars as pl
import pytest

#: the synthetic CRM's datasets and the warehouse tables they are loaded into
TABLES = {"crm_customers": "customers", "crm_campaign": "campaign", "crm_events": "events"}


def _pg_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return os.path.dirname(found[-1]) if found else None


@pytest.fixture(scope="session")
def pg_socket_dir():
    """A throwaway cluster (initdb into a temp dir, a Unix socket, no TCP); yields the socket directory."""
    pgbin = _pg_bin()
    if pgbin is None:
        pytest.skip("PostgreSQL server not installed (apt-get install postgresql)")
    d = tempfile.mkdtemp(prefix="pgtest-", dir="/tmp")  # not tmp_path: /tmp/pytest-of-root is 0700
    as_user: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        shutil.chown(d, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data = os.path.join(d, "data")
    subprocess.run(as_user + [f"{pgbin}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                              "--locale=C.UTF-8", "--no-sync"], check=True, capture_output=True)
    subprocess.run(as_user + [f"{pgbin}/pg_ctl", "-D", data, "-l", os.path.join(d, "server.log"), "-w", "-t", "30",
                              "-o", f"-k {d} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
                                    " -c full_page_writes=off", "start"], check=True, capture_output=True)
    try:
        yield d
    finally:
        subprocess.run(as_user + [f"{pgbin}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(d, ignore_errors=True)


def pg_url(socket_dir: str, database: str = "postgres") -> str:
    return f"postgresql://postgres@/{database}?host={socket_dir}"


def load_postgres(socket_dir: str, database: str, frames: dict[str, pl.DataFrame]) -> None:
    """Create ``database`` with schema ``crm`` and one table per frame (COPY; test set-up only)."""
    import psycopg

    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{database}"')
    types = {pl.Int64: "bigint", pl.Int32: "integer", pl.Float64: "double precision", pl.Boolean: "boolean",
             pl.String: "text", pl.Date: "date"}
    with psycopg.connect(host=socket_dir, user="postgres", dbname=database, autocommit=True) as c:
        c.execute("CREATE SCHEMA crm")
        for name, frame in frames.items():
            cols = ", ".join(f'"{col}" {"timestamp" if isinstance(t, pl.Datetime) else types.get(t, "text")}'
                             for col, t in frame.schema.items())
            c.execute(f'CREATE TABLE crm."{name}" ({cols})')
            with c.cursor().copy(f'COPY crm."{name}" FROM STDIN') as copy:
                for row in frame.iter_rows():
                    copy.write_row(row)


@pytest.fixture(scope="session")
def spark():
    """A local 2-core SparkSession (Java 17+), loopback only, 2 shuffle partitions."""
    if shutil.which("java") is None:
        pytest.skip("no java (apt-get install openjdk-17-jre-headless)")
    sql = pytest.importorskip("pyspark.sql")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    wh = tempfile.mkdtemp(prefix="spark-wh-")
    s = (sql.SparkSession.builder.master("local[2]").appName("privacylift-tests")
         .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
         .config("spark.sql.shuffle.partitions", "2")
         .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
         .config("spark.sql.warehouse.dir", os.path.join(wh, "warehouse"))
         .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={wh}")
         .config("spark.sql.session.timeZone", "UTC")
         .getOrCreate())
    s.sparkContext.setLogLevel("ERROR")
    try:
        yield s
    finally:
        s.stop()
        shutil.rmtree(wh, ignore_errors=True)


def load_spark(session, folder: Path, frames: dict[str, pl.DataFrame], database: str = "crm") -> None:
    """Write each frame as Parquet and register it as a table ``database.name`` of the session's catalog."""
    session.sql(f"CREATE DATABASE IF NOT EXISTS {database}")
    for name, frame in frames.items():
        path = folder / f"{name}.parquet"
        frame.write_parquet(path)
        session.sql(f"CREATE TABLE IF NOT EXISTS {database}.{name} USING parquet LOCATION '{path}'")


def warehouse_dictionaries(files, folder: Path, *, prefix: str = "crm.", ground_truth: bool = True) -> list[Path]:
    """The generator's dictionaries with ``[dataset] table = "crm.<table>"`` (and the ground truth table)."""
    out = []
    for path in (files.customers_dictionary, files.campaign_dictionary, files.events_dictionary):
        text = path.read_text(encoding="utf-8")
        name = next(n for n in TABLES if f'name = "{n}"' in text)
        extra = f'table = "{prefix}{TABLES[name]}"\n'
        if ground_truth and name == "crm_customers":
            extra += f'ground_truth = "{prefix}ground_truth"\n'
        target = folder / path.name
        target.write_text(text.replace("[dataset]\n", "[dataset]\n" + extra, 1), encoding="utf-8")
        out.append(target)
    return out


def crm_frames(files) -> dict[str, pl.DataFrame]:
    """The generated CRM as frames named like the warehouse tables (ground truth included)."""
    def read(path):
        return pl.read_parquet(path) if str(path).endswith(".parquet") else pl.read_csv(path, try_parse_dates=True)

    return {"customers": read(files.customers), "campaign": read(files.campaign), "events": read(files.events),
            "ground_truth": read(files.ground_truth)}
