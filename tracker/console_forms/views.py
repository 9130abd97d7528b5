"""The console's write forms (SPEC "The staff console", "Writing"): new and edit a project, a stage
decision, budget lines, KPIs and measurements, practices, acknowledging and snoozing flags.

Each form has a page of its own at the address it posts to (GET shows it empty, or filled with what
is stored); the project page and the flags page carry the everyday ones inline, posting to the same
addresses. A POST either does what the API's service does, as the signed-in user (the audit trail's
source `console`), and answers 303 back to the page it belongs to with a confirmation; or shows its
form again: 422 with the errors beside the fields and what was typed kept, 409 when the gate refuses
a stage decision or the project changed since the form was opened. Nothing is saved then.

Who may do what is the API's rule (tracker.auth `can_edit_project`, the services' own role checks):
a form is shown only to whoever may use it, and a post by anyone else is a 403 page. The rules every
console request passes first (a session, CSRF and Origin, no-store) are tracker/console/guard.py's.
"""

import sqlalchemy as sa
from babel import Locale
from flask import Blueprint, current_app, g, redirect, request
from flask_babel import format_currency, format_decimal, get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from tracker.auth import can_edit_project
from tracker.budgets import service as budgets
from tracker.console import queries
from tracker.console import words as vocab
from tracker.console.page import CONFIRMATIONS, confirm, render, safe_next, staff
from tracker.console_forms import forms, reading
from tracker.console_forms.messages import KEY_IN_USE, in_words
from tracker.db import utcnow
from tracker.errors import Conflict, Forbidden, GateNotMet, PreconditionFailed
from tracker.extensions import db
from tracker.flags import service as flags
from tracker.i18n import SUPPORTED_LOCALES, long_date
from tracker.kpis import service as kpis
from tracker.money import CURRENCIES
from tracker.pages import page_url
from tracker.projects import service as projects
from tracker.projects.models import Project
from tracker.projects.rules import ALLOWED_MOVES
from tracker.signin.sessions import SOURCE
from tracker.trust import service as trust
from tracker.trust.rules import MAY_BE_NOT_APPLICABLE, lowers_guarded_tier
from tracker.users.models import User
from tracker.vocab import (
    AI_TYPES,
    BUDGET_CATEGORIES,
    BUDGET_STAGES,
    BUDGET_STATUSES,
    CAIO_OFFICE,
    KPI_DIRECTIONS,
    OWNER_ROLES,
    PRACTICE_STATUSES,
    RISK_TIERS,
    STAGES,
)

blp = Blueprint("console_forms", __name__, url_prefix="/console", template_folder="templates")

# What the page a form returns to says once (worded when shown, in that page's language).
CONFIRMATIONS.update(
    {
        "project-created": lambda reference: _("Project %(key)s is created.", key=reference),
        "project-saved": lambda reference: _("Your changes to %(key)s are saved.", key=reference),
        "nothing-changed": lambda: _("Nothing was changed: the form was sent as it was."),
        "decision-recorded": lambda stage: _(
            "The stage decision is recorded: the project is now in %(stage)s.", stage=vocab.STAGE_NAMES[stage]
        ),
        "line-added": lambda amount, currency, stage: _(
            "Budget line added: %(amount)s for %(stage)s.",
            amount=format_currency(amount, currency),
            stage=vocab.STAGE_NAMES[stage],
        ),
        "line-changed": lambda status, spent, currency: _(
            "Budget line saved: %(status)s, %(spent)s spent.",
            status=vocab.BUDGET_STATUS_NAMES[status],
            spent=format_currency(spent, currency),
        ),
        "kpi-added": lambda name: _("KPI added: %(name)s.", name=name),
        "measurement-recorded": lambda name, value, day: _(
            "Measurement recorded for %(name)s: %(value)s on %(date)s.",
            name=name,
            value=format_decimal(value, format="#,##0.######"),
            date=long_date(day),
        ),
        "practice-saved": lambda practice, status: _(
            "%(practice)s is saved as %(status)s.",
            practice=vocab.PRACTICE_NAMES[practice],
            status=vocab.PRACTICE_STATUS_NAMES[status],
        ),
        "flag-acknowledged": lambda rule: _(
            "Flag acknowledged: %(rule)s. It sends no more reminders.", rule=vocab.rule_title(rule)
        ),
        "flag-snoozed": lambda rule, until: _(
            "Flag snoozed until %(date)s: %(rule)s.", rule=vocab.rule_title(rule), date=long_date(until)
        ),
    }
)


