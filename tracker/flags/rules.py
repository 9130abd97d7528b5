"""The stall rules of SPEC ("Rules") as pure functions: plain facts in, None or the numbers out.

The plain-words wording of every rule lives in `explain(rule, details, on=, words=)` below (the
flags API and the alert emails both call it, the emails in the recipient's language). Details hold
the thresholds they were judged against, so `explain` needs no settings.

Stored details hold only facts that do not change from one day to the next (the stage and the
date it was entered, the threshold, KPI counts by kind, the last measurement's date, the missing
budget line, the reporting window), so a daily scan rewrites a still-true flag only when one of
them changed. The day counts ("days in stage", "days without a measurement") are derived when
read, in one place, `numbers(rule, details, on)`, counted to `on`: the flag's last-seen date
(`last_seen_on`). `shown(rule, details, on)` is the details with those counts, as the flags API,
the scan report and the alert digests show them.

Conventions, in one place:
- "Longer than N days" means more than N days: exactly N is not flagged.
- Days are counted to the scan's `as_of` (`facts.as_of`).
- A measurement is "in the last N days" when it is at most N days old (measured_on >= as_of - N),
  the same counting as "longer than": a measurement exactly STALE_DAYS old is not stale.
- `input_metrics_only` calls a KPI an outcome KPI when its kind is `outcome`. The rule is about
  what a project reports (inputs versus changes in residents' lives); an outcome KPI still
  missing its baseline or target is a readiness problem, which the stricter rollout gate
  (kind `outcome` *with* a baseline and a target, see tracker/projects/rules.py) refuses.
- `stale_reporting` counts from the latest measurement on any of the project's KPIs, even one
  taken before the project entered its current stage; only a project with no measurement at
  all counts from its stage entry.
- The trust rules read the current tier and practices (they have no history), the practices'
  dates judged against `as_of` by tracker/trust/rules.py: a dry run as of a past day asks which
  practices were in effect that day.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from tracker.i18n import vocab
from tracker.trust.rules import PracticeState, all_practices


@dataclass(frozen=True, slots=True)
class Thresholds:
    poc_max_days: int = 90
    pilot_max_days: int = 180
    reporting_window_days: int = 90
    stale_days: int = 60
    practice_valid_days: int = 365

    @classmethod
    def from_settings(cls, settings: Mapping) -> "Thresholds":
        return cls(
            poc_max_days=int(settings["POC_MAX_DAYS"]),
            pilot_max_days=int(settings["PILOT_MAX_DAYS"]),
            reporting_window_days=int(settings["REPORTING_WINDOW_DAYS"]),
            stale_days=int(settings["STALE_DAYS"]),
            practice_valid_days=int(settings["PRACTICE_VALID_DAYS"]),
        )


@dataclass(slots=True)  # not frozen: a frozen init costs three times as much, 100,000 times a scan
class ProjectFacts:
    """One project as it stood on `as_of`; the window counts use the reporting window."""

    as_of: date
    stage: str
    stage_entered_on: date
    input_kpis: int = 0
    output_kpis: int = 0
    outcome_kpis: int = 0
    measurements_in_window: int = 0
    outcome_measurements_in_window: int = 0  # on KPIs of kind outcome
    last_measured_on: date | None = None
    rollout_budget_lines: int = 0  # any status
    risk_tier: str = "unassessed"
    # the practices written so far, by key (the others read as not started); the scan reads them
    # only for the projects `practices_lapsed` asks about: None is "none written"
    practices: Mapping[str, PracticeState] | None = None

    @property
    def days_in_stage(self) -> int:
        return (self.as_of - self.stage_entered_on).days

    @property
    def kpis(self) -> int:
        return self.input_kpis + self.output_kpis + self.outcome_kpis

    def kpi_counts(self) -> dict:
        return {"input": self.input_kpis, "output": self.output_kpis, "outcome": self.outcome_kpis}

    def stay(self) -> dict:
        return {"stage": self.stage, "stage_entered_on": self.stage_entered_on.isoformat()}


def poc_stalled(facts: ProjectFacts, *, max_days: int) -> dict | None:
    """In `poc` longer than POC_MAX_DAYS."""
    if facts.stage != "poc" or facts.days_in_stage <= max_days:
        return None
    return {**facts.stay(), "max_days": max_days}


def pilot_purgatory(facts: ProjectFacts, *, max_days: int) -> dict | None:
    """In `pilot` longer than PILOT_MAX_DAYS."""
    if facts.stage != "pilot" or facts.days_in_stage <= max_days:
        return None
    return {**facts.stay(), "max_days": max_days}


def no_scale_budget(facts: ProjectFacts) -> dict | None:
    """In `pilot` with no `rollout` budget line at all (planned or approved)."""
    if facts.stage != "pilot" or facts.rollout_budget_lines > 0:
        return None
    return {**facts.stay(), "missing_budget_stage": "rollout", "rollout_budget_lines": 0}


def no_kpis(facts: ProjectFacts) -> dict | None:
    """In `pilot` or `rollout` with no KPI."""
    if facts.stage not in ("pilot", "rollout") or facts.kpis > 0:
        return None
    return {**facts.stay(), "kpis": facts.kpi_counts()}


def input_metrics_only(facts: ProjectFacts, *, window_days: int) -> dict | None:
    """Has KPIs and none is an outcome KPI; or reported in the window, never on an outcome KPI.

    The window's counts are kept only when they are the reason: with no outcome KPI at all they
    say nothing more, and they drift daily as the window moves (a rewrite of the flag each time).
    """
    if facts.stage not in ("poc", "pilot", "rollout") or facts.kpis == 0:
        return None
    if facts.outcome_kpis == 0:
        reason, window = "no_outcome_kpi", {}
    elif facts.measurements_in_window > 0 and facts.outcome_measurements_in_window == 0:
        reason = "no_outcome_measurement_in_window"
        window = {
            "window_days": window_days,
            "measurements_in_window": facts.measurements_in_window,
            "outcome_measurements_in_window": 0,
        }
    else:
        return None
    return {
        **facts.stay(),
        "reason": reason,
        "kpis": facts.kpi_counts(),
        **window,
        "last_measured_on": _iso(facts.last_measured_on),
    }


def stale_reporting(facts: ProjectFacts, *, max_days: int) -> dict | None:
    """In `pilot` or `rollout`, has KPIs, no measurement for longer than STALE_DAYS."""
    if facts.stage not in ("pilot", "rollout") or facts.kpis == 0:
        return None
    since = facts.last_measured_on or facts.stage_entered_on
    if (facts.as_of - since).days <= max_days:
        return None
    return {
        **facts.stay(),
        "kpis": facts.kpi_counts(),
        "last_measured_on": _iso(facts.last_measured_on),
        "counted_from": "last_measurement" if facts.last_measured_on is not None else "stage_entry",
        "max_days": max_days,
    }


def risk_unassessed(facts: ProjectFacts) -> dict | None:
    """In `pilot` or `rollout` with no risk tier determined."""
    if facts.stage not in ("pilot", "rollout") or facts.risk_tier != "unassessed":
        return None
    return {**facts.stay(), "risk_tier": "unassessed"}


def practices_lapsed(facts: ProjectFacts, *, valid_days: int) -> dict | None:
    """In `rollout`, high-impact, and at least one of the eight practices not in effect on as_of.

    Details: the keys not in effect, and for those whose evidence ran out, the day it did (a
    fixed date, so the flag is rewritten only when another practice lapses or is renewed).
    """
    if facts.stage != "rollout" or facts.risk_tier != "high_impact":
        return None
    lapsed = [state for state in all_practices(facts.practices or {}) if not state.in_effect(facts.as_of, valid_days)]
    if not lapsed:
        return None
    expired = {}
    for state in lapsed:
        expires = state.expires_on(valid_days)
        if expires is not None and expires <= facts.as_of:
            expired[state.key] = expires.isoformat()
    return {
        **facts.stay(),
        "risk_tier": "high_impact",
        "not_in_effect": [state.key for state in lapsed],
        "expired_on": expired,
        "valid_days": valid_days,
    }


def prohibited_in_use(facts: ProjectFacts) -> dict | None:
    """In `poc`, `pilot` or `rollout` with the tier `prohibited`: a use the law forbids."""
    if facts.stage not in ("poc", "pilot", "rollout") or facts.risk_tier != "prohibited":
        return None
    return {**facts.stay(), "risk_tier": "prohibited"}


def evaluate(facts: ProjectFacts, thresholds: Thresholds) -> dict[str, dict]:
    """Every rule the project breaks, as rule -> details, in SPEC order."""
    found = {
        "poc_stalled": poc_stalled(facts, max_days=thresholds.poc_max_days),
        "pilot_purgatory": pilot_purgatory(facts, max_days=thresholds.pilot_max_days),
        "no_scale_budget": no_scale_budget(facts),
        "no_kpis": no_kpis(facts),
        "input_metrics_only": input_metrics_only(facts, window_days=thresholds.reporting_window_days),
        "stale_reporting": stale_reporting(facts, max_days=thresholds.stale_days),
        "risk_unassessed": risk_unassessed(facts),
        "practices_lapsed": practices_lapsed(facts, valid_days=thresholds.practice_valid_days),
        "prohibited_in_use": prohibited_in_use(facts),
    }
    return {rule: details for rule, details in found.items() if details is not None}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


# ---- what a flag's details say on a given day ----


def last_seen_on(status: str, stored: date, latest_real_scan: date | None) -> date:
    """The last day a scan found the flag's condition.

    A scan does not rewrite a still-true flag whose facts did not change, so the stored
    `last_seen_at` of an unresolved flag is the day it opened or its facts last changed; every
    real scan since found it again (or would have resolved it): it was last seen by the latest
    real scan. A resolved flag's stored date is exact (the scan that resolved it wrote the
    previous real scan's as_of).
    """
    if status == "resolved" or latest_real_scan is None:
        return stored
    return latest_real_scan


def numbers(rule: str, details: Mapping | None, on: date) -> dict:
    """The day counts behind a finding, counted to `on`: `days_in_stage`, and for
    `stale_reporting` `days_without_measurement`. Empty when the details lack the facts."""
    try:
        entered = date.fromisoformat(details["stage_entered_on"])
    except (KeyError, TypeError, ValueError):
        return {}
    derived = {"days_in_stage": (on - entered).days}
    if rule == "stale_reporting":
        last = details.get("last_measured_on")
        since = date.fromisoformat(last) if isinstance(last, str) else entered
        derived["days_without_measurement"] = (on - since).days
    return derived


def shown(rule: str, details: Mapping | None, on: date | None) -> dict:
    """The details with their day counts counted to `on` (as they are unchanged when `on` is None)."""
    details = dict(details or {})
    if on is None:
        return details
    return {**details, **numbers(rule, details, on)}


# ---- the rules in plain words (flags API, CLI table, alert emails) ----
#
# One wording for every reader. Each sentence is a gettext message (pybabel extracts it, the
# catalogues in tracker/translations translate it) written through a `Words`: the JSON API, the
# webhooks and the CLI use `ENGLISH` (the message as written, ISO dates, plain digits, SPEC: they
# stay in English); the alert emails pass the recipient's language, translated and formatted by
# Babel (tracker.i18n.PeoplesWords). The words a sentence names (stages, practices, KPI kinds) and
# each rule's name are the vocabulary's (tracker/i18n/vocab.py), so a stage reads the same here as
# on the register. A new rule adds its name to vocab.RULE_NAMES, its SUMMARIES entry marked N_()
# and an explainer that writes `words.gettext("... %(name)s ...", name=words.number(...))`.


def N_(message: str) -> str:  # noqa: N802 - the gettext marker's usual name, which pybabel extracts
    """Marks a message where it is defined; it is translated where it is written (words.gettext)."""
    return message


class Words(Protocol):
    """How a reader gets the wording: the language of the messages, and how dates and numbers read."""

    def gettext(self, message: str, **values) -> str: ...

    def day(self, iso: str) -> str: ...

    def number(self, value: int) -> str: ...


class MachineWords:
    """English as written, dates as ISO 8601, plain digits: the API, webhooks and the CLI."""

    def gettext(self, message: str, **values) -> str:
        return message % values if values else message

    def day(self, iso: str) -> str:
        return iso

    def number(self, value: int) -> str:
        return str(value)


ENGLISH = MachineWords()

# what each rule means when a flag carries no numbers (e.g. one written by hand)
SUMMARIES = {
    "poc_stalled": N_("The proof of concept has run longer than allowed without a decision."),
    "pilot_purgatory": N_("The pilot has run longer than allowed without a decision: pilot purgatory."),
    "no_scale_budget": N_("The pilot has no full rollout budget line: nobody has planned the money to scale up."),
    "no_kpis": N_("The project has no KPI: nobody can tell whether it works."),
    "input_metrics_only": N_("The project reports only inputs or outputs, not outcomes for residents."),
    "stale_reporting": N_("The project has stopped reporting measurements."),
    "risk_unassessed": N_(
        "The project is used on people without a risk tier: nobody has determined whether it is high-impact."
    ),
    "practices_lapsed": N_("A high-impact system in full rollout lacks a risk-management practice in effect."),
    "prohibited_in_use": N_("The project is classified as a prohibited use but has not been stopped."),
}


def title(rule: str, words: Words = ENGLISH) -> str:
    """The rule's name (tracker/i18n/vocab.py), in `words`' language."""
    return words.gettext(vocab.RULE_NAMES[rule].english) if rule in vocab.RULE_NAMES else rule.replace("_", " ")


def _name(vocabulary: Mapping[str, vocab.Term], code: str, w: Words) -> str:
    """A word of the vocabulary inside a sentence: the names of tracker/i18n/vocab.py, in `w`'s language."""
    return vocab.in_sentence(w.gettext(vocabulary[code].english))


