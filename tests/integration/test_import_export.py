"""`flask import` and `flask export` against the database: the real 2025 federal inventory, the
all-or-nothing tracker format, and round trips."""

import csv
import os
import re
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.audit.models import AuditEvent
from tracker.db import utcnow
from tracker.extensions import db
from tracker.projects.models import Project, StageTransition
from tracker.registry import service
from tracker.registry.formats import OMB_2025_COLUMNS, TRACKER_COLUMNS, omb_practice
from tracker.trust.models import Practice
from tracker.users.models import User

FEDERAL_STAGES = {"Pre-deployment": "poc", "": "poc", "Pilot": "pilot", "Deployed": "rollout", "Retired": "retired"}
KEY = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,63}$")


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=[str(arg) for arg in args])


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _stage_counts() -> dict:
    return dict(db.session.execute(sa.select(Project.stage, sa.func.count()).group_by(Project.stage)).all())


def _last_import() -> dict:
    event_id = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)).where(AuditEvent.entity == "import"))
    return service.get_import(db.session, event_id)


def _federal_rows(federal_inventory) -> list[dict]:
    with federal_inventory.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _write_csv(path, header, rows) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


# --- the real federal inventory ----------------------------------------------------------------


def test_the_real_federal_inventory_imports_completely_with_the_stage_counts_found_in_it(
    app, app_context, federal_inventory
):
    rows = _federal_rows(federal_inventory)
    expected = Counter(FEDERAL_STAGES[row["development_stage"].strip()] for row in rows)
    blank_stages = sum(1 for row in rows if not row["development_stage"].strip())
    blank_ids = sum(1 for row in rows if not row["id"].strip())
    admin = factories.UserFactory(role="admin", email="caio-office@city.example")

    result = _cli(app, "import", federal_inventory, "--format", "omb-2025")

    assert result.exit_code == 0, result.output
    assert f"imported {len(rows)} of {len(rows)} rows from use_cases.csv" in result.output
    assert _count(Project) == len(rows) == 3611
    assert _stage_counts() == dict(expected)
    summary = _last_import()
    assert {stage: n for stage, n in summary["stages"].items() if n} == dict(expected)
    assert summary["blank_stages"] == blank_stages
    assert summary["generated_keys"] == blank_ids
    assert summary["created"] == summary["rows"] == len(rows)
    # every project has its first history entry, a key of the key pattern, an owner who may own
    assert _count(StageTransition, StageTransition.from_stage.is_(None)) == len(rows)
    keys = list(db.session.scalars(sa.select(Project.key)))
    assert len(set(keys)) == len(rows) and all(KEY.match(key) for key in keys)
    owner_roles = set(db.session.scalars(sa.select(User.role).join(Project, Project.owner_id == User.id).distinct()))
    assert owner_roles <= {"admin", "manager"}
    assert _count(Project, Project.owner_id == admin.id) == summary["default_owner_rows"]
    assert _count(Project, Project.stage_entered_at > date.today()) == 0
    # what could not be mapped is listed, value by value
    topics = Counter(row["topic_area"].strip() for row in rows)
    assert summary["unmapped"]["topic_area"]["Science"] == topics["Science"]
    assert summary["unmapped"]["topic_area"][""] == topics[""]
    assert "could not map topic_area:" in result.output
    assert sum(summary["dates"].values()) == len(rows)


def test_the_federal_inventory_survives_export_and_reimport_into_an_empty_database(
    app, app_context, federal_inventory, tmp_path
):
    factories.UserFactory(role="admin")
    assert _cli(app, "import", federal_inventory, "--format", "omb-2025").exit_code == 0
    before = set(db.session.execute(sa.select(Project.key, Project.stage, Project.title)).all())
    exported = tmp_path / "inventory.csv"

    result = _cli(app, "export", exported, "--format", "omb-2025")

    assert result.exit_code == 0, result.output
    assert f"wrote {len(before)} projects" in result.output
    db.session.execute(sa.delete(Project))
    db.session.commit()
    assert _cli(app, "import", exported, "--format", "omb-2025").exit_code == 0
    after = set(db.session.execute(sa.select(Project.key, Project.stage, Project.title)).all())
    assert after == before