@blp.before_request
def _as_the_signed_in_user():
    """What a form writes is the signed-in user's, from the console (the audit trail's actor and source)."""
    if g.get("staff") is not None:
        db.session.info.update(actor=g.staff, source=SOURCE)


# --- who may do what: the API's rules, asked by the pages that show the forms ---------------


def may_change(owner_id: int) -> bool:
    """Whether the signed-in user may change a project of this owner (and its lines, KPIs,
    practices, flags): the API's own rule."""
    me = g.get("staff")
    return me is not None and can_edit_project(me, owner_id)


def in_caio_office() -> bool:
    me = g.get("staff")
    return me is not None and me.role in CAIO_OFFICE


def may_create_projects() -> bool:
    me = g.get("staff")
    return me is not None and me.role in OWNER_ROLES


@blp.app_context_processor
def form_context() -> dict:
    return {
        "may_change": may_change,
        "in_caio_office": in_caio_office,
        "may_create_projects": may_create_projects,
        "form_choices": choices,
        "moves_from": moves_from,
        "form_today": lambda: utcnow().date().isoformat(),
    }


def choices() -> dict:
    """The options of the forms' lists, in the reader's words, in the API's order (once a page)."""
    if "form_choices" not in g:
        g.form_choices = _choices()
    return g.form_choices


def _choices() -> dict:
    page = str(get_locale())
    return {
        "stage": [(stage, vocab.STAGE_NAMES[stage]) for stage in STAGES],
        "budget_stage": [(stage, vocab.STAGE_NAMES[stage]) for stage in BUDGET_STAGES],
        "domain": [(domain, vocab.DOMAIN_NAMES.get(domain, domain)) for domain in current_app.config["DOMAINS"]],
        "ai_type": [(kind, vocab.AI_TYPE_NAMES[kind]) for kind in AI_TYPES],
        "risk_tier": [(tier, vocab.RISK_TIER_NAMES[tier]) for tier in RISK_TIERS],
        "content_locale": [(code, Locale.parse(code).get_display_name(page)) for code in SUPPORTED_LOCALES],
        "category": [(category, vocab.BUDGET_CATEGORY_NAMES[category]) for category in BUDGET_CATEGORIES],
        "budget_status": [(status, vocab.BUDGET_STATUS_NAMES[status]) for status in BUDGET_STATUSES],
        "currency": [(code, code) for code in sorted(CURRENCIES)],
        "default_currency": current_app.config["DEFAULT_CURRENCY"],
        "kpi_kind": [
            (
                "outcome",
                vocab.KPI_KIND_NAMES["outcome"],
                _("A change in residents' lives or the city: wait times, accidents, water lost"),
            ),
            (
                "output",
                vocab.KPI_KIND_NAMES["output"],
                _("What the project produces: documents processed, sessions held"),
            ),
            ("input", vocab.KPI_KIND_NAMES["input"], _("What is put in: money, staff, models")),
        ],
        "direction": [(direction, vocab.KPI_DIRECTION_NAMES[direction]) for direction in KPI_DIRECTIONS],
    }


# --- finding what a form acts on --------------------------------------------------------------


def _project_to_change(project_id: int) -> Project:
    """The project (404 when there is none), once the signed-in user may change it (else a 403 page)."""
    project = projects.get_project(db.session, project_id)
    if not may_change(project.owner_id):
        raise Forbidden("only the project's owner or the CAIO office may change this project")
    return project


def _of_project(found, project: Project):
    """A line, KPI or flag reached through its project's address: one of another project is not there (404)."""
    if found.project_id != project.id:
        raise NotFound()
    return found


def _back(project: Project, part: str, next_page: str | None = None):
    """303 to the page the form belongs to: `next_page` when it is a console page, else the
    project's page at the part the form changed."""
    default = page_url("console.project", project_id=project.id) + f"#{part}"
    return redirect(safe_next(next_page, default=default), 303)


def _page(template: str, project: Project, *, status: int = 200, **context):
    return render(f"console_forms/{template}", status=status, section="projects", project=project, **context)


