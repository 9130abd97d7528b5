"""The printable portfolio report in its reader's language: `?lang=`, else Accept-Language, else
DEFAULT_LOCALE; an unsupported `lang` is a 422 like any invalid parameter of the API. Every word
translated, dates, numbers and money written by Babel, the organisation named. JSON and CSV keep
their machine formats whatever the language."""

import re
from decimal import Decimal

import pytest

from tests import factories
from tests.api.test_portfolio_report import NOW, URL, portfolio  # noqa: F401 - the fixture

HTML = {"Accept": "text/html"}
# every interface string of the English page that a Korean page must not show
ENGLISH_WORDS = (
    "AI portfolio report",
    "As of the end of",
    "generated",
    "Projects by stage",
    "Median days in stage",
    "Funnel",
    "Entered PoC",
    "Reached pilot",
    "Budget by stage",
    "Budget by fiscal year",
    "Planned",
    "Approved",
    "Spent",
    "Currency",
    "KPI coverage",
    "Open flags by rule",
    "Unresolved flags",
    "Longest in pilot",
    "Days in pilot",
    "By domain",
    "By department",
    "Pilot purgatory",
    "Proof of concept",
    "Rollout",
    "Cancelled",
    " days",
)


@pytest.fixture
def millions(portfolio):  # noqa: F811 - the imported fixture, extended
    """A rollout line of USD 7,246,942.80 beside the hand-worked portfolio (a council paper's figure)."""
    factories.BudgetLineFactory(
        project=portfolio[6], stage="rollout", fiscal_year=2027, currency="USD", amount=Decimal("7246942.80")
    )
    return portfolio


def page(caller, **kwargs):
    response = caller.get(URL, headers={**HTML, **kwargs.pop("headers", {})}, **kwargs)
    assert response.status_code == 200 and response.mimetype == "text/html", response.get_data(as_text=True)[:500]
    return response, response.get_data(as_text=True)


def text_of(html: str) -> str:
    """What a reader sees: the page without its style sheet and markup."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html, flags=re.S))


def test_the_korean_page_is_korean_throughout_with_babels_dates_and_money(app, viewer, millions):
    app.config["ORGANISATION_NAME"] = "세종특별자치시"
    response, html = page(viewer, query_string={"as_of": NOW.isoformat(), "lang": "ko"})

    assert '<html lang="ko">' in html
    assert response.headers["Content-Language"] == "ko"
    assert "Accept-Language" in response.headers["Vary"] and "Accept" in response.headers["Vary"]
    assert "<title>세종특별자치시: 2025년 6월 30일 기준 AI 사업 현황 보고서</title>" in html
    assert "<h1>AI 사업 현황 보고서</h1>" in html
    assert "2025년 6월 30일 종료 시점 기준(UTC)" in html
    for figure in ("US$7,246,942.80", "₩50,000,000", "₩3,333,333", "€1,234,567.89", "US$0.21", "71.4%", "40.0%"):
        assert figure in html, figure
    assert re.search(r"<td>시범사업 장기 정체</td><td class=\"num\">1</td>", html)
    assert "<td>개념검증(PoC)</td>" in html and "<th>추진 단계</th>" in html
    # the charts' labels and figures too
    assert ">개념검증(PoC) 착수</text>" in html
    assert re.search(r">\d+일</text>", html)  # days in pilot
    assert "시범사업(파일럿) · 계획" in html
    seen = text_of(html)
    left = [words for words in ENGLISH_WORDS if words in seen]
    assert left == [], left
    # project content is shown as entered
    assert "Sécurité publique" in html and "교통정책과" in html


def test_the_english_page_writes_money_and_dates_for_english_readers(app, viewer, millions):
    app.config["ORGANISATION_NAME"] = "City of Sejong"
    response, html = page(viewer, query_string={"as_of": NOW.isoformat(), "lang": "en"})

    assert '<html lang="en">' in html and response.headers["Content-Language"] == "en"
    assert "<title>City of Sejong: AI portfolio report as of June 30, 2025</title>" in html
    assert "As of the end of June 30, 2025 (UTC)" in html
    for figure in ("$7,246,942.80", "₩50,000,000", "€1,234,567.89"):
        assert figure in html, figure
    assert "US$" not in html
    assert "7246942.80" not in html and "50000000" not in html  # no machine formats for people


@pytest.mark.parametrize(
    ("query", "headers", "language"),
    [
        ({}, {"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"}, "ko"),
        ({}, {"Accept-Language": "en-US,en;q=0.9,ko;q=0.8"}, "en"),
        ({"lang": "en"}, {"Accept-Language": "ko-KR,ko;q=0.9"}, "en"),  # ?lang= first
        ({"lang": "ko"}, {"Accept-Language": "en"}, "ko"),
        ({}, {}, "ko"),  # DEFAULT_LOCALE, here ko
        ({}, {"Accept-Language": "fr-FR, *;q=0.5"}, "ko"),  # * gets DEFAULT_LOCALE
    ],
)
def test_the_language_is_lang_then_accept_language_then_the_default(app, viewer, portfolio, query, headers, language):  # noqa: F811
    app.config["DEFAULT_LOCALE"] = "ko"
    response, html = page(viewer, query_string=query, headers=headers)
    assert response.headers["Content-Language"] == language
    assert f'<html lang="{language}">' in html
    assert ("<h1>AI 사업 현황 보고서</h1>" in html) == (language == "ko")


@pytest.mark.parametrize("lang", ["fr", "KO", "ko-KR", "", "english"])
def test_an_unsupported_lang_is_a_422_naming_it_in_every_representation(viewer, lang):
    for accept in ("text/html", "application/json", "text/csv"):
        refused = viewer.get(URL, query_string={"lang": lang}, headers={"Accept": accept})
        assert refused.status_code == 422 and refused.mimetype == "application/json", accept
        assert set(refused.json["errors"]["query"]) == {"lang"}


def test_json_and_csv_are_the_same_in_every_language(viewer, millions):
    for accept in ("application/json", "text/csv"):
        plain = viewer.get(URL, query_string={"as_of": NOW.isoformat()}, headers={"Accept": accept})
        korean = viewer.get(
            URL,
            query_string={"as_of": NOW.isoformat(), "lang": "ko"},
            headers={"Accept": accept, "Accept-Language": "ko"},
        )
        assert korean.status_code == 200 and korean.get_data() == plain.get_data(), accept
        assert "Content-Language" not in korean.headers
    csv_text = plain.get_data(as_text=True)
    assert "7246942.80" in csv_text and "pilot_purgatory" in csv_text