def test_importing_the_same_inventory_twice_skips_what_is_there(app, app_context, federal_inventory, tmp_path):
    factories.UserFactory(role="admin")
    rows = _federal_rows(federal_inventory)
    first, both = tmp_path / "first.csv", tmp_path / "both.csv"
    _write_csv(first, rows[0].keys(), [row.values() for row in rows[:30]])
    _write_csv(both, rows[0].keys(), [row.values() for row in rows[:60]])

    assert _cli(app, "import", first, "--format", "omb-2025").exit_code == 0
    keys_first = set(db.session.scalars(sa.select(Project.key)))
    assert _cli(app, "import", both, "--format", "omb-2025").exit_code == 0

    summary = _last_import()
    assert (summary["rows"], summary["created"]) == (60, 30)
    assert set(summary["skipped_existing"]) == keys_first
    assert _count(Project) == 60
    assert _cli(app, "import", both, "--format", "omb-2025").exit_code == 0
    assert _last_import()["created"] == 0 and _count(Project) == 60


def test_blank_contacts_need_a_default_owner(app, app_context, federal_inventory, tmp_path):
    rows = _federal_rows(federal_inventory)
    blank_contact = [row for row in rows if not row["contact_email"].strip()][:3]
    path = tmp_path / "blank-contacts.csv"
    _write_csv(path, rows[0].keys(), [row.values() for row in blank_contact])

    no_admin = _cli(app, "import", path, "--format", "omb-2025")
    assert no_admin.exit_code == 1
    assert "line 2: contact_email: No usable contact" in no_admin.output
    viewer = factories.UserFactory(role="viewer", email="viewer@city.example")
    not_an_owner = _cli(app, "import", path, "--format", "omb-2025", "--owner", viewer.email)
    assert not_an_owner.exit_code == 1 and "manager, caio or admin" in not_an_owner.output
    assert _count(Project) == 0

    manager = factories.UserFactory(role="manager", email="portfolio@city.example")
    assert _cli(app, "import", path, "--format", "omb-2025", "--owner", "Portfolio@City.example").exit_code == 0
    assert _count(Project, Project.owner_id == manager.id) == 3


# --- the tracker format: all rows or none ---------------------------------------------------------

GOOD_ROW = {
    "key": "CITY-PERMITS-01",
    "title": "Building-permit pre-check",
    "domain": "operations",
    "ai_type": "generative",
    "stage": "pilot",
    "stage_entered_at": "2025-03-01",
}


def _tracker_file(path, rows, header=TRACKER_COLUMNS):
    _write_csv(path, header, [[row.get(name, "") for name in header] for row in rows])
    return path


def test_a_bad_row_rolls_back_a_tracker_import_and_is_named_by_its_line_and_field(app, app_context, tmp_path):
    factories.UserFactory(role="admin")
    rows = [
        GOOD_ROW,
        {**GOOD_ROW, "key": "CITY-MULTI-01", "problem": "Three lines\nof problem\nstatement"},  # lines 3-5
        {**GOOD_ROW, "key": "CITY-BAD-01", "domain": "moon"},  # line 6
        {**GOOD_ROW, "key": "CITY-AFTER-01"},
    ]
    result = _cli(app, "import", _tracker_file(tmp_path / "projects.csv", rows))

    assert result.exit_code == 1
    assert "line 6: domain: Must be one of: operations, safety" in result.output
    assert "1 row cannot be imported (line 6); nothing was imported" in result.output
    assert _count(Project) == 0 and _count(StageTransition) == 0
    assert _count(AuditEvent, AuditEvent.entity.in_(["import", "project"])) == 0


