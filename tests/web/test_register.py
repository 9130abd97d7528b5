"""The register website through HTTP, as a resident's browser would ask for it."""

import csv
import io
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal

import feedparser
import pytest
import sqlalchemy as sa
from html5lib.html5parser import ParseError

from tests import factories
from tests.web.pages import (
    INTERNAL_NOTE,
    PERMITS_IN_KOREAN,
    check_page,
    practice,
    public_project,
    small_register,
    text_of,
)
from tracker.extensions import db
from tracker.projects.models import Project, StageTransition

KO = {"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"}


def page(client, url, headers=None, status=200):
    response = client.get(url, headers=headers or {})
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response, check_page(response.get_data(as_text=True))


def listed_keys(root) -> list[str]:
    return [a.get("href").split("?")[0].rsplit("/", 1)[1] for a in root.findall(".//ol[@class='results']/li/h3/a")]


# --- languages ---------------------------------------------------------------------------------


def test_a_korean_browser_gets_korean_pages_and_the_answer_says_so(client, session):
    small_register()
    response, root = page(client, "/registry", KO)
    assert root.get("lang") == "ko"
    assert response.headers["Content-Language"] == "ko"
    assert "Accept-Language" in response.headers["Vary"]
    assert root.find(".//h1").text == "운영 중인 AI 시스템"
    assert "본문 바로가기" in text_of(root)


@pytest.mark.parametrize(
    ("headers", "query", "expected"),
    [
        ({}, "", "en"),
        ({"Accept-Language": "*"}, "", "en"),
        ({"Accept-Language": "en-US,en;q=0.9,ko;q=0.8"}, "", "en"),
        (KO, "?lang=en", "en"),
        ({}, "?lang=ko", "ko"),
        (KO, "?lang=fr", "ko"),  # an unsupported lang is ignored on the register's pages
    ],
)
def test_the_language_is_lang_then_accept_language_then_the_default(client, session, headers, query, expected):
    response, root = page(client, f"/registry{query}", headers)
    assert root.get("lang") == expected and response.headers["Content-Language"] == expected


def test_default_locale_decides_when_the_browser_does_not(database_url, tmp_path):
    from tracker import create_app

    app = create_app({"DATABASE_URL": database_url or f"sqlite:///{tmp_path / 'k.db'}", "DEFAULT_LOCALE": "ko"})
    from tracker.models import Base

    with app.app_context():
        Base.metadata.create_all(db.engine)
    client = app.test_client()
    for headers in ({}, {"Accept-Language": "*"}, {"Accept-Language": "fr"}):
        assert client.get("/registry/accessibility", headers=headers).headers["Content-Language"] == "ko"
    db.engine.dispose()


def test_a_chosen_language_is_kept_in_the_pages_links_and_the_switcher_offers_the_other(client, session):
    small_register()
    for n in range(25):
        public_project(key=f"CITY-MORE-{n:02d}")
    _, root = page(client, "/registry?lang=ko&stage=pilot")
    entry_links = [a.get("href") for a in root.findall(".//ol[@class='results']/li/h3/a")]
    assert entry_links and all(href.endswith("?lang=ko") for href in entry_links)
    assert root.find(".//input[@name='lang']").get("value") == "ko"  # the search form keeps it
    next_page = root.find(".//a[@rel='next']").get("href")
    assert "lang=ko" in next_page and "stage=pilot" in next_page and "page=2" in next_page
    switcher = {a.get("lang"): a.get("href") for a in root.findall(".//nav[@class='languages']//a")}
    assert switcher == {"en": "/registry?lang=en&stage=pilot"}
    # without ?lang=, links carry no lang: the browser's language goes on deciding
    _, root = page(client, "/registry", KO)
    assert all("lang=" not in a.get("href") for a in root.findall(".//ol[@class='results']/li/h3/a"))


# --- the list ----------------------------------------------------------------------------------


