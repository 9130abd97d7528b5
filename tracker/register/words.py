"""The vocabularies in words a resident reads (lazy: translated when shown, in the reader's language)."""

from flask_babel import lazy_gettext as _l

from tracker.i18n import vocab

STAGE_NAMES = {
    "poc": _l("Proof of concept (PoC)"),
    "pilot": _l("Pilot"),
    "rollout": _l("Full rollout"),
    "cancelled": _l("Cancelled"),
    "retired": _l("Retired"),
}
STOPPED_STAGES = frozenset({"cancelled", "retired"})

# one vocabulary of tiers for the register and the printable report
RISK_TIER_NAMES = vocab.RISK_TIER_NAMES

PRACTICE_NAMES = {
    "testing": _l("Pre-deployment testing"),
    "impact_assessment": _l("Impact assessment"),
    "independent_review": _l("Independent review"),
    "monitoring": _l("Ongoing monitoring"),
    "training": _l("Operator training"),
    "human_oversight": _l("Human oversight, intervention and fail-safe"),
    "appeal": _l("Remedy or appeal process"),
    "public_consultation": _l("Public consultation"),
}

PRACTICE_STATUS_NAMES = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "not_applicable": _l("Not applicable"),
    "waived": _l("Waived"),
}

# The default DOMAINS; an agency's own domains are shown as they are set.
DOMAIN_NAMES = {
    "operations": _l("City management and operations"),
    "safety": _l("Safety, security and resilience"),
    "infrastructure": _l("Infrastructure"),
    "living": _l("Living, health and trust"),
    "mobility": _l("Mobility and transportation"),
    "environment": _l("Environment and sustainability"),
}

AI_TYPE_NAMES = {
    "traditional_ml": _l("Machine learning"),
    "computer_vision": _l("Computer vision"),
    "nlp": _l("Language processing"),
    "generative": _l("Generative AI"),
    "optimization": _l("Optimisation"),
    "other": _l("Other"),
}