# --- projects ---------------------------------------------------------------------------------


def _owners(current_owner_id: int | None = None) -> list[tuple[int, str]]:
    """Whom a project may be given to (the API's rule: an active manager, caio or admin), and its owner now."""
    rows = db.session.execute(
        sa.select(User.id, User.name, User.email).where(
            sa.or_(sa.and_(User.active.is_(True), User.role.in_(OWNER_ROLES)), User.id == current_owner_id)
        )
    )
    return sorted(((row.id, row.name or row.email) for row in rows), key=lambda owner: owner[1].casefold())


def _key_in_use(key: str, project_id: int | None = None) -> bool:
    others = sa.select(Project.id).where(Project.key == key, Project.id != (project_id or 0))
    return db.session.scalar(sa.select(sa.exists(others)))


@blp.route("/projects/new", methods=["GET", "POST"])
def new_project():
    """A new project (manager, caio, admin): the API's create, as the signed-in user."""
    if not may_create_projects():
        raise Forbidden("only managers and the CAIO office create projects")
    me = staff()
    defaults = {"stage": "poc", "risk_tier": "unassessed", "content_locale": str(get_locale()), "owner_id": me.id}
    if request.method == "GET":
        return _new_project_page(defaults)
    form = forms.NEW_PROJECT
    submitted = form.read()
    if not submitted.errors and _key_in_use(submitted.data["key"]):
        submitted.errors["key"] = in_words("key", KEY_IN_USE)
    if not submitted.errors:
        project = form.write(submitted, lambda data: projects.create_project(db.session, actor=me, data=data))
    if submitted.errors:
        return _new_project_page({**defaults, **submitted.values}, submitted.errors, status=422)
    confirm("project-created", reference=project.key)
    return redirect(page_url("console.project", project_id=project.id), 303)


def _new_project_page(values: dict, errors: dict | None = None, *, status: int = 200):
    return render(
        "console_forms/project_new.html",
        status=status,
        section="projects",
        values=values,
        errors=errors or {},
        owners=_owners() if in_caio_office() else [],
    )


def _shown(values: dict) -> dict[str, str]:
    """Stored values as a form shows them."""
    return {name: reading.shown(value) for name, value in values.items()}


def _project_values(project: Project) -> dict[str, str]:
    return _shown({name: getattr(project, name) for name in forms.EDIT_PROJECT.names})


def _tiers_for(project: Project) -> list[tuple[str, object]]:
    """The risk levels this user may give the project: the CAIO office any, others none below a
    guarded tier (the API's rule, tracker/trust/rules.py)."""
    tiers = choices()["risk_tier"]
    if in_caio_office():
        return tiers
    return [(tier, words) for tier, words in tiers if not lowers_guarded_tier(project.risk_tier, tier)]


@blp.route("/projects/<id:project_id>/edit", methods=["GET", "POST"])
def edit_project(project_id: int):
    """Change a project's fields (its owner, caio, admin). The form carries the version it was
    loaded with: when the project changed since, it comes back (409) with the current values and
    what was typed beside them, and nothing is overwritten."""
    project = _project_to_change(project_id)
    current = _project_values(project)
    if request.method == "GET":
        return _edit_page(project, current)
    form = forms.EDIT_PROJECT
    typed = form.typed()
    if request.form.get("version") != str(project.version):
        return _stale_edit(project, typed)
    changes = reading.changed(typed, current)
    if not changes:
        confirm("nothing-changed")
        return redirect(page_url("console.project", project_id=project.id), 303)
    if "risk_tier" in changes and "risk_rationale" in typed and "risk_rationale" not in changes:
        changes.append("risk_rationale")  # a new tier says why: the rationale the form shows with it
    submitted = form.read(only=changes)
    if not submitted.errors and "key" in changes and _key_in_use(submitted.data["key"], project.id):
        submitted.errors["key"] = in_words("key", KEY_IN_USE)
    if not submitted.errors:
        try:
            form.write(
                submitted,
                lambda changes: projects.update_project(db.session, actor=staff(), project=project, changes=changes),
            )
        except PreconditionFailed:  # another change committed between this read and this write
            db.session.rollback()
            return _stale_edit(projects.get_project(db.session, project_id), typed)
    if submitted.errors:
        db.session.refresh(project)
        return _edit_page(project, {**current, **reading.shown_back(typed)}, submitted.errors, status=422)
    confirm("project-saved", reference=project.key)
    return redirect(page_url("console.project", project_id=project.id), 303)


