"""The language of a project's text in the CSV files: the tracker format's `content_locale` column
(import and export, round trip), the federal inventory (English both ways)."""

import csv

import pytest
import sqlalchemy as sa

from tests import factories
from tests.integration.test_import_export import GOOD_ROW, _cli, _import, _write_csv
from tracker.extensions import db
from tracker.projects.models import Project
from tracker.registry import service
from tracker.registry.formats import OMB_2025_COLUMNS, TRACKER_COLUMNS


def _languages() -> dict:
    return dict(db.session.execute(sa.select(Project.key, Project.content_locale)).all())


def test_a_tracker_import_takes_each_rows_language_and_the_default_for_a_blank_cell(app, app_context, tmp_path):
    app.config["DEFAULT_LOCALE"] = "ko"
    admin = factories.UserFactory(role="admin")
    rows = [
        {**GOOD_ROW, "key": "SEOUL-01", "title": "교통신호 최적화", "content_locale": "ko"},
        {**GOOD_ROW, "key": "CITY-01", "content_locale": "en"},
        {**GOOD_ROW, "key": "CITY-02"},  # blank: the deployment's language
    ]
    summary = _import(tmp_path, rows, default_owner=admin)
    assert summary["created"] == 3
    assert _languages() == {"SEOUL-01": "ko", "CITY-01": "en", "CITY-02": "ko"}


def test_a_file_from_before_the_column_imports_in_the_default_language(app, app_context, tmp_path):
    admin = factories.UserFactory(role="admin")
    header = tuple(name for name in TRACKER_COLUMNS if name != "content_locale")
    _import(tmp_path, [GOOD_ROW], default_owner=admin, header=header)
    assert _languages() == {GOOD_ROW["key"]: "en"}


def test_a_language_the_service_does_not_have_refuses_the_whole_file(app, app_context, tmp_path):
    admin = factories.UserFactory(role="admin")
    rows = [{**GOOD_ROW, "key": "CITY-01"}, {**GOOD_ROW, "key": "CITY-02", "content_locale": "fr"}]
    with pytest.raises(service.ImportRejected) as refused:
        _import(tmp_path, rows, default_owner=admin)
    assert refused.value.line_errors == {3: {"content_locale": ["Must be one of: en, ko."]}}
    assert _languages() == {}


def test_the_federal_inventory_is_english_whatever_the_deployments_language(
    app, app_context, tmp_path, federal_inventory
):
    app.config["DEFAULT_LOCALE"] = "ko"
    admin = factories.UserFactory(role="admin")
    path = tmp_path / "five.csv"
    path.write_text(factories.federal_inventory_rows(5), encoding="utf-8")
    assert _cli(app, "import", path, "--format", "omb-2025", "--owner", admin.email).exit_code == 0
    assert set(_languages().values()) == {"en"} and len(_languages()) == 5


def test_the_tracker_export_carries_each_projects_language_and_imports_again(app, app_context, tmp_path):
    factories.UserFactory(role="admin")
    factories.ProjectFactory(key="SEOUL-01", title="교통신호 최적화", content_locale="ko")
    factories.ProjectFactory(key="CITY-01", title="Permit triage", content_locale="en")
    exported = tmp_path / "portfolio.csv"
    assert _cli(app, "export", exported, "--format", "tracker").exit_code == 0
    with exported.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["key"]: row["content_locale"] for row in rows} == {"SEOUL-01": "ko", "CITY-01": "en"}

    db.session.execute(sa.delete(Project))
    db.session.commit()
    assert _cli(app, "import", exported).exit_code == 0
    assert _languages() == {"SEOUL-01": "ko", "CITY-01": "en"}


def test_the_federal_export_writes_a_projects_english_translation_where_it_has_one(app, app_context, tmp_path):
    seoul = factories.ProjectFactory(
        key="SEOUL-01", title="교통신호 최적화", problem="교차로 정체", purpose="대기 시간 단축", content_locale="ko"
    )
    factories.TranslationFactory(project=seoul, locale="en", title="Traffic signal timing", purpose="Shorter waits")
    factories.ProjectFactory(key="SEOUL-02", title="민원 상담 도우미", content_locale="ko")
    exported = tmp_path / "inventory.csv"
    assert _cli(app, "export", exported, "--format", "omb-2025").exit_code == 0
    with exported.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == OMB_2025_COLUMNS
        rows = {row["id"]: row for row in reader}
    assert (rows["SEOUL-01"]["use_case_name"], rows["SEOUL-01"]["benefits"]) == (
        "Traffic signal timing",
        "Shorter waits",
    )
    assert rows["SEOUL-01"]["problem_solved"] == "교차로 정체"  # not translated: the original
    assert rows["SEOUL-02"]["use_case_name"] == "민원 상담 도우미"


def test_a_tracker_file_written_by_hand_with_the_column_first_imports(app, app_context, tmp_path):
    admin = factories.UserFactory(role="admin")
    header = ("content_locale", "key", "title", "domain", "ai_type")
    path = tmp_path / "by-hand.csv"
    _write_csv(path, header, [["ko", "SEOUL-09", "보행신호 연장", "mobility", "computer_vision"]])
    assert _cli(app, "import", path, "--owner", admin.email).exit_code == 0
    assert _languages() == {"SEOUL-09": "ko"}
