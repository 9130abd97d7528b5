"""`flask seed-demo`, run the way a user runs it, against SQLite and PostgreSQL.

Loading is the slow part, so the checks that only read share one load (TestTheLoadedDemo);
the checks that change the database or the command's surroundings load their own.
"""

import stat
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from tests import factories
from tests.conftest import ON_POSTGRES, _truncate_all
from tracker import create_app, demo
from tracker.audit.models import AuditEvent
from tracker.budgets.models import BudgetLine
from tracker.db import utcnow
from tracker.demo_translations import UNTRANSLATED
from tracker.entry_translations.rules import TRANSLATED_FIELDS
from tracker.extensions import db
from tracker.kpis.models import Kpi, Measurement
from tracker.models import Base
from tracker.money import from_minor
from tracker.projects import rules, service
from tracker.projects.models import Project, StageTransition
from tracker.users.models import User
from tracker.vocab import STAGES

CAIO = "amara.okafor@northhaven.example"
ADMIN = "dana.whitfield@northhaven.example"
VIEWER = "elodie.fournier@northhaven.example"


def seed(app: Flask):
    return app.test_cli_runner().invoke(args=["seed-demo"])


def printed_tokens(output: str) -> dict[str, tuple[str, str]]:
    """email -> (role, token), from the table the command prints."""
    tokens = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[2].startswith("trk_"):
            tokens[parts[1]] = (parts[0], parts[2])
    return tokens