def _stage(stage: str, w: Words) -> str:
    return _name(vocab.STAGE_NAMES, stage, w)


def _kpi_words(kpis: Mapping, w: Words) -> str:
    return ", ".join(
        w.gettext("%(count)s %(kind)s", count=w.number(count), kind=_name(vocab.KPI_KIND_NAMES, kind, w))
        for kind, count in kpis.items()
        if count
    )


def _explain_poc_stalled(d: Mapping, w: Words) -> str:
    return w.gettext(
        "In proof of concept for %(days)s days (since %(since)s), longer than the %(max_days)s days allowed: "
        "decide to pilot it or stop it.",
        days=w.number(d["days_in_stage"]),
        since=w.day(d["stage_entered_on"]),
        max_days=w.number(d["max_days"]),
    )


def _explain_pilot_purgatory(d: Mapping, w: Words) -> str:
    return w.gettext(
        "In pilot for %(days)s days (since %(since)s), longer than the %(max_days)s days allowed: pilot purgatory. "
        "Decide to scale it up or stop it.",
        days=w.number(d["days_in_stage"]),
        since=w.day(d["stage_entered_on"]),
        max_days=w.number(d["max_days"]),
    )


def _explain_no_scale_budget(d: Mapping, w: Words) -> str:
    return w.gettext(
        "In pilot for %(days)s days with no %(stage)s budget line at all: nobody has planned the money to scale it up.",
        days=w.number(d["days_in_stage"]),
        stage=_stage(d["missing_budget_stage"], w),
    )


