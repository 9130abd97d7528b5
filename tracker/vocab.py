"""The fixed vocabularies of SPEC, in one place (models, schemas and rules import them)."""

ROLES = ("admin", "caio", "manager", "viewer")
OWNER_ROLES = ("manager", "caio", "admin")  # who may own and create projects
CAIO_OFFICE = ("caio", "admin")  # who may override gates, change owners, run scans

STAGES = ("poc", "pilot", "rollout", "cancelled", "retired")
ACTIVE_STAGES = ("poc", "pilot", "rollout")
STOPPED_STAGES = ("cancelled", "retired")  # the register marks these as stopped
AI_TYPES = ("traditional_ml", "computer_vision", "nlp", "generative", "optimization", "other")

BUDGET_STAGES = ("poc", "pilot", "rollout")
BUDGET_CATEGORIES = ("personnel", "compute", "licences", "services", "equipment", "other")
BUDGET_STATUSES = ("planned", "approved")

KPI_KINDS = ("input", "output", "outcome")
KPI_DIRECTIONS = ("increase", "decrease")

FLAG_STATUSES = ("open", "acknowledged", "snoozed", "resolved")
RULES = (
    "poc_stalled",
    "pilot_purgatory",
    "no_scale_budget",
    "no_kpis",
    "input_metrics_only",
    "stale_reporting",
    "risk_unassessed",
    "practices_lapsed",
    "prohibited_in_use",
)

# Ordered from least to most restrictive: only the CAIO office may move a tier down from the top two.
RISK_TIERS = ("unassessed", "minimal", "limited", "high_impact", "prohibited")
# The eight risk-management practices, in the federal inventory's order (SPEC "Trust").
PRACTICES = (
    "testing",
    "impact_assessment",
    "independent_review",
    "monitoring",
    "training",
    "human_oversight",
    "appeal",
    "public_consultation",
)
PRACTICE_STATUSES = ("not_started", "in_progress", "done", "not_applicable", "waived")

REGISTRY_FIELDS = ("purpose", "data_sources", "logic", "risks", "human_oversight", "contact_email")
