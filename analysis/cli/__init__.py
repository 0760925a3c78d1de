"""Command line: ``python -m analysis <command> …`` (ingest, generate, simulate, risk, report, verify, review,
erase, notice).

Errors a user can act on are printed as one clear message on stderr with exit code 2; nothing raw (no
customer values) is ever printed.
"""

from __future__ import annotations

import argparse
from importlib import import_module
from typing import Sequence

from analysis.cli._common import _err

__all__ = ["main"]


#: command → "module:function"; a command's module (and what it imports) loads only when that command runs,
#: so ``python -m analysis risk --help`` never loads scikit-learn, diffprivlib or plotly.
COMMANDS = {
    "ingest": "data:cmd_ingest",
    "generate": "data:cmd_generate",
    "risk": "data:cmd_risk",
    "simulate": "scenarios:cmd_simulate",
    "report": "reports:cmd_report",
    "verify": "reports:cmd_verify",
    "review": "reports:cmd_review",
    "erase": "erase:cmd_erase",
    "notice": "notice:cmd_notice",
}


def _command(name: str):
    module, function = COMMANDS[name].split(":")
    return getattr(import_module(f"analysis.cli.{module}"), function)


# ---- parser --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis", description="PrivacyLift: personalization vs privacy.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("ingest", help="load CSV/Parquet files described by a data dictionary into DuckDB")
    s.add_argument("--db", required=True)
    s.add_argument("--dictionary", required=True)
    s.add_argument("--erasure-list", help="file of customer keys (one per line) who asked for erasure")
    s.add_argument("--json", action="store_true")
    s.add_argument("files", nargs="+")
    s.set_defaults(command_name="ingest")

    s = sub.add_parser("generate", help="write a synthetic CRM with known ground truth")
    s.add_argument("--customers", type=int, default=50_000)
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--out", required=True)
    s.add_argument("--db", help="also ingest what was generated into this database")
    s.set_defaults(command_name="generate")

    def business(sp):
        sp.add_argument("--assumptions", help="TOML file overriding breach/trust assumptions")
        sp.add_argument("--value-per-conversion", type=float, default=40.0,
                        help="contribution margin of one extra conversion, USD (assumption: 40)")
        sp.add_argument("--campaigns-per-year", type=int, default=12,
                        help="personalized campaigns a year (assumption: 12)")
        sp.add_argument("--horizon", type=int, default=3, choices=(1, 3))

    def source(sp):
        sp.add_argument("--source", help="where the CRM lives: the DuckDB store (default, --db), "
                        "postgresql://… (credentials from the URL, PG* environment variables or ~/.pgpass; never "
                        "logged) or spark (a local SparkSession, or --spark-master); read-only")
        sp.add_argument("--dictionary", action="append", default=[],
                        help="with --source: a data dictionary naming its warehouse table ([dataset] table); "
                             "once per dataset")
        sp.add_argument("--spark-master", help="with --source spark: the master URL (default: "
                        "PRIVACYLIFT_SPARK_MASTER or local[2])")

    s = sub.add_parser("simulate", help="run scenarios (default: the presets) and compare them")
    s.add_argument("--db", help="the PrivacyLift DuckDB store (or --source)")
    source(s)
    s.add_argument("--scenarios", help="TOML or JSON file of scenarios")
    s.add_argument("--json", action="store_true")
    business(s)
    s.set_defaults(command_name="simulate")

    s = sub.add_parser("risk", help="re-identification and disclosure profile of the stored customers")
    s.add_argument("--db", help="the PrivacyLift DuckDB store (or --source)")
    source(s)
    s.add_argument("--quasi", help="comma-separated quasi-identifiers (default: the dictionary's)")
    s.add_argument("--sensitive", help="comma-separated sensitive columns")
    s.add_argument("--threshold", type=float, default=0.2)
    s.add_argument("--population", type=int)
    s.add_argument("--json", action="store_true")
    s.set_defaults(command_name="risk")

    s = sub.add_parser("report", help="write report.json/.html/.pdf for an ethics board and register it")
    s.add_argument("--db", help="the PrivacyLift DuckDB store (or --source)")
    source(s)
    s.add_argument("--scenarios")
    s.add_argument("--out", required=True)
    s.add_argument("--title", default="Personalization and privacy: scenario review")
    s.add_argument("--purpose", default="")
    business(s)
    s.set_defaults(command_name="report")

    s = sub.add_parser("verify", help="check a saved report's hashes and re-run its scenarios")
    s.add_argument("dir")
    s.add_argument("--db", help="database to re-run on (default: the one recorded in the report)")
    s.set_defaults(command_name="verify")

    s = sub.add_parser("review", help="record a board decision on a saved report")
    s.add_argument("dir")
    s.add_argument("--decision", required=True, choices=("approved", "changes_requested", "rejected"))
    s.add_argument("--reviewer", required=True)
    s.add_argument("--comment", default="")
    s.set_defaults(command_name="review")

    s = sub.add_parser("erase", help="honour erasure requests: remove customers by key from every table")
    s.add_argument("--db", required=True)
    s.add_argument("--keys", required=True, help="file of customer keys, one per line")
    s.add_argument("--json", action="store_true")
    s.set_defaults(command_name="erase")

    s = sub.add_parser("notice", help="the customer-facing transparency notice of a scenario")
    s.add_argument("--db", required=True)
    s.add_argument("--scenarios", help="TOML or JSON file of scenarios (default: the presets)")
    s.add_argument("--scenario", required=True, help="name of the scenario")
    s.add_argument("--format", default="md", choices=("md", "html", "json"))
    s.add_argument("--against", help="name of another scenario: what would change for customers")
    s.add_argument("--contact", help="where customers write to exercise their choices")
    s.set_defaults(command_name="notice")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from analysis.dictionary import DictionaryError
    from analysis.scenario import ScenarioError

    args = build_parser().parse_args(argv)
    try:
        return _command(args.command_name)(args)
    except (DictionaryError, ScenarioError, FileNotFoundError, ValueError, KeyError) as exc:
        return _err(str(exc))
