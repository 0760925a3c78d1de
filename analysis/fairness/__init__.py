"""Who gets targeted: a fairness and proxy-discrimination audit of every scenario.

Personalization on sensitive traits (health, financial status) without explicit consent is the dilemma
PrivacyLift is built around (GDPR Art. 9 special categories). Leaving a column out of the model is not the same
as not using the trait: other features can stand in for it. For every audited attribute — role ``sensitive``, or
``protected = true`` in the dictionary — and every scenario, the audit measures on the held-out customers:

- :mod:`.selection`: the selection rate of each group among the customers the scenario's model would target
  (its top share k), with 95 % intervals; the ratio of the lowest to the highest rate against the four-fifths
  line (0.8; EEOC Uniform Guidelines 1978) and the difference — with fairlearn;
- :mod:`.proxies`: how well the scenario's own features predict the attribute (cross-validated AUC) and the
  features that carry it most;
- :mod:`.words`: one plain sentence per attribute.

A scenario can mitigate (:mod:`.mitigation`, the scenario field ``fairness``): ``drop_proxies`` leaves out the
features that give an attribute away, ``group_quota`` re-ranks within groups so each is targeted at the same
rate; the gain it costs is measured like any other scenario choice. Groups of fewer than 5 customers are
suppressed.
"""

from analysis.fairness.audit import AttributeAudit, FairnessAudit, fairness_audit, own_columns, targeted
from analysis.fairness.groups import AuditedAttribute, audited_attribute, audited_attributes, group_labels
from analysis.fairness.mitigation import MITIGATIONS, PROXY_DROP_AUC, proxies_to_drop, quota_lift, quota_scores
from analysis.fairness.proxies import ProxyAudit, proxy_audit, univariate_auc
from analysis.fairness.selection import FOUR_FIFTHS, GroupRate, SelectionAudit, selection_audit, wilson
from analysis.fairness.words import attribute_sentence, feature_words, group_words

__all__ = [
    "AttributeAudit", "FairnessAudit", "fairness_audit", "own_columns", "targeted", "AuditedAttribute",
    "audited_attribute", "audited_attributes", "group_labels", "MITIGATIONS", "PROXY_DROP_AUC",
    "proxies_to_drop", "quota_lift", "quota_scores", "ProxyAudit", "proxy_audit", "univariate_auc",
    "FOUR_FIFTHS", "GroupRate", "SelectionAudit", "selection_audit", "wilson", "attribute_sentence",
    "feature_words", "group_words",
]
