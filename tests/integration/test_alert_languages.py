"""Alert emails in their reader's language, through a real SMTP server (aiosmtpd): each owner's
digest in their `locale`, the CAIO office's in DEFAULT_LOCALE, rendered by the deliverer outside
any request (`flask deliver`, the scheduler's delivery job) with the same catalogues as the pages;
dates and numbers written by Babel. The JSON API and webhooks keep English and machine formats."""

import json
from datetime import date, timedelta

import pytest

from tests.factories import FlagFactory, ProjectFactory, TranslationFactory, UserFactory
from tests.integration import mail
from tracker.alerts.digest import queue_alerts
from tracker.alerts.models import OutboxMessage
from tracker.alerts.outbox import deliver_due
from tracker.db import utcnow
from tracker.flags.models import ScanRun
from tracker.scheduler import _scheduled_delivery
from tracker.users.models import User

smtp, webhook_receiver = mail.smtp, mail.webhook_receiver  # fixtures
DAY0 = date(2026, 3, 5)
ENTERED = DAY0 - timedelta(days=1184)  # 2022-12-07
PURGATORY = {"stage": "pilot", "stage_entered_on": ENTERED.isoformat(), "max_days": 180}


def deliver_with(app, how: str) -> None:
    """Run a deliverer as it runs in production, outside any request and any app context of ours."""
    if how == "flask deliver":
        result = app.test_cli_runner().invoke(args=["deliver"])
        assert result.exit_code == 0 and result.output.startswith("sent "), result.output
    else:
        _scheduled_delivery(app)  # the scheduler's minutely job, with its own session and app context


def scan(app, session, as_of: date) -> None:
    """The alerting step of a real scan (in an app context, as the API, the CLI and the scheduler run it)."""
    with app.app_context():
        run = ScanRun(as_of=as_of, trigger="cli")
        session.add(run)
        session.flush()
        queue_alerts(session, scan=run, as_of=as_of, config=app.config)
        session.commit()


