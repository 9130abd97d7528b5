"""The words the console's pages use for the service's codes, in the reader's language (lazy).

The vocabularies every page shares are imported from tracker/i18n/vocab.py, never copied: stages,
risk tiers, practices and their statuses, rules, flag statuses, KPI kinds, domains and AI types.
What only staff read is here: KPI directions, budget categories, roles, the gate criteria, the
audit trail's words.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.i18n.vocab import (
    AI_TYPE_NAMES,
    BUDGET_MEASURES,
    DOMAIN_NAMES,
    FLAG_STATUS_NAMES,
    KPI_KIND_NAMES,
    PRACTICE_NAMES,
    PRACTICE_STATUS_NAMES,
    RISK_TIER_NAMES,
    RULE_NAMES,
    STAGE_NAMES,
)
from tracker.projects import rules as gates

__all__ = [
    "AI_TYPE_NAMES",
    "BUDGET_MEASURES",
    "DOMAIN_NAMES",
    "FLAG_STATUS_NAMES",
    "KPI_KIND_NAMES",
    "PRACTICE_NAMES",
    "PRACTICE_STATUS_NAMES",
    "RISK_TIER_NAMES",
    "STAGE_NAMES",
]

ROLE_NAMES = {
    "admin": _l("Administrator"),
    "caio": _l("CAIO office"),
    "manager": _l("Project manager"),
    "viewer": _l("Viewer"),
}
KPI_DIRECTION_NAMES = {"increase": _l("Higher is better"), "decrease": _l("Lower is better")}
BUDGET_CATEGORY_NAMES = {
    "personnel": _l("Personnel"),
    "compute": _l("Compute"),
    "licences": _l("Licences"),
    "services": _l("Services"),
    "equipment": _l("Equipment"),
    "other": _l("Other"),
}
BUDGET_STATUS_NAMES = {"planned": BUDGET_MEASURES["planned"], "approved": BUDGET_MEASURES["approved"]}

# the audit trail: what was done, to what, from where
AUDIT_ACTION_NAMES = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
}
AUDIT_ENTITY_NAMES = {
    "project": _l("Project"),
    "stage_transition": _l("Stage decision"),
    "budget_line": _l("Budget line"),
    "kpi": _l("KPI"),
    "measurement": _l("Measurement"),
    "practice": _l("Practice"),
    "flag": _l("Flag"),
    "scan": _l("Scan"),
    "user": _l("User"),
    "api_token": _l("API token"),
    "import": _l("Import"),
    "session": _l("Sign-in"),
    "translation": _l("Translation"),
    "snapshot": _l("Council pack"),
}
AUDIT_SOURCE_NAMES = {
    "api": _l("API"),
    "cli": _l("command line"),
    "scheduler": _l("scheduler"),
    "email-link": _l("alert email"),
    "console": _l("console"),
}

# every criterion of the gates (tracker/projects/rules.py), as a condition that is met or not
_CRITERIA = {
    gates.KPI_REQUIRED: _l("At least one KPI"),
    gates.OUTCOME_KPI_REQUIRED: _l("An outcome KPI with a baseline and a target"),
    gates.OUTCOME_MEASUREMENT_REQUIRED: _l("A measurement on such an outcome KPI"),
    gates.ROLLOUT_BUDGET_APPROVED_REQUIRED: _l("An approved budget line for rollout"),
    gates.RISK_TIER_REQUIRED: _l("A risk tier assessed"),
    gates.PROHIBITED_USE: _l("Not a prohibited use (no override passes this)"),
    gates.REGISTRY_ENTRY_REQUIRED: _l("Listed in the public register"),
}


def criterion(code: str, to_stage: str) -> str:
    """A gate criterion in words: a practice must be started to enter pilot, in effect to enter rollout."""
    if code in _CRITERIA:
        return str(_CRITERIA[code])
    practice = code.removesuffix("_required")
    if practice in PRACTICE_NAMES:
        name = PRACTICE_NAMES[practice]
        if to_stage == "pilot":
            return _("%(practice)s: started", practice=name)
        return _("%(practice)s: in effect on the day of the decision", practice=name)
    return code


def rule_title(rule: str) -> str:
    return str(RULE_NAMES[rule])
