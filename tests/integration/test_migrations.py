"""The Alembic migrations build the schema the models describe, on SQLite and PostgreSQL."""

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.conftest import ON_POSTGRES
from tracker import create_app
from tracker.auth import issue_token
from tracker.cli import alembic_config
from tracker.extensions import db
from tracker.models import Base
from tracker.users.models import User
from tracker.vocab import PRACTICES


def _fresh_app(tmp_path, database_url):
    if ON_POSTGRES:
        # an empty schema of its own inside this run's database
        engine = sa.create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA migration_check"))
        engine.dispose()
        url = sa.engine.make_url(database_url).update_query_dict({"options": "-csearch_path=migration_check"})
        return create_app({"DATABASE_URL": url.render_as_string(hide_password=False)})
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'migrated.db'}"})


def _upgraded_with_a_client(app):
    """Upgrade to head, then a client and the headers of user 1's new token."""
    with app.app_context():
        command.upgrade(alembic_config(), "head")
        _, token = issue_token(db.session, db.session.get(User, 1))
        db.session.commit()
        db.session.remove()
    return app.test_client(), {"Authorization": f"Bearer {token}"}


def test_migrations_build_from_an_empty_database_exactly_what_the_models_describe(tmp_path, database_url):
    app = _fresh_app(tmp_path, database_url)
    with app.app_context():
        command.upgrade(alembic_config(), "head")
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
            tables = set(sa.inspect(connection).get_table_names())
    db.engine.dispose()
    assert differences == []
    assert {table.name for table in Base.metadata.sorted_tables} <= tables


def test_migrations_go_down_to_nothing_and_up_again(tmp_path, database_url):
    app = _fresh_app(tmp_path, database_url)
    with app.app_context():
        command.upgrade(alembic_config(), "head")
        command.downgrade(alembic_config(), "base")
        with db.engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
        command.upgrade(alembic_config(), "head")
        with db.engine.connect() as connection:
            assert "projects" in sa.inspect(connection).get_table_names()
    db.engine.dispose()


SEED = [
    "INSERT INTO users (id, email, name, role, active, created_at) VALUES (1, 'a@city.example', 'A', 'manager', true, '2026-01-01')",
    "INSERT INTO projects (id, key, title, problem, description, domain, ai_type, department, owner_id, stage, stage_entered_at,"
    " public, purpose, data_sources, logic, risks, human_oversight, contact_email, created_at, updated_at, version)"
    " VALUES (1, 'K-1', 'T', '', '', 'mobility', 'nlp', '', 1, 'poc', '2026-01-01', false, '', '', '', '', '', '', '2026-01-01',"
    " '2026-01-01', 1)",
]
# a budget line as the schema before 0008 took it (no planned_on, approved_on)
OLD_BUDGET = (
    "INSERT INTO budget_lines (project_id, stage, fiscal_year, category, currency, amount_minor, spent_minor, status, source,"
    " created_at, updated_at) VALUES ({project}, 'pilot', {year}, 'compute', 'EUR', {amount}, 0, '{status}', '', '{created}',"
    " '{updated}')"
)
BUDGET = (
    "INSERT INTO budget_lines (project_id, stage, fiscal_year, category, currency, amount_minor, spent_minor, status, source,"
    " created_at, updated_at, planned_on, approved_on) VALUES ({project}, 'pilot', {year}, 'compute', 'EUR', {amount}, 0,"
    " '{status}', '', '2026-01-01', '2026-01-01', '2026-01-01', {approved_on})"
)
REFUSED = {
    "a role outside the enum": "UPDATE users SET role = 'emperor'",
    "a stage outside the enum": "UPDATE projects SET stage = 'scaled'",
    "a duplicate project key": SEED[1].replace("(1, 'K-1'", "(2, 'K-1'"),
    "negative money": BUDGET.format(project=1, year=2026, amount=-1, status="approved", approved_on="'2026-01-01'"),
    "a budget status outside the enum": BUDGET.format(
        project=1, year=2026, amount=1, status="maybe", approved_on="NULL"
    ),
    "a fiscal year out of range": BUDGET.format(project=1, year=99999, amount=1, status="planned", approved_on="NULL"),
    "a budget line of a project that does not exist": BUDGET.format(
        project=42, year=2026, amount=1, status="planned", approved_on="NULL"
    ),
    "an approved line without its approval date": BUDGET.format(
        project=1, year=2026, amount=1, status="approved", approved_on="NULL"
    ),
    "a planned line with an approval date": BUDGET.format(
        project=1, year=2026, amount=1, status="planned", approved_on="'2026-01-01'"
    ),
    "an approval before the planning": BUDGET.format(
        project=1, year=2026, amount=1, status="approved", approved_on="'2025-12-31'"
    ),
    "deleting a user who still owns projects": "DELETE FROM users WHERE id = 1",
}