def test_every_bad_row_is_reported_at_once(app, app_context, tmp_path):
    factories.ProjectFactory(key="CITY-TAKEN-01")
    factories.UserFactory(role="viewer", email="viewer@city.example")
    factories.UserFactory(role="manager", email="manager@city.example")
    owned = {**GOOD_ROW, "owner_email": "manager@city.example"}
    rows = [
        {**GOOD_ROW, "key": "CITY-A"},  # no owner, and no default owner
        {**owned, "key": "CITY-A"},
        {**owned, "key": "CITY-TAKEN-01"},
        {**owned, "key": "CITY-B", "owner_email": "viewer@city.example"},
        {**owned, "key": "CITY-C", "public": "true"},
        {**owned, "key": "city c", "stage_entered_at": "2999-01-01", "public": "maybe"},
        {**owned, "key": "CITY-A", "domain": "moon", "owner_email": "nobody@city.example"},
    ]
    with pytest.raises(service.ImportRejected) as refused:
        _import(tmp_path, rows, default_owner=None)

    errors = refused.value.line_errors
    assert errors[2] == {"owner_email": ["Required: there is no default owner (give --owner, or create an admin)."]}
    assert errors[3] == {"key": ["Repeats the key of line 2."]}
    assert errors[4] == {"key": ["A project with this key exists already; an import only creates projects."]}
    assert errors[5] == {"owner_email": ["Must be the email of an active user with the role manager, caio or admin."]}
    assert set(errors[6]) == {"purpose", "data_sources", "logic", "risks", "human_oversight", "contact_email"}
    assert set(errors[7]) == {"key", "stage_entered_at", "public"}
    assert errors[8] == {
        "domain": ["Must be one of: operations, safety, infrastructure, living, mobility, environment."],
        "key": ["Repeats the key of line 2."],
        "owner_email": ["Must be the email of an active user with the role manager, caio or admin."],
    }
    assert list(errors) == [2, 3, 4, 5, 6, 7, 8]
    assert "7 rows cannot be imported (lines 2, 3, 4, 5, 6, 7, 8)" in refused.value.message
    assert _count(Project) == 1


def _import(tmp_path, rows, *, default_owner, fmt="tracker", header=TRACKER_COLUMNS):
    path = _tracker_file(tmp_path / "rows.csv", rows, header)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return service.import_projects(
            db.session, fmt=fmt, lines=handle, actor=None, default_owner=default_owner, source=path.name
        )


def test_the_header_must_name_known_columns_and_the_required_ones(app, app_context, tmp_path):
    admin = factories.UserFactory(role="admin")
    with pytest.raises(service.ImportRejected) as refused:
        _import(tmp_path, [{"key": "A", "titel": "typo"}], default_owner=admin, header=("key", "titel", "key"))
    (problems,) = refused.value.line_errors[1].values()
    assert problems[0] == "Repeated column(s): key."
    assert problems[1] == "Missing required column(s): title, domain, ai_type."
    assert problems[2].startswith("Unknown column(s): titel.")


def test_a_tracker_import_writes_every_field_owner_and_first_history_entry(app, app_context, tmp_path):
    admin = factories.UserFactory(role="admin")
    owner = factories.UserFactory(role="manager", email="jiwoo.kim@seoul.example")
    public = {
        **GOOD_ROW,
        "key": "SEOUL-TRAFFIC-01",
        "title": "서울 교통 신호 최적화",
        "problem": "Congestion at 1,200 signalised junctions",
        "description": "Adaptive signal timing",
        "domain": "mobility",
        "ai_type": "optimization",
        "department": "Mobilité urbaine",
        "owner_email": "Jiwoo.Kim@seoul.example",
        "stage": "rollout",
        "stage_entered_at": "2024-11-30",
        "public": "TRUE",
        "purpose": "Shorter waits at junctions",
        "data_sources": "Loop detectors, bus GPS",
        "logic": "Reinforcement learning on a traffic simulator",
        "risks": "Longer waits for pedestrians",
        "human_oversight": "Operators can return any junction to fixed timing",
        "contact_email": "traffic-ai@seoul.example",
    }
    summary = _import(tmp_path, [public, {**GOOD_ROW, "stage": "", "stage_entered_at": ""}], default_owner=admin)

    assert summary["created"] == 2 and summary["default_owner_rows"] == 1
    project = db.session.scalar(sa.select(Project).where(Project.key == "SEOUL-TRAFFIC-01"))
    for name in ("title", "problem", "description", "domain", "ai_type", "department", "stage", "purpose"):
        assert getattr(project, name) == public[name], name
    assert (project.owner_id, project.public, project.stage_entered_at) == (owner.id, True, date(2024, 11, 30))
    assert project.contact_email == "traffic-ai@seoul.example"
    history = db.session.execute(
        sa.select(StageTransition.from_stage, StageTransition.to_stage, StageTransition.effective_date).where(
            StageTransition.project_id == project.id
        )
    ).all()
    assert history == [(None, "rollout", date(2024, 11, 30))]
    default = db.session.scalar(sa.select(Project).where(Project.key == GOOD_ROW["key"]))
    assert (default.owner_id, default.stage, default.stage_entered_at) == (admin.id, "poc", date.today())