def _stale_edit(project: Project, typed: dict[str, str]):
    """The form again with the project as it is now, and beside each field what was typed where it differs."""
    current = _project_values(project)
    differing = {name: text for name, text in reading.shown_back(typed).items() if text != current.get(name)}
    return _edit_page(project, current, status=409, typed=differing, stale=True)


def _edit_page(project: Project, values: dict, errors: dict | None = None, *, status: int = 200, typed=None, **context):
    owners = _owners(project.owner_id) if in_caio_office() else []
    return _page(
        "project_edit.html",
        project,
        status=status,
        values=values,
        errors=errors or {},
        tiers=_tiers_for(project),
        owners=owners,
        typed=_as_read(typed or {}, owners),
        **context,
    )


def _as_read(typed: dict[str, str], owners: list) -> dict[str, str]:
    """What was typed, as a person reads it: the words of a choice, not its code."""
    lists = {name: dict(options) for name, options in choices().items() if name in typed}
    lists["owner_id"] = {str(owner_id): name for owner_id, name in owners}
    read = {}
    for name, text in typed.items():
        if name == "public":
            read[name] = _("Listed") if text else _("Not listed")
        else:
            read[name] = str(lists.get(name, {}).get(text, text))
    return read


# --- stage decisions --------------------------------------------------------------------------


def moves_from(stage: str) -> list[tuple[str, object]]:
    """The stages a project may move to from `stage` (the API's moves), in the stages' order, in words."""
    return [(to_stage, vocab.STAGE_NAMES[to_stage]) for to_stage in STAGES if to_stage in ALLOWED_MOVES[stage]]


@blp.route("/projects/<id:project_id>/transitions", methods=["GET", "POST"])
def transition(project_id: int):
    """Record a stage decision (owner, caio, admin): the API's gate judges it; a refusal comes back
    (409) with the criteria not met in words, nothing moved. caio and admin may give an override reason."""
    project = _project_to_change(project_id)
    if request.method == "GET":
        return _transition_page(project, {"effective_date": utcnow().date().isoformat()})
    form = forms.TRANSITION
    submitted = form.read()
    decision = None
    if not submitted.errors:
        try:
            decision = form.write(
                submitted,
                lambda data: projects.record_transition(
                    db.session,
                    actor=staff(),
                    project_id=project.id,
                    practice_valid_days=current_app.config["PRACTICE_VALID_DAYS"],
                    **data,
                ),
            )
        except GateNotMet as refused:
            db.session.rollback()
            to_stage = submitted.data["to_stage"]
            refusal = [vocab.criterion(code, to_stage) for code in refused.extra["unmet"]]
            # beside the field too: the move chosen is what the gate refused
            beside = {"to_stage": _("Not met: %(criteria)s", criteria="; ".join(refusal))}
            return _transition_page(
                project, submitted.values, beside, status=409, refusal=refusal, refused_stage=to_stage
            )
        except Conflict:  # a move the project may not make (it moved since the form was opened)
            db.session.rollback()
            return _transition_page(project, submitted.values, status=409, move_refused=True)
    if decision is None:
        return _transition_page(project, submitted.values, submitted.errors, status=422)
    confirm("decision-recorded", stage=decision.to_stage)
    return _back(project, "timeline")


def _transition_page(project: Project, values: dict, errors: dict | None = None, *, status: int = 200, **context):
    db.session.refresh(project)
    today = utcnow().date()
    steps = queries.next_steps(
        db.session, project.stage, project.id, today=today, valid_days=current_app.config["PRACTICE_VALID_DAYS"]
    )
    return _page(
        "transition.html",
        project,
        status=status,
        values=values,
        errors=errors or {},
        moves=moves_from(project.stage),
        next_steps=steps,
        **context,
    )


# --- money ------------------------------------------------------------------------------------