def _explain_no_kpis(d: Mapping, w: Words) -> str:
    return w.gettext(
        "In %(stage)s for %(days)s days with no KPI at all: nobody can tell whether it works.",
        stage=_stage(d["stage"], w),
        days=w.number(d["days_in_stage"]),
    )


def _explain_input_metrics_only(d: Mapping, w: Words) -> str:
    if d["reason"] == "no_outcome_kpi":
        return w.gettext(
            "Its KPIs (%(kpis)s) include no outcome KPI: it reports what was put in or produced, "
            "not what changed for residents.",
            kpis=_kpi_words(d["kpis"], w),
        )
    return w.gettext(
        "Of the %(measurements)s measurements reported in the last %(window)s days, none was on one of its "
        "%(outcome_kpis)s outcome KPIs: progress is reported as inputs, not outcomes.",
        measurements=w.number(d["measurements_in_window"]),
        window=w.number(d["window_days"]),
        outcome_kpis=w.number(d["kpis"]["outcome"]),
    )


def _explain_stale_reporting(d: Mapping, w: Words) -> str:
    if d["counted_from"] == "last_measurement":
        return w.gettext(
            "No measurement for %(days)s days (the last on %(last)s), longer than the %(max_days)s days allowed.",
            days=w.number(d["days_without_measurement"]),
            last=w.day(d["last_measured_on"]),
            max_days=w.number(d["max_days"]),
        )
    return w.gettext(
        "No measurement at all since it entered %(stage)s on %(since)s, %(days)s days ago, "
        "longer than the %(max_days)s days allowed.",
        stage=_stage(d["stage"], w),
        since=w.day(d["stage_entered_on"]),
        days=w.number(d["days_without_measurement"]),
        max_days=w.number(d["max_days"]),
    )