def test_the_risk_columns_are_optional_and_a_tier_comes_with_its_rationale(app, app_context, tmp_path):
    admin = factories.UserFactory(role="admin")
    rows = [
        {**GOOD_ROW, "key": "CITY-HI-01", "risk_tier": "high_impact", "risk_rationale": "Decides benefit access."},
        {**GOOD_ROW, "key": "CITY-NONE-01"},
        {**GOOD_ROW, "key": "CITY-BAD-01", "risk_tier": "limited"},
        {**GOOD_ROW, "key": "CITY-BAD-02", "risk_tier": "severe", "risk_rationale": "x"},
    ]
    with pytest.raises(service.ImportRejected) as refused:
        _import(tmp_path, rows, default_owner=admin)
    assert refused.value.line_errors == {
        4: {"risk_rationale": ["Required when the risk tier is set to anything but unassessed."]},
        5: {"risk_tier": ["Must be one of: unassessed, minimal, limited, high_impact, prohibited."]},
    }
    assert _count(Project) == 0

    assert _import(tmp_path, rows[:2], default_owner=admin)["created"] == 2
    imported = dict(db.session.execute(sa.select(Project.key, Project.risk_tier)).all())
    assert imported == {"CITY-HI-01": "high_impact", "CITY-NONE-01": "unassessed"}
    assessed = dict(db.session.execute(sa.select(Project.key, Project.risk_assessed_on)).all())
    assert assessed == {"CITY-HI-01": utcnow().date(), "CITY-NONE-01": None}
    # a file of the columns before the trust issue still imports, every row unassessed
    old_header = tuple(name for name in TRACKER_COLUMNS if not name.startswith("risk_"))
    assert (
        _import(tmp_path, [{**GOOD_ROW, "key": "CITY-OLD-01"}], default_owner=admin, header=old_header)["created"] == 1
    )


def test_a_failure_in_the_middle_of_writing_leaves_the_database_as_it_was(
    app, app_context, federal_inventory, tmp_path, monkeypatch
):
    admin = factories.UserFactory(role="admin")
    users_before = _count(User)
    rows = _federal_rows(federal_inventory)[:50]

    def crash(*args, **kwargs):
        raise RuntimeError("the database went away after the projects were inserted")

    monkeypatch.setattr(service, "_ids_by", crash)
    with pytest.raises(RuntimeError):
        _import(tmp_path, [row for row in rows], default_owner=admin, fmt="omb-2025", header=tuple(rows[0]))

    assert _count(Project) == 0 and _count(StageTransition) == 0
    assert _count(User) == users_before  # the contacts' new managers went too
    assert _count(AuditEvent, AuditEvent.entity == "import") == 0
    monkeypatch.undo()
    assert _import(tmp_path, rows, default_owner=admin, fmt="omb-2025", header=tuple(rows[0]))["created"] == 50


# --- export ------------------------------------------------------------------------------------------


def _portfolio():
    owner = factories.UserFactory(role="manager", email="owner@city.example")
    made = {
        "SEOUL-TRAFFIC-01": ("rollout", "서울 교통 신호 최적화", "mobility", "optimization"),
        "PARIS-EAU-01": ("pilot", "Détection des fuites d'eau — réseau 12ᵉ", "environment", "traditional_ml"),
        "CITY-CHAT-01": ("poc", "Résident chatbot «311»", "living", "generative"),
        "CITY-OLD-01": ("retired", "Old parking model", "infrastructure", "computer_vision"),
        "CITY-STOP-01": ("cancelled", "Stopped pilot", "safety", "nlp"),
    }
    for key, (stage, title, domain, ai_type) in made.items():
        factories.ProjectFactory(
            key=key,
            title=title,
            stage=stage,
            domain=domain,
            ai_type=ai_type,
            owner=owner,
            stage_entered_at=date(2024, 5, 17),
            department="Ville de Paris",
            contact_email="ai@city.example",
        )
    return made


def test_export_writes_the_federal_columns_with_a_bom_and_mapped_stages(app, app_context, tmp_path, federal_inventory):
    _portfolio()
    path = tmp_path / "inventory.csv"

    assert _cli(app, "export", path, "--format", "omb-2025").exit_code == 0

    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = {row["id"]: row for row in reader}
    with federal_inventory.open(encoding="utf-8-sig", newline="") as handle:
        assert reader.fieldnames == next(csv.reader(handle)) == list(OMB_2025_COLUMNS)
    assert {key: row["development_stage"] for key, row in rows.items()} == {
        "SEOUL-TRAFFIC-01": "Deployed",
        "PARIS-EAU-01": "Pilot",
        "CITY-CHAT-01": "Pre-deployment",
        "CITY-OLD-01": "Retired",
        "CITY-STOP-01": "Retired",
    }
    seoul = rows["SEOUL-TRAFFIC-01"]
    assert (seoul["use_case_name"], seoul["classification"], seoul["topic_area"]) == (
        "서울 교통 신호 최적화",
        "Reinforcement Learning",
        "Transportation",
    )
    assert (seoul["agency_name"], seoul["contact_email"], seoul["operational_date"]) == (
        "Ville de Paris",
        "ai@city.example",
        "2024-05-17",
    )
    assert seoul["demographic_features"] == "[]"