def row_counts(session) -> dict[str, int]:
    return {
        table.name: session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def bearer(tokens: dict, email: str) -> dict:
    return {"Authorization": f"Bearer {tokens[email][1]}"}


@dataclass
class Loaded:
    app: Flask
    output: str
    tokens: dict[str, tuple[str, str]]

    @property
    def tokens_file(self) -> Path:
        return Path(self.app.instance_path) / demo.TOKENS_FILE


@pytest.fixture(scope="class")
def loaded(database_url, tmp_path_factory):
    """The demo loaded once, by the command, into a fresh database."""
    folder = tmp_path_factory.mktemp("demo")
    app = create_app({"DATABASE_URL": database_url or f"sqlite:///{folder / 'tracker.db'}", "TESTING": True})
    app.instance_path = str(folder / "instance")
    with app.app_context():
        if ON_POSTGRES:
            _truncate_all()
        else:
            Base.metadata.create_all(db.engine)
    result = seed(app)
    assert result.exit_code == 0, result.output
    yield Loaded(app, result.output, printed_tokens(result.output))
    db.session.remove()
    db.engine.dispose()


@pytest.fixture
def demo_app(app, tmp_path):
    """The app with an instance folder of this test's own (the tokens file goes there)."""
    app.instance_path = str(tmp_path / "instance")
    return app


class TestTheLoadedDemo:
    """Checks that only read the demo, on one shared load (no conftest `app`: it would rebind the engine)."""

    def test_the_output_gives_every_user_a_token_that_works_against_the_api(self, loaded):
        assert "City of Northhaven" in loaded.output
        assert set(loaded.tokens) == set(demo.USER_EMAILS)
        assert {role for role, _ in loaded.tokens.values()} == {"admin", "caio", "manager", "viewer"}
        client = loaded.app.test_client()
        for email in loaded.tokens:
            listed = client.get("/api/v1/projects?page_size=100", headers=bearer(loaded.tokens, email))
            assert listed.status_code == 200, (email, listed.json)
            assert listed.headers["X-Total-Count"] == str(len(demo.PROJECT_KEYS))
            assert {p["key"] for p in listed.json} == set(demo.PROJECT_KEYS)
        curl = f'curl -H "Authorization: Bearer {loaded.tokens[CAIO][1]}" http://127.0.0.1:5000/api/v1/projects'
        assert curl in loaded.output

    def test_the_output_says_how_to_sign_in_to_the_console_with_or_without_a_mail_server(self, loaded):
        assert (
            # where the sign-in links lead (PUBLIC_BASE_URL), so one host keeps the cookies throughout
            f"The staff console: {loaded.app.config['PUBLIC_BASE_URL']}/console; sign in with any address above "
            f"(for example {CAIO})" in loaded.output
        )
        assert "SIGN_IN_LINKS_IN_LOG=true" in loaded.output and "never set it in production" in loaded.output

    def test_the_tokens_are_saved_in_the_instance_folder_readable_by_the_owner_only(self, loaded):
        assert str(loaded.tokens_file) in loaded.output
        assert stat.S_IMODE(loaded.tokens_file.stat().st_mode) == 0o600
        saved = {t.email: (t.role, t.token) for t in demo.read_tokens_file(loaded.tokens_file)}
        assert saved == loaded.tokens
        assert "박서연 (Seo-yeon Park)" in loaded.tokens_file.read_text(encoding="utf-8")

    def test_users_are_one_admin_one_caio_four_managers_and_a_viewer_whose_names_survive_encoding(self, loaded):
        users = loaded.app.test_client().get("/api/v1/users?page_size=100", headers=bearer(loaded.tokens, ADMIN))
        assert Counter(u["role"] for u in users.json) == {"admin": 1, "caio": 1, "manager": 4, "viewer": 1}
        names = {u["name"] for u in users.json}
        assert {"박서연 (Seo-yeon Park)", "Mateus Gonçalves", "Ingrid Sjöberg", "Élodie Fournier"} <= names
        # each reads their alerts in their own language: 박서연 in Korean
        assert {u["name"]: u["locale"] for u in users.json if u["locale"] != "en"} == {"박서연 (Seo-yeon Park)": "ko"}

    def test_every_domain_and_every_stage_is_present_and_managers_own_different_projects(self, loaded):
        client, headers = loaded.app.test_client(), bearer(loaded.tokens, VIEWER)
        for stage in STAGES:
            listed = client.get(f"/api/v1/projects?stage={stage}", headers=headers)
            assert int(listed.headers["X-Total-Count"]) >= 1, stage
            assert {p["stage"] for p in listed.json} == {stage}
        for domain in ("operations", "safety", "infrastructure", "living", "mobility", "environment"):
            listed = client.get(f"/api/v1/projects?domain={domain}", headers=headers)
            assert int(listed.headers["X-Total-Count"]) >= 1, domain
        managers = set(db.session.scalars(sa.select(User.id).where(User.role == "manager")))
        owners = set(db.session.scalars(sa.select(Project.owner_id)))
        assert managers <= owners

    def test_stalls_are_current_whatever_the_day(self, loaded):
        config, session, today = loaded.app.config, db.session, utcnow().date()
        projects = list(session.scalars(sa.select(Project)))
        days_in_stage = {p.key: (today - p.stage_entered_at).days for p in projects}
        kinds = defaultdict(set)
        for key, kind in session.execute(sa.select(Project.key, Kpi.kind).join(Kpi, Kpi.project_id == Project.id)):
            kinds[key].add(kind)
        rollout_lines = set(
            session.scalars(sa.select(Project.key).join(BudgetLine).where(BudgetLine.stage == "rollout"))
        )
        latest = dict(
            session.execute(
                sa.select(Project.key, sa.func.max(Measurement.measured_on))
                .join(Kpi, Kpi.project_id == Project.id)
                .join(Measurement, Measurement.kpi_id == Kpi.id)
                .group_by(Project.key)
            ).all()
        )
        pilots = [p.key for p in projects if p.stage == "pilot"]
        active = [p.key for p in projects if p.stage in ("poc", "pilot", "rollout")]

        assert [k for k in pilots if days_in_stage[k] > config["PILOT_MAX_DAYS"]]
        assert [p.key for p in projects if p.stage == "poc" and days_in_stage[p.key] > config["POC_MAX_DAYS"]]
        assert [k for k in pilots if k not in rollout_lines]
        assert [k for k in pilots if (today - latest[k]).days > config["STALE_DAYS"]]
        assert [k for k in active if kinds[k] == {"input"}]
        # healthy ones too: a portfolio of nothing but stalls would show nothing
        assert [k for k in pilots if days_in_stage[k] <= config["PILOT_MAX_DAYS"] and k in rollout_lines]

    def test_every_history_is_a_chain_of_allowed_moves_ending_in_the_projects_stage(self, loaded):
        session, today = db.session, utcnow().date()
        demo_users = set(session.scalars(sa.select(User.id).where(User.email.in_(demo.USER_EMAILS))))
        specs = {spec.key: spec for spec in demo.PROJECTS}
        for project in session.scalars(sa.select(Project)):
            history = list(session.scalars(service.history_query(project.id)))
            assert history[0].from_stage is None and history[0].to_stage == "poc", project.key
            assert history[0].gate == {"checks": [], "unmet": [], "overridden": False}
            for previous, move in pairwise(history):
                assert move.from_stage == previous.to_stage
                assert move.to_stage in rules.ALLOWED_MOVES[previous.to_stage]
                assert previous.effective_date <= move.effective_date <= today
                codes = demo.gate_codes(move.to_stage, specs[project.key])
                assert [c["code"] for c in move.gate["checks"]] == codes
                assert move.gate["unmet"] == [c["code"] for c in move.gate["checks"] if not c["met"]]
                assert move.gate["overridden"] == bool(move.gate["unmet"]) == bool(move.override_reason)
            assert all(t.decided_by_id in demo_users and t.rationale.strip() for t in history)
            assert (history[-1].to_stage, history[-1].effective_date) == (project.stage, project.stage_entered_at)

    def test_the_cancelled_project_explains_the_kill_and_one_rollout_was_a_caio_override(self, loaded):
        kill = db.session.scalar(sa.select(StageTransition).where(StageTransition.to_stage == "cancelled"))
        assert "equity audit" in kill.rationale and kill.decided_by.role == "caio"
        override = db.session.scalar(sa.select(StageTransition).where(StageTransition.override_reason.is_not(None)))
        assert override.to_stage == "rollout" and override.decided_by.role == "caio"
        assert override.gate["unmet"] == [rules.OUTCOME_MEASUREMENT_REQUIRED]

    def test_projects_in_rollout_or_retired_meet_the_rollout_gate_today_but_one_lapsed_assessment(self, loaded):
        scaled = list(db.session.scalars(sa.select(Project).where(Project.stage.in_(("rollout", "retired")))))
        assert {p.stage for p in scaled} == {"rollout", "retired"}
        today, valid_days = utcnow().date(), loaded.app.config["PRACTICE_VALID_DAYS"]
        unmet = {}
        for project in scaled:
            evidence = service.gate_evidence(db.session, project.id)
            checks = rules.gate_checks("rollout", evidence, on=today, valid_days=valid_days)
            unmet[project.key] = [code for code, met in checks if not met]
        # the traffic signals' impact assessment dates from before their rollout and was never renewed
        assert unmet.pop("NH-MOB-SIGNALS-01") == ["impact_assessment_required"]
        assert all(codes == [] for codes in unmet.values()), unmet

    def test_every_project_is_classified_realistically_with_its_reason(self, loaded):
        projects = {p.key: p for p in db.session.scalars(sa.select(Project))}
        assert all(p.risk_tier != "unassessed" and p.risk_rationale.strip() for p in projects.values())
        assert all(p.risk_assessed_on <= p.stage_entered_at for p in projects.values())
        tiers = {key: p.risk_tier for key, p in projects.items()}
        # Madrid's patrol planning, Chicago's outbreak prediction; the chatbot and Kyiv's alert app; the sensors
        assert tiers["NH-SAF-PATROL-01"] == tiers["NH-LIV-OUTBREAK-01"] == "high_impact"
        assert tiers["NH-OPS-GUIDE-01"] == tiers["NH-SAF-ALERT-01"] == "limited"
        assert tiers["NH-INF-BRIDGE-01"] == tiers["NH-INF-LEAKS-01"] == "minimal"
        listed = loaded.app.test_client().get(
            "/api/v1/projects?risk_tier=high_impact&page_size=100", headers=bearer(loaded.tokens, VIEWER)
        )
        assert {p["key"] for p in listed.json} == {k for k, tier in tiers.items() if tier == "high_impact"}
        # a limited or high-impact system in rollout is in the registry (the gate's registry_entry_required)
        assert all(p.public for p in projects.values() if p.stage == "rollout" and p.risk_tier != "minimal")

    def test_practices_carry_evidence_on_the_citys_own_pages_and_one_rollout_has_them_all_in_effect(self, loaded):
        client, headers = loaded.app.test_client(), bearer(loaded.tokens, VIEWER)
        ids = dict(db.session.execute(sa.select(Project.key, Project.id)).all())
        today = utcnow().date()
        practices = {}
        for key, project_id in ids.items():
            listed = client.get(f"/api/v1/projects/{project_id}/practices", headers=headers)
            assert listed.status_code == 200 and len(listed.json) == 8, key
            practices[key] = {p["key"]: p for p in listed.json}
        written = [p for by_key in practices.values() for p in by_key.values() if p["updated_at"]]
        assert len(written) >= 30
        for practice in written:
            if practice["status"] == "done":
                assert practice["evidence_url"].startswith("https://www.northhaven.example/ai-register/")
                assert practice["completed_on"] <= today.isoformat()
            if practice["status"] == "waived":
                assert practice["waiver_reason"].strip() and practice["evidence_url"] == ""
        assert {p["status"] for p in written} == {"done", "in_progress", "waived", "not_applicable"}

        welfare = practices["NH-LIV-WELFARE-01"]
        assert all(p["status"] == "done" and p["in_effect"] for p in welfare.values())
        assert db.session.scalar(sa.select(Project.stage).where(Project.key == "NH-LIV-WELFARE-01")) == "rollout"
        signals = practices["NH-MOB-SIGNALS-01"]
        lapsed = signals["impact_assessment"]
        assert lapsed["status"] == "done" and lapsed["in_effect"] is False
        assert lapsed["expires_on"] < today.isoformat()
        assert [k for k, p in signals.items() if not p["in_effect"]] == ["impact_assessment"]
        assert signals["independent_review"]["status"] == "waived" and signals["appeal"]["status"] == "not_applicable"

    def test_every_public_project_fills_in_every_registry_field(self, loaded):
        public = list(db.session.scalars(sa.select(Project).where(Project.public.is_(True))))
        assert len(public) >= 5
        for project in public:
            values = {name: getattr(project, name) for name in rules.REGISTRY_FIELDS}
            assert rules.missing_registry_fields(values) == [], project.key
            assert project.contact_email.endswith("@northhaven.example")

    def test_the_public_entries_carry_both_languages_but_one_left_untranslated_on_purpose(self, loaded):
        client = loaded.app.test_client()
        entries = client.get("/api/v1/registry?page_size=100").json
        untranslated = [entry["key"] for entry in entries if not entry["translations"]]
        assert untranslated == [UNTRANSLATED] == ["NH-INF-LEAKS-01"]
        for entry in entries:
            if entry["key"] == UNTRANSLATED:
                continue
            other = {"en": "ko", "ko": "en"}[entry["content_locale"]]
            # every field it has, in the other language, never merely copied
            [(locale, translated)] = entry["translations"].items()
            assert locale == other and set(translated) == set(TRANSLATED_FIELDS), entry["key"]
            assert all(translated[name] != entry[name] for name in translated), entry["key"]
        assert {e["key"] for e in entries if e["content_locale"] == "ko"} == {"NH-MOB-CROSSING-01", "NH-OPS-MINWON-01"}
        # on the register: the example reads in Korean; the untranslated entry says it is English only
        korean = client.get("/registry/NH-LIV-WELFARE-01?lang=ko").get_data(as_text=True)
        assert "<h1>위기 가구를 놓치기 전에 찾아내기</h1>" in korean
        leaks = client.get("/registry/NH-INF-LEAKS-01?lang=ko").get_data(as_text=True)
        assert '<h1 lang="en">Acoustic leak detection in the water network</h1>' in leaks
        assert "이 항목은 원문(영어)으로만 제공됩니다." in leaks
        english = client.get("/registry/NH-MOB-CROSSING-01?lang=en").get_data(as_text=True)
        assert "<h1>Longer crossing times for pedestrians who need them</h1>" in english
        assert "Translated from Korean." in english

    def test_every_description_names_the_city_it_is_modelled_on(self, loaded):
        descriptions = " ".join(db.session.scalars(sa.select(Project.description)))
        for city in (
            "Beijing", "Helsinki", "Kyiv", "Madrid", "Chicago", "São Paulo",
            "Toronto", "Dubai", "Stockholm", "Barcelona", "Amsterdam", "Singapore", "Seoul",
        ):  # fmt: skip
            assert f"Modelled on {city}" in descriptions, city

    def test_outcome_kpis_have_baselines_targets_and_past_measurements_moving_toward_the_target(self, loaded):
        session, today = db.session, utcnow().date()
        leaks = session.scalar(sa.select(Kpi).where(Kpi.name == "Water lost to leaks"))
        assert (leaks.unit, leaks.baseline, leaks.target) == ("m3/day", Decimal("18400"), Decimal("12000"))
        values = list(
            session.scalars(
                sa.select(Measurement.value).where(Measurement.kpi_id == leaks.id).order_by(Measurement.measured_on)
            )
        )
        assert len(values) >= 12 and values[-1] == Decimal("14320") and values[0] > values[-1] > leaks.target
        assert all(isinstance(v, Decimal) for v in values)
        outcomes = list(session.scalars(sa.select(Kpi).where(Kpi.kind == "outcome")))
        assert outcomes and all(k.is_outcome and k.baseline_date < k.target_date for k in outcomes)
        latest = session.scalar(sa.select(sa.func.max(Measurement.measured_on)))
        assert today - timedelta(days=15) <= latest <= today

    def test_money_round_trips_exactly_through_the_api_in_every_currency(self, loaded):
        currency = loaded.app.config["DEFAULT_CURRENCY"]
        client, headers = loaded.app.test_client(), bearer(loaded.tokens, VIEWER)
        ids = dict(db.session.execute(sa.select(Project.key, Project.id)).all())
        for project in demo.PROJECTS:
            lines = client.get(f"/api/v1/projects/{ids[project.key]}/budget-lines?page_size=100", headers=headers)
            expected = sorted(
                (
                    line.stage,
                    line.category,
                    line.currency or currency,
                    str(demo.money(line.amount, line.currency or currency)),
                    str(demo.money(line.spent, line.currency or currency)),
                )
                for line in project.budget
            )
            read = sorted((b["stage"], b["category"], b["currency"], b["amount"], b["spent"]) for b in lines.json)
            assert read == expected, project.key

        totals = defaultdict(Decimal)
        for project in demo.PROJECTS:
            for line in project.budget:
                totals[line.currency or currency] += Decimal(line.amount)
        summed = db.session.execute(
            sa.select(BudgetLine.currency, sa.func.sum(BudgetLine.amount_minor)).group_by(BudgetLine.currency)
        ).all()
        assert {code: from_minor(total, code) for code, total in summed} == totals
        assert {currency, "EUR", "KRW"} <= set(totals)

    def test_budgets_span_several_fiscal_years_with_planned_and_approved_lines(self, loaded):
        year = utcnow().date().year
        assert {year - 1, year, year + 1} <= set(db.session.scalars(sa.select(BudgetLine.fiscal_year)))
        assert set(db.session.scalars(sa.select(BudgetLine.status))) == {"planned", "approved"}
        sources = set(db.session.scalars(sa.select(BudgetLine.source)))
        assert f"mid-term fiscal plan {year}-{(year + 4) % 100:02d}" in sources

    def test_the_first_council_pack_shows_eight_quarters_of_real_movement(self, loaded):
        client, headers = loaded.app.test_client(), bearer(loaded.tokens, VIEWER)
        trend = client.get("/api/v1/reports/trend", headers=headers).json
        periods = trend["periods"]
        assert len(periods) == 8

        def total(section: str, key: str) -> int:
            return sum(period[section][key] for period in periods)

        # pilots came into purgatory and left it every way, and some are stuck there now
        assert total("purgatory", "entered") >= 3
        assert total("purgatory", "rolled_out") >= 3 and total("purgatory", "cancelled") >= 1
        assert periods[-1]["purgatory"]["at_end"] >= 2
        assert total("moves", "pilot_to_rollout") >= 4 and total("moves", "pilot_to_cancelled") >= 1
        assert total("moves", "pilot_to_poc") >= 1 and total("moves", "rollout_to_retired") >= 1
        assert {period["stages"]["rollout"] for period in periods} != {periods[0]["stages"]["rollout"]}
        # rollout money planned before it was approved, in different quarters
        funded = [(p["funding"]["with_rollout_budget"], p["funding"]["with_approved_rollout_budget"]) for p in periods]
        assert any(planned > approved for planned, approved in funded) and any(a > 0 for _, a in funded)
        assert any(p["outcomes"]["on_target"] > 0 for p in periods)
        ttr = trend["time_to_rollout"]
        assert ttr["pilots"] >= 6 and ttr["rolled_out"] >= 3 and ttr["curve"]
        pack = client.get("/api/v1/reports/trend", headers={**headers, "Accept": "text/html"})
        assert pack.status_code == 200 and pack.get_data(as_text=True).count("<svg") == 4

    def test_rollout_money_is_planned_before_it_is_approved_on_known_days(self, loaded):
        lines = db.session.execute(
            sa.select(BudgetLine.stage, BudgetLine.status, BudgetLine.planned_on, BudgetLine.approved_on)
        ).all()
        today = utcnow().date()
        for _stage, status, planned_on, approved_on in lines:
            assert planned_on <= today and (approved_on is None) == (status == "planned")
            assert approved_on is None or planned_on <= approved_on
        assert sum(1 for s, st, p, a in lines if s == "rollout" and a is not None and a > p) >= 6

    def test_the_load_is_recorded_in_the_audit_trail_as_the_command_line(self, loaded):
        sources = db.session.execute(sa.select(AuditEvent.source, AuditEvent.actor_email).distinct()).all()
        assert len(sources) == 1
        source, actor = sources[0]
        assert source == "cli" and actor.startswith("cli:")
        created = Counter(
            entity
            for entity, _ in db.session.execute(
                sa.select(AuditEvent.entity, AuditEvent.entity_id).where(AuditEvent.action == "create").distinct()
            )
        )
        assert created["project"] == len(demo.PROJECTS) and created["user"] == len(demo.USERS)


def test_a_second_run_writes_nothing_and_reprints_the_saved_tokens(demo_app, session):
    first = seed(demo_app)
    tokens_file = Path(demo_app.instance_path) / demo.TOKENS_FILE
    saved = tokens_file.read_bytes(), tokens_file.stat().st_mtime_ns
    before = row_counts(session)
    last_audit = session.scalar(sa.select(sa.func.max(AuditEvent.id)))
    session.rollback()

    second = seed(demo_app)

    assert second.exit_code == 0, second.output
    assert "loaded already; nothing was changed" in second.output
    assert printed_tokens(second.output) == printed_tokens(first.output)
    assert row_counts(session) == before
    assert session.scalar(sa.select(sa.func.max(AuditEvent.id))) == last_audit
    assert (tokens_file.read_bytes(), tokens_file.stat().st_mtime_ns) == saved


def test_a_second_run_without_the_tokens_file_says_how_to_get_a_token(demo_app, session):
    seed(demo_app)
    (Path(demo_app.instance_path) / demo.TOKENS_FILE).unlink()
    before = row_counts(session)
    session.rollback()

    second = seed(demo_app)

    assert second.exit_code == 0
    assert "nothing was changed" in second.output and "create-user" in second.output
    assert printed_tokens(second.output) == {}
    assert row_counts(session) == before


def test_a_demo_partly_present_is_refused_and_nothing_is_written(demo_app, session):
    factories.UserFactory(email="mateus.goncalves@northhaven.example", name="Someone else")
    before = row_counts(session)
    session.rollback()

    result = seed(demo_app)

    assert result.exit_code == 1
    assert "mateus.goncalves@northhaven.example" in result.output
    assert row_counts(session) == before


def test_a_failure_in_the_middle_of_the_load_leaves_the_database_empty(demo_app, session, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # tokens are issued last, after every project has been flushed
    monkeypatch.setattr(demo, "issue_token", broken)
    result = seed(demo_app)

    assert isinstance(result.exception, RuntimeError)
    assert set(row_counts(session).values()) == {0}
    assert not (Path(demo_app.instance_path) / demo.TOKENS_FILE).exists()


def test_domains_the_setting_does_not_know_are_refused_before_anything_is_written(demo_app, session):
    demo_app.config["DOMAINS"] = ["health", "transport"]
    result = seed(demo_app)
    assert result.exit_code == 1 and "DOMAINS" in result.output
    assert set(row_counts(session).values()) == {0}


def test_a_default_currency_without_minor_units_gets_whole_amounts(demo_app, session):
    demo_app.config["DEFAULT_CURRENCY"] = "JPY"
    assert seed(demo_app).exit_code == 0
    # "372845.10" in the data, rounded to whole yen
    line = session.scalar(sa.select(BudgetLine).where(BudgetLine.currency == "JPY", BudgetLine.spent_minor == 372845))
    assert line is not None and line.spent == Decimal("372845")
