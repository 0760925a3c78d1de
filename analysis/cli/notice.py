"""``python -m analysis notice``: the customer-facing notice of one scenario (Markdown, HTML or JSON), and with
``--against`` what would change for customers between two scenarios."""

from __future__ import annotations

import sys

from analysis.cli._common import _dump, _err

__all__ = ["cmd_notice"]


def _pick(specs, name: str, option: str):
    from analysis.scenario import ScenarioError

    for s in specs:
        if s.name == name:
            return s
    raise ScenarioError(f"The '{option}' option names no scenario {name!r}; scenarios: "
                        f"{', '.join(repr(s.name) for s in specs)}.")


def cmd_notice(args) -> int:
    from analysis.data import load_crm
    from analysis.scenario import PRESETS, load_scenarios
    from analysis.store import Store
    from analysis.transparency.build import DEFAULT_CONTACT, notice
    from analysis.transparency.diff import notice_diff
    from analysis.transparency.render import to_html, to_json, to_markdown

    store = Store(args.db)
    if not store.exists:
        return _err(f"database {args.db} does not exist: ingest data or run `python -m analysis generate --db`.")
    specs = list(PRESETS) if args.scenarios is None else load_scenarios(args.scenarios)
    spec = _pick(specs, args.scenario, "--scenario")
    other = _pick(specs, args.against, "--against") if args.against else None
    data = load_crm(store)
    contact = args.contact or DEFAULT_CONTACT
    n = notice(spec, data, contact=contact)
    diff = None
    if other is not None:
        diff = notice_diff(notice(other, data, contact=contact, readability=False), n)
    if args.format == "json":
        out = to_json(n)
        if diff is not None:
            out["changes"] = diff.to_dict()
        print(_dump(out))
    elif args.format == "html":
        page = to_html(n)
        if diff is not None:
            page = page.replace("<footer>", diff.to_html() + "\n<footer>", 1)
        print(page, end="")
    else:
        print(to_markdown(n) + ("\n" + diff.to_markdown() if diff is not None else ""), end="")
    r = n.readability
    print(f"Flesch reading ease {r.flesch_reading_ease:g} ({'plain English' if r.plain else 'below the target of 60'})",
          file=sys.stderr)
    return 0