def test_export_round_trip_keeps_keys_stages_titles_and_non_ascii_text(app, app_context, tmp_path):
    made = _portfolio()
    admin = factories.UserFactory(role="admin")
    path = tmp_path / "inventory.csv"
    assert _cli(app, "export", path, "--format", "omb-2025").exit_code == 0
    db.session.execute(sa.delete(Project))
    db.session.commit()

    result = _cli(app, "import", path, "--format", "omb-2025")

    assert result.exit_code == 0, result.output
    back = {
        key: (stage, title, domain, ai_type)
        for key, stage, title, domain, ai_type in db.session.execute(
            sa.select(Project.key, Project.stage, Project.title, Project.domain, Project.ai_type)
        )
    }
    cancelled_reads_retired = {key: (v[0].replace("cancelled", "retired"), *v[1:]) for key, v in made.items()}
    assert back == cancelled_reads_retired
    owners = set(db.session.scalars(sa.select(User.email).join(Project, Project.owner_id == User.id)))
    assert owners == {"ai@city.example"} and admin.email not in owners
    assert set(db.session.scalars(sa.select(Project.stage_entered_at))) == {date(2024, 5, 17)}


def test_the_tracker_format_round_trips_every_field(app, app_context, tmp_path):
    _portfolio()
    factories.ProjectFactory(
        key="CITY-PUBLIC-01",
        public=True,
        purpose="Why",
        data_sources="What",
        logic="How",
        risks="Risks",
        human_oversight="Who",
        contact_email="x@city.example",
        risk_tier="high_impact",
        risk_rationale='Decides who is inspected first, "with quotes", commas\nand lines.',
    )
    columns = [getattr(Project, name) for name in TRACKER_COLUMNS if name != "owner_email"] + [Project.owner_id]
    before = set(db.session.execute(sa.select(*columns)).all())
    path = tmp_path / "projects.csv"
    assert _cli(app, "export", path, "--format", "tracker").exit_code == 0
    db.session.execute(sa.delete(Project))
    db.session.commit()

    result = _cli(app, "import", path)

    assert result.exit_code == 0, result.output
    assert set(db.session.execute(sa.select(*columns)).all()) == before


def test_an_export_that_fails_midway_leaves_the_old_file_whole_and_no_temporary_file(
    app, app_context, tmp_path, monkeypatch
):
    _portfolio()
    folder = tmp_path / "exports"
    folder.mkdir()
    path = folder / "inventory.csv"
    assert _cli(app, "export", path, "--format", "omb-2025").exit_code == 0
    path.chmod(0o640)
    before = path.read_bytes()
    columns, row_for, with_practices = service._EXPORTERS["omb-2025"]
    written = []

    def fail_on_the_third_row(project, practices):
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        written.append(project["key"])
        return row_for(project, practices)

    monkeypatch.setitem(service._EXPORTERS, "omb-2025", (columns, fail_on_the_third_row, with_practices))
    failed = _cli(app, "export", path, "--format", "omb-2025")

    assert failed.exit_code != 0
    assert isinstance(failed.exception, OSError) and "No space left" in str(failed.exception)
    assert len(written) == 2  # it failed in the middle, two rows in
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["inventory.csv"]  # no partial or temporary file

    monkeypatch.setitem(service._EXPORTERS, "omb-2025", (columns, row_for, with_practices))
    factories.ProjectFactory(key="CITY-NEW-01")
    replaced = _cli(app, "export", path, "--format", "omb-2025")
    assert replaced.output.strip() == f"wrote 6 projects to {path} (omb-2025)"
    assert "CITY-NEW-01" in path.read_text(encoding="utf-8-sig")
    assert path.stat().st_mode & 0o777 == 0o640  # the file keeps its mode
    assert sorted(p.name for p in folder.iterdir()) == ["inventory.csv"]


