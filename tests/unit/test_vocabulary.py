"""One vocabulary per language (tracker/i18n/vocab.py): every code has one name, the rules'
sentences use the same words, the JSON API's English is the names as written, and Korean
sentences never glue a particle onto a name whose last sound they cannot know."""

import re

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale
from jinja2 import Environment

from tests.unit.test_rule_wording import CatalogueWords
from tests.unit.test_stall_rules import AS_OF, facts
from tracker.config import DEFAULT_DOMAINS
from tracker.flags import rules
from tracker.i18n import catalogue_path, translations_for, vocab
from tracker.vocab import (
    AI_TYPES,
    FLAG_STATUSES,
    KPI_KINDS,
    PRACTICE_STATUSES,
    PRACTICES,
    RISK_TIERS,
    RULES,
    STAGES,
)

VOCABULARIES = {
    "stages": (vocab.STAGE_NAMES, STAGES),
    "risk tiers": (vocab.RISK_TIER_NAMES, RISK_TIERS),
    "practices": (vocab.PRACTICE_NAMES, PRACTICES),
    "practice statuses": (vocab.PRACTICE_STATUS_NAMES, PRACTICE_STATUSES),
    "rules": (vocab.RULE_NAMES, RULES),
    "flag statuses": (vocab.FLAG_STATUS_NAMES, FLAG_STATUSES),
    "KPI kinds": (vocab.KPI_KIND_NAMES, KPI_KINDS),
    "domains": (vocab.DOMAIN_NAMES, tuple(DEFAULT_DOMAINS.split(","))),
    "AI types": (vocab.AI_TYPE_NAMES, AI_TYPES),
}


@pytest.mark.parametrize("what", VOCABULARIES)
def test_every_code_has_one_name_and_no_two_codes_share_one_in_either_language(what):
    names, codes = VOCABULARIES[what]
    assert tuple(names) == codes
    korean = translations_for("ko")
    for language in (lambda term: term.english, lambda term: korean.gettext(term.english)):
        shown = [language(term) for term in names.values()]
        assert len(set(shown)) == len(shown), shown


def test_rollout_is_full_rollout_in_english_and_korean():
    assert vocab.STAGE_NAMES["rollout"].english == "Full rollout"
    assert translations_for("ko").gettext(vocab.STAGE_NAMES["rollout"].english) == "전면 확산"


def test_a_term_is_english_outside_a_request_and_the_readers_language_inside_one(app):
    term = vocab.STAGE_NAMES["rollout"]
    assert str(term) == "Full rollout" == term.english
    with app.app_context(), force_locale("ko"):
        assert str(term) == "전면 확산" and term.english == "Full rollout"
        assert Environment(autoescape=True).from_string("{{ t }}").render(t=term) == "전면 확산"
        assert f"{term} · {vocab.BUDGET_MEASURES['spent']}" == "전면 확산 · 집행"


@pytest.mark.parametrize(
    ("name", "inside"),
    [
        ("Full rollout", "full rollout"),
        ("Proof of concept (PoC)", "proof of concept (PoC)"),
        ("High-impact AI", "high-impact AI"),
        ("PoC", "PoC"),
        ("AI", "AI"),
        ("전면 확산", "전면 확산"),
        ("", ""),
    ],
)
def test_a_name_inside_a_sentence_loses_its_capital_only(name, inside):
    assert vocab.in_sentence(name) == inside


@pytest.mark.parametrize(
    ("code", "named"), [("rollout", "full rollout"), ("pilot", "pilot"), ("poc", "proof of concept (PoC)")]
)
def test_the_api_names_a_stage_in_the_vocabularys_words(code, named):
    assert vocab.api_name(vocab.STAGE_NAMES, code) == named
    assert vocab.api_name(vocab.RISK_TIER_NAMES, "minimal") == "minimal risk"
    assert vocab.api_name(vocab.RISK_TIER_NAMES, "high_impact") == "high-impact AI (high_impact)"


def test_the_rules_sentences_name_stages_practices_and_kpi_kinds_with_the_vocabularys_words():
    lapsed = rules.practices_lapsed(facts("rollout", risk_tier="high_impact"), valid_days=365)
    english = rules.explain("practices_lapsed", lapsed)
    assert "in full rollout" in english
    for key in PRACTICES:
        assert vocab.in_sentence(vocab.PRACTICE_NAMES[key].english) in english
    no_kpis = rules.no_kpis(facts("rollout", days_in_stage=3))
    assert rules.explain("no_kpis", no_kpis, on=AS_OF).startswith("In full rollout for 3 days")
    kpis = rules.explain("input_metrics_only", rules.input_metrics_only(facts("pilot", input_kpis=2), window_days=90))
    assert "(2 input)" in kpis
    korean = CatalogueWords("ko")
    in_korean = rules.explain("practices_lapsed", lapsed, words=korean)
    for key in PRACTICES:
        assert korean.gettext(vocab.PRACTICE_NAMES[key].english) in in_korean
    assert rules.explain("no_kpis", no_kpis, on=AS_OF, words=korean).startswith("전면 확산 단계가 3일째")


# placeholders holding a name whose last sound a sentence cannot know
NAMES = ("organisation", "name", "project", "title", "department", "language")
# a Korean particle that changes with the last sound of the word before it (이/가, 을/를, 은/는,
# 과/와, 으로/로), also written with both forms at once ("이(가)")
GLUED = re.compile(r"%\((" + "|".join(NAMES) + r")\)s(이|가|을|를|은|는|과|와|으로|로|\()")


def test_no_korean_sentence_glues_a_particle_onto_a_name_it_cannot_know_the_last_sound_of():
    with catalogue_path("ko").open("rb") as handle:
        catalogue = read_po(handle, locale="ko")
    glued = []
    for message in catalogue:
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            if text and GLUED.search(text):
                glued.append(text)
    assert glued == []
    assert GLUED.search("%(organisation)s이(가) 운영하거나")  # the sentence issue 20 found
    assert not GLUED.search("%(organisation)s의 AI 담당 부서") and not GLUED.search("원문(%(language)s)으로만")
