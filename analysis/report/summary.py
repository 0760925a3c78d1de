"""What the HTML and PDF renderers put in front of the report, and how they read the content's blocks.

:func:`executive_summary` writes the pick, why, how sure and what it costs, from the content's ``recommendation``
object when the content has one (``{"scenario", "reason", "runner_up", "within_interval", "not_allowed": [...],
"robustness": {...}}``), else from ``recommended``, the trade-off section's text and the ``headline`` figures.
Every part is optional: what the content does not give is left out, never guessed.

:func:`cell_text` and :func:`kv_value` make a block's text fit for people whatever the content holds: a
scenario's changes given as JSON are written in words (:func:`analysis.scenario.describe_changes`), and a list of
names that repeats a name (a key column declared in each of several datasets) names it once, with the count.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from typing import Any

from analysis import formatting

__all__ = ["executive_summary", "cell_text", "kv_value", "LONG_TOKEN"]

#: a "word" longer than this (a hash, a path) may be broken anywhere; shorter words are never broken
LONG_TOKEN = 24
_NAME = re.compile(r"^[\w.\-]+$")


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) \
        else None


def _money(value: Any) -> str | None:
    return formatting.money(value) if _number(value) is not None else None


def _first_text(content: dict, section: str) -> str | None:
    for s in content.get("sections", []):
        if s.get("id") == section:
            for block in s.get("blocks", []):
                if block.get("type") == "text" and block.get("text"):
                    return str(block["text"])
    return None


def _how_sure(rec: dict, figures: dict) -> list[str]:
    out = []
    runner_up = rec.get("runner_up")
    if isinstance(runner_up, dict):
        runner_up = runner_up.get("scenario") or runner_up.get("name")
    if runner_up and rec.get("within_interval") is True:
        out.append(f"Its net value is within the measurement's interval of the runner-up, “{runner_up}”: the two "
                   "are close calls.")
    elif runner_up and rec.get("within_interval") is False:
        out.append(f"It beats the runner-up, “{runner_up}”, by more than the measurement's interval.")
    robustness = rec.get("robustness")
    if isinstance(robustness, dict):
        share = _number(robustness.get("share_won"))
        draws = _number(robustness.get("draws"))
        if share is not None:
            text = f"It stays the pick in {formatting.percent(share)} of"
            text += f" {formatting.count(draws, suppress=False)}" if draws is not None else ""
            text += " plausible redraws of the assumptions"
            flipped = robustness.get("flipped_by") or []
            names = [f.get("label") or f.get("parameter") or f.get("assumption") if isinstance(f, dict) else str(f)
                     for f in flipped[:2]]
            names = [n for n in names if n]
            out.append(text + (f"; it loses mainly when {' or '.join(names)} change." if names else "."))
    gain, low, high = (_number(figures.get(k)) for k in ("incremental_conversions", "gain_ci_low", "gain_ci_high"))
    if gain is not None and low is not None and high is not None:
        out.append(f"Its engagement gain is {formatting.count(gain, suppress=False)} extra conversions a campaign "
                   f"(95 % interval {formatting.count(low, suppress=False)} to "
                   f"{formatting.count(high, suppress=False)}).")
    return out


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _what_it_costs(pick: str, figures: dict, current: str | None, today: dict | None, horizon: Any) -> str | None:
    compare = bool(current and current != pick and today)
    figures_said = []
    for key, words, shown, unit in (
            ("risk_index", "an exposure index of", formatting.number, ""),
            ("expected_annual_loss", "an expected breach loss of", formatting.money, " a year"),
            ("net_value", "a net value of", formatting.money, f" over {horizon} years" if horizon else "")):
        value = _number(figures.get(key))
        if value is None:
            continue
        before = _number((today or {}).get(key)) if compare else None
        figures_said.append(f"{words} {shown(value)}{unit}" + (f" ({shown(before)} today)" if before is not None
                                                                 else ""))
    retained = _number(figures.get("gain_retained"))
    keeps = f"keeps {formatting.percent(retained)} of the engagement gain of using all data" \
        if retained is not None and compare else None
    if not figures_said and not keeps:
        return None
    if compare:
        lead = f"Against today's practice (“{current}”), it "
        body = keeps + (", with " + _and(figures_said) if figures_said else "") if keeps else "has " + _and(figures_said)
    else:
        lead, body = "It has ", _and(figures_said)
    return lead + body + "."


def executive_summary(content: dict) -> dict | None:
    """``{"pick", "lines": [(heading, text), ...]}`` for the first page, or None when nothing is recommended."""
    rec = content.get("recommendation") if isinstance(content.get("recommendation"), dict) else {}
    pick = rec.get("scenario") or content.get("recommended")
    if not pick:
        return None
    headline = content.get("headline") if isinstance(content.get("headline"), dict) else {}
    figures = headline.get(pick) if isinstance(headline.get(pick), dict) else {}
    settings = (content.get("reproduce") or {}).get("business_settings") or {}
    current = settings.get("current_practice")
    today = headline.get(current) if isinstance(headline.get(current), dict) else None
    lines = [("The pick", str(pick))]
    why = rec.get("reason") or _first_text(content, "tradeoffs")
    if why:
        lines.append(("Why", str(why)))
    sure = _how_sure(rec, figures)
    if sure:
        lines.append(("How sure", " ".join(sure)))
    costs = _what_it_costs(str(pick), figures, current, today, settings.get("horizon_years"))
    if costs:
        lines.append(("What it costs", costs))
    refused = [f"“{n.get('scenario')}” ({n.get('because')})" if isinstance(n, dict) else str(n)
               for n in rec.get("not_allowed") or []]
    if refused:
        lines.append(("Not allowed by the privacy policy", "; ".join(refused) + "."))
    return {"pick": str(pick), "lines": lines}


def _dedupe_names(text: str) -> str:
    """``"customer_id, customer_id, erasure_requested"`` -> ``"customer_id (in 2 datasets), erasure_requested"``."""
    items = text.split(", ")
    if len(items) < 2 or not all(_NAME.match(i) for i in items):
        return text
    counts = Counter(items)
    if max(counts.values()) == 1:
        return text
    return ", ".join(n if counts[n] == 1 else f"{n} (in {counts[n]} datasets)" for n in dict.fromkeys(items))


def cell_text(value: Any) -> str:
    """A table cell as people read it (see the module docstring)."""
    return _dedupe_names(str(value))


def kv_value(key: Any, value: Any) -> str:
    """A key–value pair's value in words: a scenario's changes given as a JSON object are described."""
    text = str(value)
    if text.startswith("{") and text.endswith("}"):
        try:
            changes = json.loads(text)
        except ValueError:
            return text
        if isinstance(changes, dict):
            from analysis.scenario.describe import describe_changes

            return describe_changes(changes)
    return cell_text(text)