def test_a_new_export_file_gets_the_mode_a_plain_open_gives(app, app_context, tmp_path):
    _portfolio()
    path = tmp_path / "new.csv"
    umask = os.umask(0o022)
    try:
        assert _cli(app, "export", path, "--format", "tracker").exit_code == 0
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644
    assert path.read_text(encoding="utf-8-sig").startswith(",".join(TRACKER_COLUMNS))


# --- the high-impact determination and the practices of the real inventory ---------------------

PRACTICE_COLUMNS = {
    "hi_testing_conducted": "testing",
    "hi_assessment_completed": "impact_assessment",
    "hi_independent_review": "independent_review",
    "hi_ongoing_monitoring": "monitoring",
    "hi_training_established": "training",
    "hi_failsafe_presence": "human_oversight",
    "hi_appeal_process": "appeal",
    "hi_public_consultation": "public_consultation",
}


# deployed high-impact systems of the 2025 inventory lacking a practice (of 227 deployed high-impact)
EXPECTED_LAPSED = 194


def _tiers() -> dict:
    return dict(db.session.execute(sa.select(Project.risk_tier, sa.func.count()).group_by(Project.risk_tier)).all())


def _practice_statuses(*where) -> dict[tuple[str, str], str]:
    """(project key, practice key) -> status of every written practice."""
    stmt = sa.select(Project.key, Practice.key, Practice.status).join(Project, Project.id == Practice.project_id)
    return {(project, key): status for project, key, status in db.session.execute(stmt.where(*where))}


def test_the_real_inventory_brings_its_determinations_and_practices_nothing_dropped(
    app, app_context, federal_inventory
):
    rows = _federal_rows(federal_inventory)
    factories.UserFactory(role="admin")

    result = _cli(app, "import", federal_inventory, "--format", "omb-2025")

    assert result.exit_code == 0, result.output
    # "Not High-impact" (2,630) and "Presumed High-Impact, but Not High-impact" (110) are minimal
    assert _tiers() == {"high_impact": 445, "minimal": 2740, "unassessed": 426}
    summary = _last_import()
    assert {tier: n for tier, n in summary["risk_tiers"].items() if n} == _tiers()
    today = date.today()
    assert _count(Project, Project.risk_tier != "unassessed", Project.risk_assessed_on != today) == 0
    assert _count(Project, Project.risk_tier == "unassessed", Project.risk_assessed_on.is_not(None)) == 0
    # every determination has a rationale: its justification, or one naming its source
    assert _count(Project, Project.risk_tier != "unassessed", Project.risk_rationale == "") == 0
    justified = next(row for row in rows if row["HI_justification"].strip() and row["is_high_impact"])
    assert db.session.scalar(sa.select(Project.risk_rationale).where(Project.key == justified["id"])) == (
        justified["HI_justification"].strip()
    )
    assert _count(Project, Project.risk_rationale == "federal inventory: High-impact") > 0
    # a practice for every hi_* cell with something in it; none for a blank one or an empty list
    filled = sum(1 for row in rows for column in PRACTICE_COLUMNS if row[column].strip() not in ("", "[]"))
    assert _count(Practice) == filled == sum(summary["practices"].values())
    assert summary["practices"]["waived"] == 1 and summary["practices"]["not_applicable"] == 135 + 143 + 4
    # what means nothing the tracker knows is not started, its text kept in the note and listed
    assert summary["unmapped"]["hi_testing_conducted"] == {"No": 1}
    odd = "['General solicitations of \\ncomments from the public']"  # a backslash and an n, as published
    assert summary["unmapped"]["hi_public_consultation"][odd] == 32
    notes = set(db.session.scalars(sa.select(Practice.note).where(Practice.status == "not_started")))
    assert odd in notes and "No" in notes
    assert _count(Practice, Practice.status == "not_started", Practice.note == "") == 0
    assert "could not map hi_public_consultation:" in result.output
    assert "  risk tiers: unassessed 426, minimal 2740, high_impact 445\n" in result.output
    # done: as of the import's day, and the note says so; the waiver is the CAIO's
    done = db.session.execute(sa.select(Practice).where(Practice.status == "done").limit(1)).scalar_one()
    assert done.completed_on == today and "federal inventory imported on" in done.note
    waived = db.session.execute(sa.select(Practice).where(Practice.status == "waived")).scalar_one()
    assert (waived.waived_on, waived.waiver_reason) == (today, "CAIO waived (federal inventory)")