def test_the_list_shows_public_entries_only_newest_change_first_and_says_how_many(client, session):
    entries = small_register()
    response, root = page(client, "/registry")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    keys = listed_keys(root)
    assert set(keys) == {"SEOUL-TRAFFIC-01", "CITY-PERMITS-01", "CITY-STOPPED-01"}
    assert keys[0] == "CITY-STOPPED-01"  # created last
    assert "3 AI systems are listed." in text_of(root)
    assert "Stopped" in text_of(root.find(".//ol[@class='results']/li"))
    # a change to an older entry brings it to the top
    db.session.get(Project, entries["permits"].id).purpose = "Checks permit applications for missing documents."
    db.session.commit()
    assert listed_keys(page(client, "/registry")[1])[0] == "CITY-PERMITS-01"
    # and so does a practice written for it (its project's updated_at untouched)
    updated_at = db.session.get(Project, entries["seoul"].id).updated_at
    practice(entries["seoul"], "monitoring", "in_progress")
    db.session.remove()
    seoul = db.session.get(Project, entries["seoul"].id)
    assert seoul.updated_at == updated_at and seoul.changed_at > updated_at
    assert listed_keys(page(client, "/registry")[1])[0] == "SEOUL-TRAFFIC-01"


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("교통", {"SEOUL-TRAFFIC-01"}),  # inside a Korean compound word
        ("신호", {"SEOUL-TRAFFIC-01"}),  # two characters, in the middle of a word
        ("교통운영과", {"SEOUL-TRAFFIC-01"}),  # the department
        ("seoul-traffic", {"SEOUL-TRAFFIC-01"}),  # the key, any case
        ("PERMIT", {"CITY-PERMITS-01"}),
        ("pre-check ASSIST", {"CITY-PERMITS-01"}),  # every word, inside words
        ("permit 교통", set()),  # every word must match
        ("planning", {"CITY-PERMITS-01", "CITY-STOPPED-01"}),
        ("secret", set()),  # a private project is never found
        ("timing", {"CITY-PERMITS-01", "CITY-STOPPED-01"}),  # purpose
    ],
)
def test_search_matches_every_word_inside_words_in_any_case(client, session, q, expected):
    small_register()
    _, root = page(client, f"/registry?q={q}")
    assert set(listed_keys(root)) == expected


def test_search_folds_case_in_unicode_and_normalises_before_comparing(client, session):
    public_project(key="DE-1", title="Straßenreinigung Planung", department="Öffentliche Ordnung")
    public_project(key="GR-1", title="ΟΔΙΚΗ ΑΣΦΑΛΕΙΑ", department="Δήμος")
    public_project(key="FR-1", title="École numérique", department="Éducation")
    cases = {
        "STRASSE": {"DE-1"},
        "öffentliche": {"DE-1"},
        "οδικη": {"GR-1"},
        "ÉCOLE": {"FR-1"},
        unicodedata.normalize("NFD", "école"): {"FR-1"},  # decomposed accents, as some keyboards send
        unicodedata.normalize("NFD", "Éducation"): {"FR-1"},
    }
    for q, expected in cases.items():
        assert set(listed_keys(_search(client, q))) == expected, q


def _search(client, q):
    response = client.get("/registry", query_string={"q": q})
    assert response.status_code == 200
    return check_page(response.get_data(as_text=True))


def test_korean_typed_as_separate_jamo_finds_the_composed_syllables(client, session):
    public_project(key="SEOUL-1", **{"title": "교통신호 최적화"})
    decomposed = unicodedata.normalize("NFD", "교통")
    assert decomposed != "교통"
    assert listed_keys(_search(client, decomposed)) == ["SEOUL-1"]


def test_percent_and_underscore_in_a_search_match_themselves(client, session):
    # every searched field written here: the factory's sample texts hold percentages too
    same = {"problem": "Queues at junctions.", "department": "Transport"}
    public_project(key="P-1", title="Cuts waiting by 30% at junctions", **same)
    public_project(key="P-2", title="Cuts waiting by 305 at junctions", **same)
    public_project(key="U-1", title="model_v2 rollout", **same)
    public_project(key="U-2", title="modelXv2 rollout", **same)
    assert listed_keys(_search(client, "30%")) == ["P-1"]
    assert listed_keys(_search(client, "l_v")) == ["U-1"]
    assert listed_keys(_search(client, "%")) == ["P-1"]


def test_quotes_backslashes_and_single_letters_in_a_search_match_themselves(client, session):
    public_project(key="Q-1", title="O'Brien's queue \\ triage")
    public_project(key="Q-2", title="Obrien queue triage")
    assert listed_keys(_search(client, "o'brien's")) == ["Q-1"]
    assert listed_keys(_search(client, "\\")) == ["Q-1"]
    assert listed_keys(_search(client, "e\\")) == []  # "e \\": the space is between them
    assert set(listed_keys(_search(client, "q"))) == {"Q-1", "Q-2"}  # one letter: a full read
    assert listed_keys(_search(client, "' & !")) == []


