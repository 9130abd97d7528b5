"""The fixed vocabularies of tracker/vocab.py as people read them (the printable report, and any
page that names a stage): lazy messages, translated when shown. The JSON API and CSV files keep
the codes themselves."""

from flask_babel import lazy_gettext as _l

STAGE_NAMES = {
    "poc": _l("Proof of concept (PoC)"),
    "pilot": _l("Pilot"),
    "rollout": _l("Rollout"),
    "cancelled": _l("Cancelled"),
    "retired": _l("Retired"),
}
BUDGET_MEASURES = {"planned": _l("Planned"), "approved": _l("Approved"), "spent": _l("Spent")}
RISK_TIER_NAMES = {
    "unassessed": _l("Not yet assessed"),
    "minimal": _l("Minimal risk"),
    "limited": _l("Limited risk (transparency duty)"),
    "high_impact": _l("High-impact AI"),
    "prohibited": _l("Prohibited use"),
}
