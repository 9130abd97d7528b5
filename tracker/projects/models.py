from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_app_context

from tracker.db import Base, UTCDateTime, enum_column, utcnow
from tracker.entry_translations.models import ProjectTranslation
from tracker.i18n import SOURCE_LOCALE
from tracker.projects import search
from tracker.users.models import User
from tracker.vocab import AI_TYPES, RISK_TIERS, STAGES


def _same_as_updated_at(context) -> datetime:
    """A write of the project itself: its entry changed at the same instant as the row."""
    return context.get_current_parameters().get("updated_at") or utcnow()


def _default_content_locale() -> str:
    """DEFAULT_LOCALE: a project's own text is written in the deployment's language unless it says otherwise."""
    return current_app.config["DEFAULT_LOCALE"] if has_app_context() else SOURCE_LOCALE


class Project(Base):
    __tablename__ = "projects"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    problem: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # the vocabulary is a setting (DOMAINS), so it is checked by the API, not the schema
    domain: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    ai_type: so.Mapped[str] = so.mapped_column(enum_column("ai_type", AI_TYPES))
    department: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    owner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    stage: so.Mapped[str] = so.mapped_column(enum_column("stage", STAGES))
    stage_entered_at: so.Mapped[date]
    public: so.Mapped[bool] = so.mapped_column(default=False, index=True)
    purpose: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    data_sources: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    logic: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    risks: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    human_oversight: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    contact_email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    # The risk classification (tracker/trust): the tier, why, and the day it last changed.
    risk_tier: so.Mapped[str] = so.mapped_column(
        enum_column("risk_tier", RISK_TIERS), default="unassessed", server_default="unassessed", index=True
    )
    risk_rationale: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    risk_assessed_on: so.Mapped[date | None]
    # the language its own text (title, problem, registry fields...) is written in; translations
    # into the other languages are tracker/entry_translations' (no CHECK: adding a language is a setting)
    content_locale: so.Mapped[str] = so.mapped_column(sa.String(16), default=_default_content_locale)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The register's search text (tracker/projects/search.py), derived: set on insert from the row's
    # values (ORM and bulk inserts alike), on update by the before_update hook below, and with its
    # translations' when one is written (tracker/entry_translations/changes.py).
    search_text: so.Mapped[str] = so.mapped_column(
        sa.Text, default=lambda context: search.search_text(context.get_current_parameters()), server_default=""
    )
    # The registry entry's last change: this row's, or one of its practices' (SPEC "Trust"), kept
    # here so the register lists newest first from an index (tracker/trust/changes.py).
    changed_at: so.Mapped[datetime] = so.mapped_column(
        UTCDateTime, default=_same_as_updated_at, onupdate=_same_as_updated_at, server_default=sa.func.now()
    )
    # bumped by every UPDATE and checked in its WHERE clause: the ETag, and no lost updates
    version: so.Mapped[int] = so.mapped_column(default=1)

    owner: so.Mapped[User] = so.relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # the list filters and their totals: index-only counts at 100k projects (bench EXPLAIN)
        sa.Index("ix_projects_stage_domain", "stage", "domain"),
        sa.Index("ix_projects_department_stage", "department", "stage"),
        # the console's list: a stage's projects in an area, by reference, read in order (the one
        # above stays for the API's list, by id: SQLite reads it in id order, this one it would sort)
        sa.Index("ix_projects_stage_domain_key", "stage", "domain", "key"),
        # the register: public entries, newest change first
        sa.Index("ix_projects_public_changed_at", "public", "changed_at", "id"),
    )


# The register's search on PostgreSQL: public entries' n-grams (tracker/projects/search.py). The
# predicate is written as the register's queries write it, or the planner cannot use the index.
sa.Index(
    search.NGRAMS_INDEX,
    sa.func.register_ngrams(Project.search_text),
    postgresql_using="gin",
    postgresql_where=Project.public.is_(True),
).ddl_if(dialect="postgresql")
for when, statement in (
    ("before_create", search.CREATE_NGRAMS_FUNCTION),
    ("after_create", f"ALTER INDEX {search.NGRAMS_INDEX} ALTER COLUMN 1 SET STATISTICS 0"),
    ("after_drop", search.DROP_NGRAMS_FUNCTION),
):
    sa.event.listen(Project.__table__, when, sa.DDL(statement).execute_if(dialect="postgresql"))


def searched_translations(connection: sa.Connection, project_id: int) -> list[sa.RowMapping]:
    """The searched fields of a project's translations (searched in every language, SPEC)."""
    columns = (getattr(ProjectTranslation, name) for name in search.TRANSLATED_SEARCHED_FIELDS)
    return (
        connection.execute(
            sa.select(*columns).where(ProjectTranslation.project_id == project_id).order_by(ProjectTranslation.locale)
        )
        .mappings()
        .all()
    )


@sa.event.listens_for(Project, "before_update")
def _refresh_search_text(mapper, connection, project: Project) -> None:
    state = sa.inspect(project)
    if any(state.attrs[name].history.has_changes() for name in search.SEARCHED_FIELDS):
        project.search_text = search.search_text(
            {name: getattr(project, name) for name in search.SEARCHED_FIELDS},
            searched_translations(connection, project.id),
        )


def entry_changed(connection: sa.Connection, project_id: int, at: datetime, **values) -> None:
    """Something of the project's registry entry that is not the project's row changed at `at` (a
    practice, a translation: SPEC "Trust"): its `changed_at` moves there, if later, without
    touching its `updated_at`, version (ETag) or audit trail; `values` are set with it."""
    table = Project.__table__
    connection.execute(
        sa.update(table)
        .where(table.c.id == project_id)
        # naming updated_at keeps its onupdate from firing: the project itself did not change
        .values(
            changed_at=sa.case((table.c.changed_at < at, at), else_=table.c.changed_at),
            updated_at=table.c.updated_at,
            **values,
        )
    )


class StageTransition(Base):
    """One stage decision. Append-only: nothing updates or deletes a row but its project's deletion."""

    __tablename__ = "stage_transitions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    project_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    # null for the entry recorded when the project was created
    from_stage: so.Mapped[str | None] = so.mapped_column(enum_column("from_stage", STAGES))
    to_stage: so.Mapped[str] = so.mapped_column(enum_column("to_stage", STAGES))
    effective_date: so.Mapped[date]
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    rationale: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    gate: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    override_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    recorded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    decided_by: so.Mapped[User | None] = so.relationship()

    __table_args__ = (sa.Index("ix_stage_transitions_project_date", "project_id", "effective_date", "id"),)