def _explain_risk_unassessed(d: Mapping, w: Words) -> str:
    return w.gettext(
        "In %(stage)s for %(days)s days with no risk tier: nobody has determined whether it is high-impact. "
        "Classify it, with the reason.",
        stage=_stage(d["stage"], w),
        days=w.number(d["days_in_stage"]),
    )


def _practice(key: str, w: Words) -> str:
    return _name(vocab.PRACTICE_NAMES, key, w)


def _practice_words(d: Mapping, w: Words) -> str:
    expired = d.get("expired_on") or {}
    return ", ".join(
        w.gettext("%(practice)s (expired on %(day)s)", practice=_practice(key, w), day=w.day(expired[key]))
        if key in expired
        else _practice(key, w)
        for key in d["not_in_effect"]
    )


def _explain_practices_lapsed(d: Mapping, w: Words) -> str:
    count = len(d["not_in_effect"])
    message = (
        N_(
            "A high-impact system in full rollout with %(count)s of its 8 risk-management practices not in effect: "
            "%(practices)s. Complete or renew it, with evidence."
        )
        if count == 1
        else N_(
            "A high-impact system in full rollout with %(count)s of its 8 risk-management practices not in effect: "
            "%(practices)s. Complete or renew them, with evidence."
        )
    )
    return w.gettext(message, count=w.number(count), practices=_practice_words(d, w))


