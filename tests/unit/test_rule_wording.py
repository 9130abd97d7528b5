"""The rules' wording in every language: each rule has a title, a summary and an explanation, and each
is translated. The rules write through a `Words`; here one reads the Korean catalogue directly (no
Flask), so a rule added without its translations fails here, not in a Korean owner's inbox."""

import re
from datetime import date, timedelta

import pytest

from tests.unit.test_stall_rules import ALL_DONE, AS_OF, THRESHOLDS, done, facts
from tracker.flags import rules
from tracker.i18n import SOURCE_LOCALE, SUPPORTED_LOCALES, translations_for, vocab
from tracker.vocab import RULES

TRANSLATED = [locale for locale in SUPPORTED_LOCALES if locale != SOURCE_LOCALE]


class CatalogueWords:
    """The wording of one catalogue, dates and numbers left as they are."""

    def __init__(self, locale: str):
        self.translations = translations_for(locale)

    def gettext(self, message: str, **values) -> str:
        translated = self.translations.gettext(message)
        return translated % values if values else translated

    def day(self, iso: str) -> str:
        return iso

    def number(self, value: int) -> str:
        return str(value)


def every_finding() -> dict[str, list[dict]]:
    """Details of every rule and every branch of its wording. A new rule adds its own here."""
    found = rules.evaluate(facts("pilot", days_in_stage=200, input_kpis=2), THRESHOLDS)
    return {
        "poc_stalled": [rules.poc_stalled(facts("poc", days_in_stage=120), max_days=90)],
        "pilot_purgatory": [found["pilot_purgatory"]],
        "no_scale_budget": [found["no_scale_budget"]],
        "no_kpis": [rules.no_kpis(facts("rollout", days_in_stage=7))],
        "input_metrics_only": [
            found["input_metrics_only"],
            rules.input_metrics_only(
                facts("rollout", input_kpis=1, outcome_kpis=2, measurements_in_window=5), window_days=90
            ),
        ],
        "stale_reporting": [
            found["stale_reporting"],
            rules.stale_reporting(
                facts("rollout", output_kpis=1, last_measured_on=AS_OF - timedelta(days=75)), max_days=60
            ),
        ],
        "risk_unassessed": [rules.risk_unassessed(facts("pilot", days_in_stage=40, risk_tier="unassessed"))],
        "practices_lapsed": [
            rules.practices_lapsed(
                facts("rollout", risk_tier="high_impact", practices={**ALL_DONE, "appeal": done("appeal", 400)}),
                valid_days=365,
            ),
            rules.practices_lapsed(
                facts("rollout", risk_tier="high_impact", practices={"testing": done("testing", 30)}), valid_days=365
            ),
        ],
        "prohibited_in_use": [
            rules.prohibited_in_use(facts("poc", days_in_stage=12, risk_tier="prohibited")),
            rules.prohibited_in_use(facts("rollout", days_in_stage=300, risk_tier="prohibited")),
        ],
    }


def english_left(text: str) -> list[str]:
    """English words left in a translation (the acronyms KPI and PoC are Korean usage too)."""
    return [word for word in re.findall(r"[A-Za-z]{3,}", text) if word not in {"KPI", "PoC"}]


def test_every_rule_has_a_title_a_summary_and_a_sample_here():
    assert set(vocab.RULE_NAMES) == set(RULES)
    assert set(rules.SUMMARIES) == set(RULES)
    assert set(every_finding()) == set(RULES), "add the new rule's details to every_finding()"


@pytest.mark.parametrize("locale", TRANSLATED)
@pytest.mark.parametrize("rule", RULES)
def test_each_rules_title_summary_and_explanations_are_translated(locale, rule):
    words = CatalogueWords(locale)
    assert not english_left(rules.title(rule, words)), rules.title(rule, words)
    assert not english_left(rules.explain(rule, {}, words=words)), rules.explain(rule, {}, words=words)
    for details in every_finding()[rule]:
        explained = rules.explain(rule, details, on=AS_OF, words=words)
        assert explained != rules.SUMMARIES[rule] and explained != rules.explain(rule, details, on=AS_OF)
        assert not english_left(explained), explained
        for number in re.findall(r"\d+", rules.explain(rule, details, on=AS_OF)):
            assert number in explained  # the numbers are all still there


def test_the_korean_wording_reads_as_a_korean_civil_servant_would_write_it():
    words = CatalogueWords("ko")
    details = rules.pilot_purgatory(facts("pilot", days_in_stage=200), max_days=180)
    assert rules.explain("pilot_purgatory", details, on=AS_OF, words=words) == (
        f"시범사업(파일럿)이 200일째({date.fromisoformat(details['stage_entered_on'])}부터) 진행 중으로, "
        "허용 기간 180일을 넘었습니다. 시범사업 장기 정체 상태입니다. 전면 확산 또는 중단을 결정하십시오."
    )
    assert rules.title("no_scale_budget", words) == "확산 예산 미편성"
    kpis = rules.input_metrics_only(facts("pilot", input_kpis=2, output_kpis=1), window_days=90)
    assert "(투입 2개, 산출 1개)" in rules.explain("input_metrics_only", kpis, on=AS_OF, words=words)


def test_the_api_wording_is_english_with_machine_formats():
    details = rules.pilot_purgatory(facts("pilot", days_in_stage=1200), max_days=180)
    assert rules.explain("pilot_purgatory", details, on=AS_OF) == rules.explain(
        "pilot_purgatory", details, on=AS_OF, words=rules.ENGLISH
    )
    assert rules.explain("pilot_purgatory", details, on=AS_OF).startswith(
        f"In pilot for 1200 days (since {details['stage_entered_on']})"
    )