def test_the_database_itself_refuses_what_must_never_hold(tmp_path, database_url):
    app = _fresh_app(tmp_path, database_url)
    with app.app_context():
        command.upgrade(alembic_config(), "head")
        with db.engine.begin() as connection:
            for statement in SEED:
                connection.execute(sa.text(statement))
        accepted = []
        for what, statement in REFUSED.items():
            try:
                with db.engine.begin() as connection:
                    connection.execute(sa.text(statement))
                accepted.append(what)
            except sa.exc.IntegrityError:
                pass
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(BUDGET.format(project=1, year=2026, amount=0, status="planned", approved_on="NULL"))
            )
            connection.execute(sa.text("DELETE FROM projects WHERE id = 1"))
            # deleting a project takes its budget lines with it (ON DELETE CASCADE)
            assert connection.scalar(sa.text("SELECT count(*) FROM budget_lines")) == 0
    db.engine.dispose()
    assert accepted == []


def test_an_existing_database_upgrades_to_unassessed_projects_with_eight_practices_not_started(tmp_path, database_url):
    """From the previous head (0002) with data in it: the trust migration keeps every project and
    classifies none, and the API reads each one's eight practices as not started."""
    app = _fresh_app(tmp_path, database_url)
    with app.app_context():
        command.upgrade(alembic_config(), "0002")
        with db.engine.begin() as connection:
            for statement in SEED:
                connection.execute(sa.text(statement))
            connection.execute(sa.text(SEED[1].replace("(1, 'K-1'", "(2, 'K-2'").replace("'poc'", "'pilot'")))
    client, headers = _upgraded_with_a_client(app)
    try:
        projects = client.get("/api/v1/projects", headers=headers).json
        assert [(p["key"], p["risk_tier"], p["risk_rationale"], p["risk_assessed_on"]) for p in projects] == [
            ("K-1", "unassessed", "", None),
            ("K-2", "unassessed", "", None),
        ]
        for project in projects:
            practices = client.get(f"/api/v1/projects/{project['id']}/practices", headers=headers).json
            assert [(p["key"], p["status"], p["in_effect"]) for p in practices] == [
                (key, "not_started", False) for key in PRACTICES
            ]
        # and the upgraded database takes the new writes and gates
        put = client.put("/api/v1/projects/1/practices/testing", json={"status": "in_progress"}, headers=headers)
        assert put.status_code == 200 and put.json["updated_by"] == 1
        moved = client.post(
            "/api/v1/projects/2/transitions", json={"to_stage": "rollout", "rationale": "x"}, headers=headers
        )
        assert moved.status_code == 409 and "risk_tier_required" in moved.json["unmet"]
        with app.app_context(), db.engine.connect() as connection:
            tiers = connection.execute(sa.text("SELECT key, risk_tier FROM projects ORDER BY id")).all()
        assert [tuple(row) for row in tiers] == [("K-1", "unassessed"), ("K-2", "unassessed")]
    finally:
        with app.app_context():
            db.engine.dispose()


FLAG = (
    "INSERT INTO flags (project_id, rule, status, opened_at, last_seen_at, details, resolution_alerted)"
    " VALUES (1, '{rule}', '{status}', '2026-01-02', '2026-01-02', '{{}}', false)"
)


def test_the_upgrade_to_the_trust_rules_keeps_the_flags_and_accepts_the_new_rules(tmp_path, database_url):
    app = _fresh_app(tmp_path, database_url)
    with app.app_context():
        command.upgrade(alembic_config(), "0003")
        with db.engine.begin() as connection:
            for statement in SEED:
                connection.execute(sa.text(statement))
            connection.execute(sa.text(FLAG.format(rule="no_kpis", status="resolved")))
        command.upgrade(alembic_config(), "head")
        with db.engine.begin() as connection:
            connection.execute(sa.text(FLAG.format(rule="practices_lapsed", status="open")))
            assert connection.execute(sa.text("SELECT rule FROM flags ORDER BY id")).scalars().all() == [
                "no_kpis",
                "practices_lapsed",
            ]
        try:
            with db.engine.begin() as connection:
                connection.execute(sa.text(FLAG.format(rule="made_up", status="open")))
            refused = False
        except sa.exc.IntegrityError:
            refused = True
        # going down keeps the flags of the rules the older schema knows
        command.downgrade(alembic_config(), "0003")
        with db.engine.begin() as connection:
            assert connection.execute(sa.text("SELECT rule FROM flags")).scalars().all() == ["no_kpis"]
    db.engine.dispose()
    assert refused


