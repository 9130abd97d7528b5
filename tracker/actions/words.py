"""What the action pages say of a flag, in the reader's language (lazy: read at rendering)."""

from flask_babel import lazy_gettext as _l

# each rule in words for the person who must act on it: what it found, and what to decide
RULES = {
    "poc_stalled": (
        _l("Proof of concept running too long"),
        _l("The proof of concept has run longer than allowed without a decision: decide to pilot it or stop it."),
    ),
    "pilot_purgatory": (
        _l("Pilot purgatory"),
        _l("The pilot has run longer than allowed without a decision: decide to scale it up or stop it."),
    ),
    "no_scale_budget": (
        _l("No budget to scale up"),
        _l("The pilot has no rollout budget line: nobody has planned the money to scale it up."),
    ),
    "no_kpis": (
        _l("No KPI"),
        _l("The project has no KPI: nobody can tell whether it works."),
    ),
    "input_metrics_only": (
        _l("Only input measures"),
        _l("The project reports only what was put in or produced, not what changed for residents."),
    ),
    "stale_reporting": (
        _l("Reporting has stopped"),
        _l("The project has not reported a measurement for longer than allowed."),
    ),
}

STATUSES = {
    "open": _l("Open"),
    "acknowledged": _l("Acknowledged"),
    "snoozed": _l("Snoozed"),
    "resolved": _l("Resolved"),
}


def rule_title(rule: str) -> str:
    return RULES[rule][0] if rule in RULES else rule.replace("_", " ")


def rule_meaning(rule: str) -> str:
    return RULES[rule][1] if rule in RULES else ""