def test_a_dry_run_scan_of_the_imported_inventory_lists_the_deployed_high_impact_systems_lacking_a_practice(
    app, app_context, federal_inventory
):
    rows = _federal_rows(federal_inventory)
    factories.UserFactory(role="admin")
    assert _cli(app, "import", federal_inventory, "--format", "omb-2025").exit_code == 0

    result = _cli(app, "scan", "--dry-run")

    assert result.exit_code == 0, result.output
    lapsed = [line for line in result.output.splitlines() if "practices_lapsed" in line]
    deployed = [r for r in rows if r["is_high_impact"] == "High-impact" and r["development_stage"] == "Deployed"]
    # what the published data says: a deployed high-impact system with any practice not done (or
    # not applicable, or waived) lacks it
    in_effect = {"Yes", "Yes - Monitoring Established", "Training Established", "Appeal Process Established",
                 "Internal Independent Review", "Oversight Board Review", "CAIO Review", "CAIO Waived",
                 "Not Applicable", "Appeal Precluded by Law"}  # fmt: skip
    consulted = ("Usability Testing", "Public Feedback Solicitations", "Public Hearings", "Other", "CAIO Waived",
                 "a) Direct usability testing", "b) General solicitations of feedback and comments from the public",
                 "c) Public hearings or meetings", "d) Other")  # fmt: skip
    lacking = [
        r
        for r in deployed
        if not all(r[c].strip() in in_effect for c in PRACTICE_COLUMNS if c != "hi_public_consultation")
        or not any(f"'{answer}'" in r["hi_public_consultation"] for answer in consulted)
    ]
    assert len(lapsed) == len(lacking) == EXPECTED_LAPSED


def test_the_determinations_and_practices_survive_a_round_trip_of_all_3611_rows(
    app, app_context, federal_inventory, tmp_path
):
    factories.UserFactory(role="admin")
    assert _cli(app, "import", federal_inventory, "--format", "omb-2025").exit_code == 0
    columns = (Project.key, Project.stage, Project.risk_tier, Project.risks)
    before = set(db.session.execute(sa.select(*columns)).all())
    high_impact = Project.risk_tier == "high_impact"
    practices_before = {k: v for k, v in _practice_statuses(high_impact).items() if v != "not_started"}
    rationale_before = dict(db.session.execute(sa.select(Project.key, Project.risk_rationale)).all())
    exported = tmp_path / "inventory.csv"

    assert _cli(app, "export", exported, "--format", "omb-2025").exit_code == 0
    db.session.execute(sa.delete(Project))
    db.session.commit()
    assert _cli(app, "import", exported, "--format", "omb-2025").exit_code == 0

    assert len(before) == 3611
    assert set(db.session.execute(sa.select(*columns)).all()) == before
    # a high-impact project's practices read the same (one not started has no row after the trip)
    assert {k: v for k, v in _practice_statuses(high_impact).items() if v != "not_started"} == practices_before
    rationale_after = dict(db.session.execute(sa.select(Project.key, Project.risk_rationale)).all())
    changed = {key for key in rationale_before if rationale_before[key] != rationale_after[key]}
    # only rationales the import made up may read differently ("Presumed..." comes back as "Not High-impact")
    assert {
        key: (rationale_before[key], rationale_after[key])
        for key in changed
        if not rationale_before[key].startswith("federal inventory: ")
    } == {}
    # the exported file says what the original said, by meaning
    with exported.open(encoding="utf-8-sig", newline="") as handle:
        written = {row["id"]: row for row in csv.DictReader(handle)}
    rows = _federal_rows(federal_inventory)
    once = {key for key, n in Counter(row["id"] for row in rows).items() if n == 1}
    original = {row["id"]: row for row in rows if row["id"] in once and row["id"] in written}
    assert len(original) > 2800
    meaning = {"": "", "High-impact": "High-impact", "Not High-impact": "Not High-impact",
               "Presumed High-Impact, but Not High-impact": "Not High-impact"}  # fmt: skip
    assert all(written[key]["is_high_impact"] == meaning[row["is_high_impact"]] for key, row in original.items())

    def status(column: str, cell: str) -> str:
        read = omb_practice(column, cell)
        return "not_started" if read is None else read.status

    for key, row in original.items():
        if row["is_high_impact"] == "High-impact":
            for column in PRACTICE_COLUMNS:
                assert status(column, written[key][column]) == status(column, row[column]), (key, column)