def test_text_no_database_stores_in_the_address_is_never_an_error(client, session):
    public_project(key="CITY-AB-01", title="Abc planning")
    # a NUL in a search or a filter is a slip: dropped, the rest searched
    assert listed_keys(_search(client, "ab\x00c")) == ["CITY-AB-01"]
    assert listed_keys(page(client, "/registry?department=%00")[1]) == ["CITY-AB-01"]
    assert listed_keys(page(client, "/registry?q=%00&stage=%00retired")[1]) == []  # none is retired
    # no key holds one: the page that does not exist
    _, root = page(client, "/registry/CITY-AB-01%00", status=404)
    assert "CITY-AB-01" not in text_of(root)


@pytest.mark.postgres_only
def test_on_postgresql_a_search_reads_the_ngram_index_not_every_entry(client, session):
    for n in range(30):
        public_project(key=f"CITY-{n:02d}", title=f"교통신호 최적화 {n}" if n % 3 == 0 else f"Permit triage {n}")
    with db.engine.connect() as connection:
        connection.execute(sa.text("ANALYZE projects"))
    searches = []

    def keep_search(conn, cursor, statement, parameters, context, executemany):
        if "register_ngrams" in statement:
            searches.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", keep_search)
    try:
        assert len(listed_keys(_search(client, "교통"))) == 10
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep_search)
    assert searches, "the search did not ask the n-gram index"
    with db.engine.connect() as connection:
        for statement, parameters in searches:
            plan = connection.exec_driver_sql("EXPLAIN " + statement, parameters).scalars().all()
            assert any("ix_projects_search_ngrams" in line for line in plan), plan


def test_filters_offer_the_values_in_use_among_public_entries_and_combine(client, session):
    small_register()
    _, root = page(client, "/registry")

    def options(name):
        return [o.get("value") for o in root.findall(f".//select[@name='{name}']/option")]

    assert options("department") == ["", "Planning", "서울특별시 교통운영과"]
    assert options("stage") == ["", "pilot", "rollout", "cancelled"]
    assert options("risk_tier") == ["", "minimal", "limited", "high_impact"]
    assert options("domain") == ["", "mobility", "operations"]
    assert "Secret pilot" not in text_of(root)
    _, root = page(client, "/registry?department=Planning&stage=cancelled")
    assert listed_keys(root) == ["CITY-STOPPED-01"]
    assert "1 AI system matches." in text_of(root)
    assert root.find(".//select[@name='stage']/option[@selected]").get("value") == "cancelled"
    _, root = page(client, "/registry?risk_tier=high_impact&q=신호")
    assert listed_keys(root) == ["SEOUL-TRAFFIC-01"]


def test_a_value_no_entry_uses_finds_nothing_and_says_how_to_widen(client, session):
    small_register()
    for url in ("/registry?department=Nowhere", "/registry?stage=bogus", "/registry?q=zzzz", "/registry?page=x"):
        _response, root = page(client, url)
        if url.endswith("page=x"):
            assert len(listed_keys(root)) == 3
            continue
        assert listed_keys(root) == []
        text = text_of(root)
        assert "No AI system matches your search." in text and "see all 3 AI systems listed" in text
        assert root.find(".//a[.='Clear search and filters']") is not None
    _, root = page(client, "/registry?department=Nowhere&lang=ko")
    assert "검색 조건에 맞는 AI 시스템이 없습니다." in text_of(root)
    # the unused value stays visible in its select
    assert root.find(".//select[@name='department']/option[@selected]").get("value") == "Nowhere"


def test_twenty_to_a_page_and_a_page_out_of_range_is_the_nearest(client, session):
    for n in range(45):
        public_project(key=f"CITY-{n:02d}")
    _, first = page(client, "/registry")
    assert len(listed_keys(first)) == 20 and "45 AI systems are listed." in text_of(first)
    assert "Page 1 of 3" in text_of(first)
    _, last = page(client, "/registry?page=99")
    assert len(listed_keys(last)) == 5 and "Page 3 of 3" in text_of(last)
    assert listed_keys(last)[-1] == "CITY-00"
    _, zero = page(client, "/registry?page=-4")
    assert listed_keys(zero) == listed_keys(first)
    all_keys = set()
    for number in (1, 2, 3):
        all_keys |= set(listed_keys(page(client, f"/registry?page={number}")[1]))
    assert len(all_keys) == 45


