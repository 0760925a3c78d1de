"""Command line: ``python -m analysis <command> …`` (ingest, generate, simulate, risk, report, verify, review,
erase, notice, catalogue).

Errors a user can act on — bad input, and a bad environment (a damaged or truncated database, a read-only file
or folder, a database another program has open for writing, a key file others can read, a full disk) — are
printed as one clear message on stderr with exit code 2, never a traceback; nothing raw (no customer values) is
ever printed, and user text is neutralized (control and bidi characters shown as escapes).
"""

from __future__ import annotations

import argparse
from importlib import import_module
from typing import Sequence

from analysis.cli._common import _err, environment_message, neutralized_output

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
    "catalogue": "catalogue:cmd_catalogue",
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
        sp.add_argument("--region", choices=("global", "united_states"),
                        help="region of the sourced cost per record (default: the global average)")
        sp.add_argument("--value-per-conversion", type=float, default=40.0,
                        help="contribution margin of one extra conversion, USD (assumption: 40)")
        sp.add_argument("--campaigns-per-year", type=int, default=12,
                        help="personalized campaigns a year (assumption: 12)")
        sp.add_argument("--horizon", type=int, default=3, choices=(1, 3))
        sp.add_argument("--current-practice", help="the scenario that is what the business does today "
                        "(default: the first preset)")
        sp.add_argument("--population", type=int,
                        help="people the customers are drawn from, for population risk (default: customers × 100)")
        sp.add_argument("--policy", help="TOML file of privacy-policy constraints (see the README)")
        sp.add_argument("--min-k", help="policy: smallest group of identical customers at least N ('off': none)")
        sp.add_argument("--max-exposure", help="policy: exposure index at most X ('off': no cap; default 50)")
        sp.add_argument("--sensitive-needs-consent", choices=("yes", "no"),
                        help="policy: sensitive attributes only with consent (default yes)")
        sp.add_argument("--loss-within-tolerance", choices=("yes", "no"),
                        help="policy: the 1-in-20-year breach loss within the risk tolerance (default no)")
        sp.add_argument("--min-selection-ratio",
                        help="policy: the lowest selection-rate ratio over every audited attribute at least X "
                             "('on': 0.8, the four-fifths rule; default off)")
        sp.add_argument("--draws", type=int, default=300,
                        help="robustness: assumption redraws (Latin hypercube; 0 skips it)")
        sp.add_argument("--bootstrap", type=int, default=200,
                        help="bootstrap resamples of each lift interval (default 200; fewer: faster, rougher)")
        sp.add_argument("--breach-years", type=int, default=50_000,
                        help="simulated years of the breach Monte Carlo (default 50,000; at least 1,000)")

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
    s.add_argument("--db", help="database to re-run on (default: found by the dataset name and fingerprint the "
                   "report records)")
    s.add_argument("--public-key", help="the public key the report must be signed with (hex, printed when it was "
                                        "saved; default: $PRIVACYLIFT_SIGNING_PUBLIC_KEY, else this machine's key)")
    s.add_argument("--no-rerun", action="store_true",
                   help="check signatures, hashes, bindings and the review log only (no database needed)")
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

    s = sub.add_parser("catalogue", help="every preset, sweep, field, metric, chart and assumption, as Markdown")
    s.set_defaults(command_name="catalogue")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    with neutralized_output():
        args = build_parser().parse_args(argv)
        return _run(args)


def _run(args) -> int:
    from analysis.dictionary import DictionaryError
    from analysis.scenario import ScenarioError
    from analysis.store import StoreError

    try:
        return _command(args.command_name)(args)
    except (DictionaryError, ScenarioError, StoreError, FileNotFoundError, ValueError, KeyError, TimeoutError,
            MemoryError) as exc:
        return _err(str(exc))
    except OSError as exc:  # permission denied, read-only file system, disk full …
        return _err(environment_message(exc))