@blp.route("/projects/<id:project_id>/budget-lines", methods=["GET", "POST"])
def new_budget_line(project_id: int):
    """Add a budget line (owner, caio, admin), through the API's budget service and its date rules."""
    project = _project_to_change(project_id)
    defaults = {"currency": current_app.config["DEFAULT_CURRENCY"], "status": "planned"}
    if request.method == "GET":
        return _page("budget_line_new.html", project, values=defaults, errors={})
    submitted, line = forms.NEW_BUDGET_LINE.submit(
        lambda data: budgets.create_budget_line(
            db.session, project=project, data=data, default_currency=current_app.config["DEFAULT_CURRENCY"]
        )
    )
    if line is None:
        values = {**defaults, **submitted.values}
        return _page("budget_line_new.html", project, status=422, values=values, errors=submitted.errors)
    confirm("line-added", amount=format(line.amount, "f"), currency=line.currency, stage=line.stage)
    return _back(project, "money")


@blp.route("/projects/<id:project_id>/budget-lines/<id:line_id>", methods=["GET", "POST"])
def budget_line(project_id: int, line_id: int):
    """Change a line's status (with `approved_on`) and `spent` (owner, caio, admin): what the form
    changed is sent, as a PATCH of the API would send it, so an untouched approval date follows the status."""
    project = _project_to_change(project_id)
    line = _of_project(budgets.get_budget_line(db.session, line_id, for_update=request.method == "POST"), project)
    current = {"status": line.status, "approved_on": line.approved_on, "spent": line.spent}
    if request.method == "GET":
        return _page("budget_line.html", project, line=line, values=_shown(current), errors={})
    form = forms.BUDGET_LINE
    typed = form.typed()
    changes = reading.changed(typed, current)
    if not changes:
        confirm("nothing-changed")
        return _back(project, "money")
    submitted = form.read(only=changes)
    if not submitted.errors:
        form.write(submitted, lambda changes: budgets.update_budget_line(db.session, line=line, changes=changes))
    if submitted.errors:
        db.session.refresh(line)
        values = {**_shown(current), **reading.shown_back(typed)}
        return _page("budget_line.html", project, status=422, line=line, values=values, errors=submitted.errors)
    confirm("line-changed", status=line.status, spent=format(line.spent, "f"), currency=line.currency)
    return _back(project, "money")


# --- KPIs and measurements --------------------------------------------------------------------


@blp.route("/projects/<id:project_id>/kpis", methods=["GET", "POST"])
def new_kpi(project_id: int):
    """Add a KPI (owner, caio, admin)."""
    project = _project_to_change(project_id)
    defaults = {"direction": "increase", "cadence_days": "30"}
    if request.method == "GET":
        return _page("kpi_new.html", project, values=defaults, errors={})
    submitted, kpi = forms.NEW_KPI.submit(lambda data: kpis.create_kpi(db.session, project=project, data=data))
    if kpi is None:
        return _page(
            "kpi_new.html", project, status=422, values={**defaults, **submitted.values}, errors=submitted.errors
        )
    confirm("kpi-added", name=kpi.name)
    return _back(project, f"kpi-{kpi.id}")


@blp.route("/projects/<id:project_id>/kpis/<id:kpi_id>/measurements", methods=["GET", "POST"])
def measurement(project_id: int, kpi_id: int):
    """Record a measurement of a KPI (owner, caio, admin)."""
    project = _project_to_change(project_id)
    kpi = _of_project(kpis.get_kpi(db.session, kpi_id), project)
    if request.method == "GET":
        return _measurement_page(project, kpi, {"measured_on": utcnow().date().isoformat()})
    submitted, recorded = forms.MEASUREMENT.submit(
        lambda data: kpis.record_measurement(db.session, actor=staff(), kpi=kpi, data=data)
    )
    if recorded is None:
        return _measurement_page(project, kpi, submitted.values, submitted.errors, status=422)
    confirm(
        "measurement-recorded", name=kpi.name, value=format(recorded.value, "f"), day=recorded.measured_on.isoformat()
    )
    return _back(project, f"kpi-{kpi.id}")


def _measurement_page(project: Project, kpi, values: dict, errors: dict | None = None, *, status: int = 200):
    [kpi] = kpis.with_status(db.session, [kpi])
    return _page("measurement.html", project, status=status, kpi=kpi, values=values, errors=errors or {})


# --- practices --------------------------------------------------------------------------------


