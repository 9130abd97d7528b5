"""One vocabulary per language: every word the service shows about a project (its stage, risk
tier, practices and their status, the stall rules, flag statuses, KPI kinds, budget measures,
domains and AI types), in one place.

The codes themselves are in tracker/vocab.py; here are their names. Each name is a `Term`:
`str(term)` is the name in the reader's language, translated when shown (as `lazy_gettext`
does: the register, the reports, the console, the emails under `force_locale`); `term.english`
is the name as written, which is what the JSON API, webhooks and the CLI say (they stay in
English whatever the request's language). So `rollout` is "Full rollout" / "전면 확산"
everywhere, and the rules' sentences name a stage with the same words (`in_sentence`).
"""

from collections.abc import Mapping

from markupsafe import escape

from tracker.i18n import translate


class Term:
    """A word of the vocabulary: English as written (`english`), in the reader's language when shown."""

    __slots__ = ("english",)

    def __init__(self, english: str):
        self.english = english

    def __str__(self) -> str:
        # the current locale's catalogue (Flask-Babel's); outside an app context, English
        return translate(self.english)

    def __html__(self) -> str:  # Jinja's autoescape: the translation, escaped
        return str(escape(str(self)))

    def __repr__(self) -> str:
        return f"Term({self.english!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Term) and other.english == self.english

    def __hash__(self) -> int:
        return hash(self.english)


# Marked for pybabel the way lazy messages are (`-k _l`), and translated as lazily.
_l = Term


def in_sentence(name: str) -> str:
    """A name as a sentence uses it inside: `Full rollout` -> `full rollout`; an acronym keeps its
    capitals (`PoC`), and a script without case (Hangul) is unchanged."""
    first = name.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:] == first[1:].lower():
        return name[0].lower() + name[1:]
    return name


def in_words(vocabulary: Mapping[str, Term]) -> dict[str, str]:
    """Each code's name in the current language, translated once: for a list whose rows name their
    codes (the console's projects), not a translation per row."""
    return {code: str(term) for code, term in vocabulary.items()}


def english(vocabulary: Mapping[str, Term], code: str) -> str:
    """The English name of a code (the JSON API's word); the code itself when it has no name."""
    term = vocabulary.get(code)
    return term.english if term is not None else code


def api_name(vocabulary: Mapping[str, Term], code: str) -> str:
    """How the JSON API's English names a code inside a sentence: the vocabulary's word, with the
    code a client sends after it when the word does not hold it (`full rollout (rollout)`, `pilot`,
    `proof of concept (PoC)`)."""
    name = in_sentence(english(vocabulary, code))
    return name if code.casefold() in name.casefold() else f"{name} ({code})"


STAGE_NAMES = {
    "poc": _l("Proof of concept (PoC)"),
    "pilot": _l("Pilot"),
    "rollout": _l("Full rollout"),
    "cancelled": _l("Cancelled"),
    "retired": _l("Retired"),
}
RISK_TIER_NAMES = {
    "unassessed": _l("Not yet assessed"),
    "minimal": _l("Minimal risk"),
    "limited": _l("Limited risk (transparency duty)"),
    "high_impact": _l("High-impact AI"),
    "prohibited": _l("Prohibited use"),
}
PRACTICE_NAMES = {
    "testing": _l("Pre-deployment testing"),
    "impact_assessment": _l("Impact assessment"),
    "independent_review": _l("Independent review"),
    "monitoring": _l("Ongoing monitoring"),
    "training": _l("Operator training"),
    # no comma inside: the rules list practices separated by commas
    "human_oversight": _l("Human oversight with intervention and fail-safe"),
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
# each stall rule's name, for headings and tables (emails, reports, the action pages)
RULE_NAMES = {
    "poc_stalled": _l("Proof of concept stalled"),
    "pilot_purgatory": _l("Pilot purgatory"),
    "no_scale_budget": _l("No budget to scale up"),
    "no_kpis": _l("No KPIs"),
    "input_metrics_only": _l("Input metrics only"),
    "stale_reporting": _l("Stale reporting"),
    "risk_unassessed": _l("Risk not assessed"),
    "practices_lapsed": _l("Risk-management practices lapsed"),
    "prohibited_in_use": _l("Prohibited use in service"),
}
FLAG_STATUS_NAMES = {
    "open": _l("Open"),
    "acknowledged": _l("Acknowledged"),
    "snoozed": _l("Snoozed"),
    "resolved": _l("Resolved"),
}
KPI_KIND_NAMES = {"input": _l("Input"), "output": _l("Output"), "outcome": _l("Outcome")}
BUDGET_MEASURES = {"planned": _l("Planned"), "approved": _l("Approved"), "spent": _l("Spent")}
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