def _explain_prohibited_in_use(d: Mapping, w: Words) -> str:
    message = (
        N_(
            "Classified as a prohibited use, yet in %(stage)s for %(days)s days: a use the law forbids must stop. "
            "Switch it off and retire it."
        )
        if d["stage"] == "rollout"
        else N_(
            "Classified as a prohibited use, yet in %(stage)s for %(days)s days: a use the law forbids must stop. "
            "Switch it off and cancel it."
        )
    )
    return w.gettext(message, stage=_stage(d["stage"], w), days=w.number(d["days_in_stage"]))


_EXPLAINERS: dict[str, Callable[[Mapping, Words], str]] = {
    "poc_stalled": _explain_poc_stalled,
    "pilot_purgatory": _explain_pilot_purgatory,
    "no_scale_budget": _explain_no_scale_budget,
    "no_kpis": _explain_no_kpis,
    "input_metrics_only": _explain_input_metrics_only,
    "stale_reporting": _explain_stale_reporting,
    "risk_unassessed": _explain_risk_unassessed,
    "practices_lapsed": _explain_practices_lapsed,
    "prohibited_in_use": _explain_prohibited_in_use,
}


def explain(rule: str, details: Mapping | None, *, on: date | None = None, words: Words = ENGLISH) -> str:
    """The finding in plain words with its numbers, the day counts counted to `on` (the flag's
    last-seen date; None: details that already hold them); the rule's summary when numbers are
    missing. In English with machine formats unless `words` says otherwise (the emails)."""
    try:
        return _EXPLAINERS[rule](shown(rule, details, on), words)
    except (KeyError, TypeError, AttributeError, ValueError):
        return words.gettext(SUMMARIES[rule]) if rule in SUMMARIES else rule.replace("_", " ")


def key_numbers(rule: str, details: Mapping | None, *, on: date | None = None) -> str:
    """The numbers behind a finding in a few words, for tables (the CLI); day counts as in `explain`."""
    d = shown(rule, details, on)
    try:
        if rule in ("poc_stalled", "pilot_purgatory"):
            return f"{d['days_in_stage']} days in {d['stage']} > {d['max_days']}"
        if rule == "no_scale_budget":
            return f"0 {d['missing_budget_stage']} budget lines, {d['days_in_stage']} days in {d['stage']}"
        if rule == "no_kpis":
            return f"0 KPIs, {d['days_in_stage']} days in {d['stage']}"
        if rule == "input_metrics_only":
            kinds = "/".join(f"{n} {kind}" for kind, n in d["kpis"].items())
            if d["reason"] == "no_outcome_kpi":
                return f"KPIs {kinds}"
            return f"0 of {d['measurements_in_window']} measurements in {d['window_days']} days on outcome KPIs"
        if rule == "stale_reporting":
            since = d["last_measured_on"] or f"{d['stage']} entry {d['stage_entered_on']}"
            return f"{d['days_without_measurement']} days since {since} > {d['max_days']}"
        if rule in ("risk_unassessed", "prohibited_in_use"):
            return f"tier {d['risk_tier']}, {d['days_in_stage']} days in {d['stage']}"
        if rule == "practices_lapsed":
            return f"{len(d['not_in_effect'])} of 8 not in effect: {', '.join(d['not_in_effect'])}"
    except (KeyError, TypeError, AttributeError):
        pass
    return ""