def test_the_upgrade_to_budget_dates_dates_existing_lines_by_their_creation_and_last_change(tmp_path, database_url):
    """From 0007 with lines in it: planned_on is the day each line was created; an approved line's
    approved_on the day of its last change; the API then reads them and keeps the dates' rules."""
    app = _fresh_app(tmp_path, database_url)
    with app.app_context():
        command.upgrade(alembic_config(), "0007")
        with db.engine.begin() as connection:
            for statement in SEED:
                connection.execute(sa.text(statement))
            for status, created, updated in (
                ("planned", "2025-03-04 10:00:00", "2025-06-01 09:00:00"),
                ("approved", "2025-03-04 23:59:59", "2025-09-30 08:00:00"),
                ("approved", "2025-05-05 12:00:00", "2025-05-05 12:00:00"),
            ):
                connection.execute(
                    sa.text(
                        OLD_BUDGET.format(
                            project=1, year=2026, amount=100, status=status, created=created, updated=updated
                        )
                    )
                )
    client, headers = _upgraded_with_a_client(app)
    try:
        lines = client.get("/api/v1/projects/1/budget-lines", headers=headers).json
        assert [(line["status"], line["planned_on"], line["approved_on"]) for line in lines] == [
            ("planned", "2025-03-04", None),
            ("approved", "2025-03-04", "2025-09-30"),
            ("approved", "2025-05-05", "2025-05-05"),
        ]
        # the rules hold on the upgraded lines: setting one back to planned drops its approval date
        back = client.patch(f"/api/v1/budget-lines/{lines[1]['id']}", json={"status": "planned"}, headers=headers)
        assert back.status_code == 200 and back.json["approved_on"] is None
        refused = client.patch(
            f"/api/v1/budget-lines/{lines[2]['id']}", json={"approved_on": "2025-01-01"}, headers=headers
        )
        assert refused.status_code == 422 and set(refused.json["errors"]["json"]) == {"approved_on"}
        # and the snapshots table is there, empty
        assert client.get("/api/v1/reports/snapshots", headers=headers).json == []
        with app.app_context():
            command.downgrade(alembic_config(), "0007")
            with db.engine.connect() as connection:
                columns = {column["name"] for column in sa.inspect(connection).get_columns("budget_lines")}
                assert (
                    "planned_on" not in columns and connection.scalar(sa.text("SELECT count(*) FROM budget_lines")) == 3
                )
    finally:
        with app.app_context():
            db.engine.dispose()


def test_the_upgrade_to_entry_languages_writes_existing_projects_in_the_default_locale_of_the_app(
    tmp_path, database_url
):
    """From 0007 with data in it, on a deployment whose DEFAULT_LOCALE is Korean: every existing
    project is written in Korean (the setting of the app that runs the migration), and takes an
    English translation, not a Korean one."""
    app = _fresh_app(tmp_path, database_url)
    app.config["DEFAULT_LOCALE"] = "ko"
    with app.app_context():
        command.upgrade(alembic_config(), "0007")
        with db.engine.begin() as connection:
            for statement in SEED:
                connection.execute(sa.text(statement))
        command.upgrade(alembic_config(), "head")
        _, token = issue_token(db.session, db.session.get(User, 1))
        db.session.commit()
        db.session.remove()
    client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
    try:
        assert client.get("/api/v1/projects/1", headers=headers).json["content_locale"] == "ko"
        english = client.put("/api/v1/projects/1/translations/en", json={"title": "Title"}, headers=headers)
        assert english.status_code == 201 and english.json["stale"] is False
        korean = client.put("/api/v1/projects/1/translations/ko", json={"title": "제목"}, headers=headers)
        assert korean.status_code == 422 and "locale" in korean.json["errors"]["path"]
        # a row written outside the service takes the same language (the column's default)
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(sa.text(SEED[1].replace("(1, 'K-1'", "(2, 'K-2'")))
            assert connection.scalar(sa.text("SELECT content_locale FROM projects WHERE id = 2")) == "ko"
        # and going down drops the translations and the column, keeping the projects
        with app.app_context():
            command.downgrade(alembic_config(), "0007")
            with db.engine.connect() as connection:
                assert "project_translations" not in sa.inspect(connection).get_table_names()
                assert connection.scalar(sa.text("SELECT count(*) FROM projects")) == 2
    finally:
        with app.app_context():
            db.engine.dispose()