def test_a_search_follows_edits_made_through_the_api(client, session, admin):
    project = public_project(key="CITY-EDIT-01", title="Pothole finder", owner=admin.user)
    etag = admin.get(f"/api/v1/projects/{project.id}").headers["ETag"]
    response = admin.patch(
        f"/api/v1/projects/{project.id}", json={"title": "도로 파손 탐지"}, headers={"If-Match": etag}
    )
    assert response.status_code == 200, response.json
    assert listed_keys(_search(client, "파손")) == ["CITY-EDIT-01"]
    assert listed_keys(_search(client, "pothole")) == []


# --- a system's page -----------------------------------------------------------------------------


def test_a_high_impact_systems_page_follows_specs_order_with_dates_for_people(client, session):
    entries = small_register()
    seoul = entries["seoul"]
    project = db.session.get(Project, seoul.id)
    project.stage_entered_at = date(2025, 3, 1)
    db.session.commit()
    db.session.execute(
        sa.update(StageTransition).where(StageTransition.project_id == seoul.id).values(effective_date=date(2025, 3, 1))
    )
    db.session.commit()
    _response, root = page(client, "/registry/SEOUL-TRAFFIC-01?lang=en")
    text = text_of(root)
    headings = [h.text for h in root.findall(".//h2")]
    assert headings[:5] == [
        "The problem it solves",
        "Stages so far",
        "Who is responsible",
        "Risk level: High-impact AI",
        "Human oversight",
    ]
    assert headings[5:10] == [
        "How to object or appeal",
        "Data it uses",
        "How it works",
        "Risks and how they are handled",
        "Risk-management practices",
    ]
    assert text.index("교통신호 최적화") < text.index(seoul.purpose) < text.index(seoul.problem)
    # rollout as the first entry: PoC and pilot implied, named without a date
    stages = [" ".join("".join(li.itertext()).split()) for li in root.findall(".//ol[@class='timeline']/li")]
    assert stages == [
        "Proof of concept (PoC) (before the records here begin)",
        "Pilot (before the records here begin)",
        "Full rollout: from March 1, 2025",
    ]
    assert "ai@seoul.example" in text and "서울특별시 교통운영과" in text
    assert "신호 체계는 보행자 안전에 직접 영향을 줍니다." in text
    rows = {
        " ".join("".join(tr.find("th").itertext()).split()): " ".join("".join(tr.itertext()).split())
        for tr in root.findall(".//tbody/tr")
    }
    assert len(rows) == 8
    assert "Not started" in rows["Impact assessment"] and rows["Impact assessment"].endswith("No")
    assert "Done" in rows["Pre-deployment testing"] and rows["Pre-deployment testing"].endswith("Yes")
    assert "Valid until" in rows["Pre-deployment testing"]
    assert "법령상 면제" in rows["Public consultation"] and "Waived" in rows["Public consultation"]
    objection = text[text.index("How to object or appeal") : text.index("Data it uses")]
    assert "ai@seoul.example" in objection and "Appeal process: Done." in objection
    links = {a.get("href") for a in root.findall(".//ul[@class='downloads']//a")}
    assert links == {"/api/v1/registry/SEOUL-TRAFFIC-01", "/api/v1/registry", "/api/v1/registry.csv"}
    _, root = page(client, "/registry/SEOUL-TRAFFIC-01", KO)
    text = text_of(root)
    assert "전면 확산: 2025년 3월 1일부터" in text and "개념검증(PoC) (기록 시작 이전)" in text
    assert "고영향 AI" in text and "영향평가" in text and "이의제기 방법" in text


def test_a_limited_systems_page_has_no_practices_and_hides_empty_fields(client, session):
    public_project(key="CITY-LIMITED-01", title="Library chatbot", problem="", department="")
    _, root = page(client, "/registry/CITY-LIMITED-01")
    headings = [h.text for h in root.findall(".//h2")]
    assert "Risk-management practices" not in headings
    assert "The problem it solves" not in headings
    assert "Department" not in [dt.text for dt in root.findall(".//dt")]
    assert "Limited risk (transparency duty)" in text_of(root)