def _statuses_for(key: str) -> list[tuple[str, object]]:
    """The statuses this user may give the practice: `not_applicable` only where the API allows
    it, `waived` only for the CAIO office (the API's rules, tracker/trust/rules.py)."""
    allowed = [
        status
        for status in PRACTICE_STATUSES
        if (status != "not_applicable" or key in MAY_BE_NOT_APPLICABLE) and (status != "waived" or in_caio_office())
    ]
    return [(status, vocab.PRACTICE_STATUS_NAMES[status]) for status in allowed]


@blp.route("/projects/<id:project_id>/practices/<string(maxlength=64):key>", methods=["GET", "POST"])
def practice(project_id: int, key: str):
    """Set a practice (owner, caio, admin; `waived` for caio and admin): as a PUT of the API, the
    fields left empty become empty."""
    project = _project_to_change(project_id)
    valid_days = current_app.config["PRACTICE_VALID_DAYS"]
    today = utcnow().date()
    current = trust.read_practice(db.session, project.id, key, today=today, valid_days=valid_days)
    if request.method == "GET":
        values = _shown({name: getattr(current, name) for name in forms.PRACTICE.names})
        return _practice_page(project, current, values)
    submitted, saved = forms.PRACTICE.submit(
        lambda data: trust.put_practice(
            db.session, actor=staff(), project_id=project.id, key=key, data=data, valid_days=valid_days
        )
    )
    if saved is None:
        return _practice_page(project, current, submitted.values, submitted.errors, status=422)
    confirm("practice-saved", practice=key, status=saved.status)
    return _back(project, "practices")


def _practice_page(project: Project, current, values: dict, errors: dict | None = None, *, status: int = 200):
    return _page(
        "practice.html",
        project,
        status=status,
        valid_days=current_app.config["PRACTICE_VALID_DAYS"],
        practice=current,
        statuses=_statuses_for(current.key),
        values=values,
        errors=errors or {},
    )


# --- flags ------------------------------------------------------------------------------------


def _flag_to_handle(project_id: int, flag_id: int):
    project = _project_to_change(project_id)
    return project, _of_project(flags.get_flag(db.session, flag_id), project)


@blp.route("/projects/<id:project_id>/flags/<id:flag_id>/acknowledge", methods=["GET", "POST"])
def acknowledge_flag(project_id: int, flag_id: int):
    """Acknowledge a flag (its project's owner, caio, admin): no more reminders."""
    project, flag = _flag_to_handle(project_id, flag_id)
    if request.method == "GET":
        return _flag_page(project, flag)
    try:
        flags.acknowledge(db.session, actor=staff(), flag_id=flag.id)
    except Conflict:  # resolved since the page was opened
        db.session.rollback()
        return _flag_page(project, flag, status=409)
    confirm("flag-acknowledged", rule=flag.rule)
    return _back(project, "flags", request.form.get("next"))


@blp.route("/projects/<id:project_id>/flags/<id:flag_id>/snooze", methods=["GET", "POST"])
def snooze_flag(project_id: int, flag_id: int):
    """Snooze a flag to a later date, with a reason (its project's owner, caio, admin)."""
    project, flag = _flag_to_handle(project_id, flag_id)
    if request.method == "GET":
        return _flag_page(project, flag)
    try:
        submitted, snoozed = forms.SNOOZE.submit(
            lambda data: flags.snooze(db.session, actor=staff(), flag_id=flag.id, **data)
        )
    except Conflict:  # resolved since the page was opened
        db.session.rollback()
        return _flag_page(project, flag, forms.SNOOZE.shown_back(), status=409)
    if snoozed is None:
        return _flag_page(project, flag, submitted.values, submitted.errors, status=422)
    confirm("flag-snoozed", rule=flag.rule, until=snoozed.snoozed_until.isoformat())
    return _back(project, "flags", request.form.get("next"))


def _flag_page(project: Project, flag, values: dict | None = None, errors: dict | None = None, *, status: int = 200):
    db.session.refresh(flag)
    [shown] = queries.shown_flags(db.session, [flag])
    return _page(
        "flag.html",
        project,
        status=status,
        flag=shown,
        values=values or {},
        errors=errors or {},
        next_page=safe_next(request.values.get("next"), default=""),
    )