def parts(message) -> tuple[str, str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    return message["Subject"].strip(), text, message.get_body(preferencelist=("html",)).get_content()


@pytest.fixture
def portfolio(app, session, smtp):
    """박서연 reads Korean, Ana English, Min never chose (DEFAULT_LOCALE); one flag each, and one
    flag open long enough to be escalated to the CAIO office."""
    app.config.update(
        CAIO_EMAIL="caio@city.example", ESCALATE_DAYS=30, MAIL_FROM="ai@city.example", ORGANISATION_NAME="Sejong City"
    )
    owners = {
        "seoyeon": UserFactory(name="박서연", email="seoyeon@city.example", locale="ko"),
        "ana": UserFactory(name="Ana Ruiz", email="ana@city.example", locale="en"),
        "min": UserFactory(name="Min Lee", email="min@city.example", locale=None),
    }
    FlagFactory(
        project=ProjectFactory(key="TRAFFIC-01", title="교통신호 최적화", owner=owners["seoyeon"], content_locale="ko"),
        rule="pilot_purgatory",
        details=PURGATORY,
        opened_at=DAY0,
    )
    FlagFactory(
        project=ProjectFactory(key="PERMITS-01", title="Permit triage", owner=owners["ana"]),
        rule="pilot_purgatory",
        details=PURGATORY,
        opened_at=DAY0,
    )
    FlagFactory(
        project=ProjectFactory(key="WASTE-01", title="Waste routes", owner=owners["min"]),
        rule="no_kpis",
        details={"stage": "rollout", "stage_entered_on": ENTERED.isoformat()},
        opened_at=DAY0 - timedelta(days=40),
        last_alerted_on=DAY0 - timedelta(days=3),  # told already, not due for a reminder: only escalated
    )
    return owners


KO_PURGATORY = (
    "시범사업(파일럿)이 1,184일째(2022년 12월 7일부터) 진행 중으로, 허용 기간 180일을 넘었습니다. "
    "시범사업 장기 정체 상태입니다. 전면 확산 또는 중단을 결정하십시오."
)
EN_PURGATORY = (
    "In pilot for 1,184 days (since December 7, 2022), longer than the 180 days allowed: pilot purgatory. "
    "Decide to scale it up or stop it."
)


@pytest.mark.parametrize("how", ["flask deliver", "the scheduler"])
def test_each_owner_reads_their_digest_in_their_own_language(app, session, portfolio, smtp, how):
    scan(app, session, DAY0)

    deliver_with(app, how)

    [korean] = smtp.to("seoyeon@city.example")
    subject, text, html = parts(korean)
    assert subject == "AI 사업 정체 경보: 신규 1건 - TRAFFIC-01 교통신호 최적화"
    assert korean["From"] == "Sejong City <ai@city.example>"
    assert text.startswith("박서연 님, 안녕하십니까.\n\n2026년 3월 5일 AI 사업 점검 결과, 담당하신 사업에 관해")
    assert "\n신규 경보\n=========\n" in text  # as wide as the heading shows
    assert (
        f"* TRAFFIC-01 - 교통신호 최적화\n  {KO_PURGATORY}\n  규칙: 시범사업 장기 정체 (pilot_purgatory)\n"
        "  경보 발생일: 2026년 3월 5일\n"
    ) in text
    assert "\n--\nSejong City\n시범사업-확산 관리 시스템에서 보낸 메일입니다.\n" in text
    assert '<html lang="ko">' in html and f"<p>{KO_PURGATORY}</p>" in html
    assert "<h2>신규 경보</h2>" in html
    assert '<th style="text-align: left">경보 발생일</th><td>2026년 3월 5일</td>' in html
    # nothing left in English in the Korean email but the names, codes and addresses it quotes
    assert "Hello" not in text and "flagged" not in text and "Newly" not in html

    [english] = smtp.to("ana@city.example")
    subject, text, html = parts(english)
    assert subject == "AI portfolio stall flags: 1 new - PERMITS-01 Permit triage"
    assert text.startswith("Hello Ana Ruiz,\n\nThe AI portfolio scan of March 5, 2026 has news about projects you own.")
    assert f"  {EN_PURGATORY}\n  rule: Pilot purgatory (pilot_purgatory)\n  flagged since: March 5, 2026\n" in text
    assert "\n--\nSejong City\nSent by the Pilot-to-Scale Tracker.\n" in text
    assert '<html lang="en">' in html and f"<p>{EN_PURGATORY}</p>" in html

    # the office's digest: DEFAULT_LOCALE (en), whatever its owners read
    [office] = smtp.to("caio@city.example")
    subject, text, _ = parts(office)
    assert subject == "AI portfolio stall flags: 1 escalated - WASTE-01 Waste routes"
    assert text.startswith("1 stall flag unresolved for more than 30 days, as of the scan of March 5, 2026.")
    assert "In full rollout for 1,184 days with no KPI at all" in text
    assert {m.status for m in session.query(OutboxMessage)} == {"sent"}


@pytest.mark.parametrize("how", ["flask deliver", "the scheduler"])
def test_with_korean_as_the_default_the_office_and_those_who_never_chose_read_korean(
    app, session, portfolio, smtp, how
):
    app.config["DEFAULT_LOCALE"] = "ko"
    scan(app, session, DAY0 + timedelta(days=1))

    deliver_with(app, how)

    [office] = smtp.to("caio@city.example")
    subject, text, html = parts(office)
    assert subject == "AI 사업 정체 경보: 상향 보고 1건 - WASTE-01 Waste routes"
    assert text.startswith("2026년 3월 6일 점검 기준으로 30일 넘게 해결되지 않은 정체 경보가 1건 있습니다.")
    assert "\n상향 보고: 장기간 미해결\n" in text
    assert "전면 확산 단계가 1,185일째인데 성과지표(KPI)가 하나도 없습니다." in text
    assert "  담당자: Min Lee <min@city.example>\n" in text
    assert '<html lang="ko">' in html
    # a chosen language stays chosen: Ana still reads English
    assert parts(smtp.to("ana@city.example")[0])[0].startswith("AI portfolio stall flags: 1 new")
    assert parts(smtp.to("seoyeon@city.example")[0])[0].startswith("AI 사업 정체 경보: 신규 1건")


def test_the_language_is_fixed_when_queued_so_every_attempt_says_the_same(app, session, portfolio, smtp):
    smtp.refuse_next = 10  # every first attempt fails
    scan(app, session, DAY0)
    stored = session.query(OutboxMessage).filter_by(recipient="seoyeon@city.example").one()
    assert stored.payload["locale"] == "ko" and stored.subject.startswith("AI 사업 정체 경보")
    deliver_with(app, "flask deliver")
    assert smtp.received == []
    smtp.refuse_next = 0
    session.get(User, portfolio["seoyeon"].id).locale = "en"  # changed after the scan
    session.commit()

    with app.app_context():  # the retry, once its back-off has passed
        deliver_due(session, now=utcnow() + timedelta(minutes=2), config=app.config)

    [korean] = smtp.to("seoyeon@city.example")
    assert parts(korean)[0] == stored.subject


def test_the_api_and_the_webhook_keep_english_and_machine_formats(app, session, portfolio, smtp, webhook_receiver):
    app.config.update(ALERT_WEBHOOK_URL=webhook_receiver.url, ALERT_WEBHOOK_SECRET="hook-secret")
    scan(app, session, DAY0)

    deliver_with(app, "flask deliver")

    bodies = [json.loads(request["body"]) for request in webhook_receiver.requests]
    korean = next(body for body in bodies if body["recipient"]["email"] == "seoyeon@city.example")
    assert korean["locale"] == "ko"  # the language its email was written in
    assert korean["flags"][0]["explanation"] == (
        "In pilot for 1184 days (since 2022-12-07), longer than the 180 days allowed: pilot purgatory. "
        "Decide to scale it up or stop it."
    )
    assert korean["flags"][0]["opened_at"] == "2026-03-05"


def test_each_project_is_named_by_its_title_in_the_recipients_language_where_it_has_one(app, session, smtp):
    """박서연 reads Korean and owns an English project translated into Korean, and an English one
    that is not; Ana reads English and owns a Korean project that is not translated."""
    seoyeon = UserFactory(name="박서연", email="seoyeon@city.example", locale="ko")
    ana = UserFactory(name="Ana Ruiz", email="ana@city.example", locale="en")
    permits = ProjectFactory(key="PERMITS-01", title="Permit triage", owner=seoyeon, content_locale="en")
    TranslationFactory(project=permits, locale="ko", title="건축허가 분류")
    waste = ProjectFactory(key="WASTE-01", title="Waste routes", owner=seoyeon, content_locale="en")
    crossing = ProjectFactory(key="CROSSING-01", title="보행신호 연장", owner=ana, content_locale="ko")
    for project in (permits, waste, crossing):
        FlagFactory(project=project, rule="pilot_purgatory", details=PURGATORY, opened_at=DAY0)
    scan(app, session, DAY0)

    deliver_with(app, "flask deliver")

    subject, text, html = parts(smtp.to("seoyeon@city.example")[0])
    assert subject == "AI 사업 정체 경보: 신규 2건 - 사업 2개"
    assert "* PERMITS-01 - 건축허가 분류\n" in text and "* WASTE-01 - Waste routes\n" in text
    assert "Permit triage" not in text + html
    assert "<strong>PERMITS-01</strong> &mdash; <span>건축허가 분류</span>" in html
    assert '<strong>WASTE-01</strong> &mdash; <span lang="en">Waste routes</span>' in html

    subject, text, html = parts(smtp.to("ana@city.example")[0])
    assert subject == "AI portfolio stall flags: 1 new - CROSSING-01 보행신호 연장"
    assert '<strong>CROSSING-01</strong> &mdash; <span lang="ko">보행신호 연장</span>' in html
    # the webhook and the stored digest keep the original title, and the digest the translation it used
    stored = session.query(OutboxMessage).filter_by(recipient="seoyeon@city.example").one()
    projects = {flag["project"]["key"]: flag["project"] for flag in stored.payload["flags"]}
    assert projects["PERMITS-01"]["title"] == "Permit triage"
    assert projects["PERMITS-01"]["translated_title"] == "건축허가 분류"
    assert "translated_title" not in projects["WASTE-01"]


def korean_digest_of_one_translated_project(app, session, smtp, korean_title: str) -> tuple[str, str, str]:
    """박서연 reads Korean; her one flagged project is written in English with a Korean title."""
    seoyeon = UserFactory(name="박서연", email="seoyeon@city.example", locale="ko")
    permits = ProjectFactory(key="PERMITS-01", title="Permit triage", owner=seoyeon, content_locale="en")
    TranslationFactory(project=permits, locale="ko", title=korean_title)
    FlagFactory(project=permits, rule="pilot_purgatory", details=PURGATORY, opened_at=DAY0)
    scan(app, session, DAY0)
    deliver_with(app, "flask deliver")
    return parts(smtp.to("seoyeon@city.example")[0])


def test_a_korean_subject_names_a_translated_project_in_korean(app, session, smtp):
    subject, _, _ = korean_digest_of_one_translated_project(app, session, smtp, "건축허가 분류")
    assert subject == "AI 사업 정체 경보: 신규 1건 - PERMITS-01 건축허가 분류"


def test_markup_in_a_translated_title_is_text_in_the_html_email(app, session, smtp):
    _, text, html = korean_digest_of_one_translated_project(
        app, session, smtp, '<img src=x onerror="alert(1)">건축허가'
    )
    assert '* PERMITS-01 - <img src=x onerror="alert(1)">건축허가\n' in text  # plain text is text
    assert "<img" not in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;건축허가" in html