def test_nothing_internal_ever_reaches_a_systems_page_the_list_or_the_feed(client, session):
    entries = small_register()
    seoul = entries["seoul"]
    factories.BudgetLineFactory(project=seoul, amount=Decimal("987654.32"), source="SECRET-BUDGET-SOURCE")
    kpi = factories.KpiFactory(project=seoul, name="SECRET-KPI-NAME")
    factories.MeasurementFactory(kpi=kpi, note="SECRET-MEASUREMENT-NOTE")
    factories.FlagFactory(project=seoul, rule="pilot_purgatory")
    project = db.session.get(Project, seoul.id)
    project.description = "SECRET-INTERNAL-DESCRIPTION"
    db.session.commit()
    owner_email = project.owner.email
    bodies = [
        client.get(url, headers=headers).get_data(as_text=True)
        for url in ("/registry/SEOUL-TRAFFIC-01", "/registry", "/registry/feed.atom")
        for headers in ({}, KO)
    ]
    for body in bodies:
        for secret in (
            "987654",
            "SECRET-BUDGET-SOURCE",
            "SECRET-KPI-NAME",
            "SECRET-MEASUREMENT-NOTE",
            "pilot_purgatory",
            "purgatory",
            "SECRET-INTERNAL-DESCRIPTION",
            INTERNAL_NOTE,
            owner_email,
            "created by a test factory",  # the stage decision's rationale
            "unmet",
        ):
            assert secret not in body


def test_a_key_that_is_not_public_is_a_translated_html_404_and_the_api_keeps_json(client, session):
    small_register()
    for key in ("CITY-PRIVATE-01", "NO-SUCH-KEY"):
        response, root = page(client, f"/registry/{key}", KO, status=404)
        assert root.find(".//h1").text == "페이지를 찾을 수 없습니다"
        assert response.headers["Content-Language"] == "ko"
        _, root = page(client, f"/registry/{key}?lang=en", status=404)
        assert root.find(".//h1").text == "Page not found"
    response = client.get("/api/v1/registry/CITY-PRIVATE-01", headers=KO)
    assert response.status_code == 404 and response.json["code"] == 404
    assert "Secret pilot" not in client.get("/registry/CITY-PRIVATE-01").get_data(as_text=True)


def test_pages_carry_no_script_and_load_only_the_apps_own_stylesheet(client, session):
    small_register()
    response = client.get("/registry")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src" not in csp and "default-src 'none'" in csp and "style-src 'self'" in csp
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    css = client.get("/assets/site.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    stylesheet = css.get_data(as_text=True)
    assert "@media print" in stylesheet
    assert "url(" not in stylesheet and "@import" not in stylesheet
    assert "Accept-Language" not in css.headers.get("Vary", "")


def test_a_form_post_to_a_page_is_not_refused_as_non_json(client, session):
    response = client.post("/registry", data={"q": "x"})
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert "GET" in response.headers["Allow"]


# --- feed, statement, downloads ------------------------------------------------------------------


def test_the_atom_feed_parses_cleanly_with_stable_ids_and_last_changes(client, session):
    entries = small_register()
    for n in range(55):
        public_project(key=f"CITY-FEED-{n:02d}")
    response = client.get("/registry/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert len(parsed.entries) == 50
    assert parsed.entries[0].link == "http://tracker.test/registry/CITY-FEED-54"
    ids = [e.id for e in parsed.entries]
    assert len(set(ids)) == 50 and all(i.startswith("tag:tracker.test,2026:registry:project-") for i in ids)
    # a change brings the entry to the top under the same id, with its new last change
    permits = db.session.get(Project, entries["permits"].id)
    permits.title = "Permit pre-check assistant (v2)"
    db.session.commit()
    again = feedparser.parse(client.get("/registry/feed.atom", headers=KO).get_data())
    top = again.entries[0]
    assert top.id == f"tag:tracker.test,2026:registry:project-{permits.id}"
    # the Korean reader's title: the entry's Korean translation, still shown though its original changed
    assert top.title == PERMITS_IN_KOREAN["title"]
    english = feedparser.parse(client.get("/registry/feed.atom?lang=en").get_data())
    assert english.entries[0].title == "Permit pre-check assistant (v2)"
    changed_at = db.session.get(Project, permits.id).changed_at
    assert top.updated_parsed[:6] == changed_at.utctimetuple()[:6]
    assert again.feed.updated_parsed == top.updated_parsed
    assert again.feed.language == "ko"


def test_the_accessibility_statement_names_the_standards_the_test_the_date_and_the_contact(app, client):
    app.config["CAIO_EMAIL"] = "caio@city.example"
    _, root = page(client, "/registry/accessibility")
    text = text_of(root)
    for words in ("WCAG) 2.1", "KWCAG) 2.2", "axe-core", "Chromium", "caio@city.example", "last checked on"):
        assert words in text
    # what no automated checker sees, and how it is checked
    assert "(WCAG success criterion 3.1.2, Language of Parts)" in text
    assert "marked with its language, so a screen reader reads it with the right voice" in text
    _, root = page(client, "/registry/accessibility?lang=ko")
    assert "마지막 점검일: 2026년 12월 7일." in text_of(root)
    assert "(WCAG 성공 기준 3.1.2, 부분 언어)" in text_of(root)


def test_the_registry_csv_link_gives_every_public_entry_as_the_api_does_with_accept_csv(client, session):
    small_register()
    plain = client.get("/api/v1/registry.csv")
    negotiated = client.get("/api/v1/registry", headers={"Accept": "text/csv"})
    assert plain.status_code == 200 and plain.mimetype == "text/csv"
    assert plain.get_data() == negotiated.get_data()
    assert plain.get_data().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(plain.get_data(as_text=True).lstrip("\ufeff"))))
    assert {row["key"] for row in rows} == {"SEOUL-TRAFFIC-01", "CITY-PERMITS-01", "CITY-STOPPED-01"}
    assert 'filename="ai-registry.csv"' in plain.headers["Content-Disposition"]


