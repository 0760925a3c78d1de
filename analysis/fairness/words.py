"""The audit in plain sentences, one per attribute (app, report, notebook)."""

from __future__ import annotations

from analysis.fairness.groups import MISSING, AuditedAttribute
from analysis.fairness.proxies import ProxyAudit
from analysis.fairness.selection import FOUR_FIFTHS, SelectionAudit
from analysis.formatting import number

__all__ = ["group_words", "feature_words", "attribute_sentence", "PROXY_CLEAR_AUC"]

#: a proxy AUC from which the features are said to "give the attribute away" (PrivacyLift assumption; the
#: interval must also lie above 0.5)
PROXY_CLEAR_AUC = 0.6


def group_words(a: AuditedAttribute, group: str) -> str:
    """``customers with health interest``, ``customers whose credit band is poor``."""
    if group == MISSING:
        return f"customers whose {a.words} is not known"
    if a.kind == "boolean" and group in ("true", "false"):
        return f"customers {'with' if group == 'true' else 'without'} {a.words}"
    return f"customers whose {a.words} is {group}"


def feature_words(feature: str) -> str:
    """``product_category=pharmacy`` → ``product category: pharmacy``."""
    return feature.replace("_", " ").replace("=", ": ")


def _times(value: float) -> str:
    return f"{number(value, digits=2)}×"


def attribute_sentence(a: AuditedAttribute, selection: SelectionAudit, proxy: ProxyAudit | None,
                       used_by_model: bool) -> str:
    """One plain sentence: who is targeted more, against the four-fifths line, and whether the model uses the
    attribute or its features give it away."""
    if selection.ratio is None or selection.highest is None:
        head = (f"Too few customers in the groups of {a.words} to compare them (groups of fewer than 5 are not "
                f"shown)")
    else:
        hi, lo = group_words(a, selection.highest), group_words(a, selection.lowest)
        times = 1 / selection.ratio if selection.ratio > 0 else float("inf")
        interval = ""
        if selection.ratio_ci is not None:
            low, high = selection.ratio_ci
            interval = f", 95 % interval {number(low, digits=2)}–{number(min(high, 9.99), digits=2)}"
        side = "at or above" if selection.ratio >= FOUR_FIFTHS - 1e-12 else "below"
        if times == float("inf"):
            compared = f"are targeted and {lo} are not"
        elif times < 1.05:
            compared = f"are about as likely to be targeted as {lo}"
        else:
            compared = f"are {_times(times)} as likely to be targeted as {lo}"
        head = (f"{hi[0].upper() + hi[1:]} {compared} (ratio {number(selection.ratio, digits=2)}{interval}; "
                f"{side} the four-fifths line of {FOUR_FIFTHS})")
    if used_by_model:
        return head + f"; the model uses {a.words} directly."
    if proxy is None or proxy.auc is None:
        return head + f"; the model does not use {a.words}."
    clear = proxy.auc >= PROXY_CLEAR_AUC and proxy.auc_ci is not None and proxy.auc_ci[0] > 0.5
    if clear and proxy.top:
        carriers = " and ".join(feature_words(f) for f, _ in proxy.top[:2])
        return head + (f", although {a.words} is not used: the scenario's other data gives it away (its features "
                       f"predict it with an AUC of {number(proxy.auc, digits=2)}; {carriers} above all).")
    return head + (f"; the model does not use {a.words} and its features hardly predict it "
                   f"(AUC {number(proxy.auc, digits=2)}; 0.5 = not at all).")