def test_pages_need_no_token_and_ignore_a_bad_one(client, session):
    small_register()
    for url in ("/registry", "/registry/CITY-PERMITS-01", "/registry/feed.atom", "/registry/accessibility"):
        assert client.get(url, headers={"Authorization": "Bearer nonsense"}).status_code == 200


def test_dates_in_the_list_are_written_for_people(client, session):
    project = public_project(key="CITY-DATED-01")
    late_evening = datetime(2026, 3, 5, 23, 30, tzinfo=UTC)  # a UTC day
    db.session.execute(sa.update(Project).where(Project.id == project.id).values(changed_at=late_evening))
    db.session.commit()
    assert "Changed March 5, 2026" in text_of(page(client, "/registry")[1])
    assert "2026년 3월 5일 변경" in text_of(page(client, "/registry?lang=ko")[1])


def test_the_demo_register_has_entries_in_both_languages(client, session):
    from tracker.demo import seed_demo

    seed_demo(db.session, today=date.today())
    _, root = page(client, "/registry?q=보행신호", KO)
    assert listed_keys(root) == ["NH-MOB-CROSSING-01"]
    _, root = page(client, "/registry?q=bridge")
    assert "NH-INF-BRIDGE-01" in listed_keys(root)


def test_catalogues_serve_code_outside_any_request_as_the_deliverer_renders_emails(app):
    from flask_babel import force_locale, gettext

    with app.app_context():
        assert gettext("Page not found") == "Page not found"
        with force_locale("ko"):
            assert gettext("Page not found") == "페이지를 찾을 수 없습니다"


@pytest.mark.parametrize(
    "bad",
    [
        '<p onclick="steal()">x</p>',
        "<script>steal()</script>",
        '<link rel="stylesheet" href="https://cdn.example/x.css">',
        '<p id="a">x</p><p id="a">y</p>',
        '<input id="q" name="q">',
        "<p>unclosed <b>bold</p>",
    ],
)
def test_the_markup_checks_catch_what_a_page_must_never_have(bad):
    body = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body>'
        f'<a href="#main">skip</a><main id="main"><h1>t</h1>{bad}</main></body></html>'
    )
    with pytest.raises((AssertionError, ParseError)):
        check_page(body)


def test_a_view_may_prefer_the_readers_own_language_unless_lang_says_otherwise(app):
    from flask import g
    from flask_babel import get_locale

    with app.test_request_context("/alerts/act/x", headers={"Accept-Language": "en"}):
        g.preferred_locale = "ko"  # e.g. the email's recipient
        assert str(get_locale()) == "ko"
    with app.test_request_context("/alerts/act/x?lang=en", headers={"Accept-Language": "ko"}):
        g.preferred_locale = "ko"
        assert str(get_locale()) == "en"
