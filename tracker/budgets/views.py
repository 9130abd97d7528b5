from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from tracker.auth import require_project_editor, require_sign_in
from tracker.budgets import service
from tracker.budgets.schemas import (
    BudgetLineCreateSchema,
    BudgetLineListArgs,
    BudgetLinePatchSchema,
    BudgetLineSchema,
)
from tracker.extensions import db
from tracker.http import LOCATION_HEADER, PAGINATION_HEADERS, created, paginate
from tracker.projects.service import get_project

blp = Blueprint("budgets", __name__, url_prefix="/api/v1", description="Budget lines: money for each project stage")
blp.before_request(require_sign_in)


def _require_editor_of_line(line_id: int):
    """The line, locked for the change, once the caller may edit its project."""
    line = service.get_budget_line(db.session, line_id, for_update=True)
    require_project_editor(get_project(db.session, line.project_id).owner_id)
    return line


@blp.route("/projects/<id:project_id>/budget-lines")
class ProjectBudgetLines(MethodView):
    @blp.arguments(BudgetLineListArgs(), location="query")
    @blp.response(200, BudgetLineSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args, project_id):
        """A project's budget lines, filtered by stage, fiscal year or status; oldest first."""
        get_project(db.session, project_id)
        page, page_size = args.pop("page"), args.pop("page_size")
        stmt = service.list_budget_lines_query(project_id, **args)
        items, headers = paginate(db.session, stmt, page, page_size)
        return items, 200, headers

    @blp.arguments(BudgetLineCreateSchema())
    @blp.response(201, BudgetLineSchema, headers=LOCATION_HEADER)
    def post(self, data, project_id):
        """Add a budget line to a project (its owner, caio, admin).

        Money travels as decimal strings, never JSON numbers. `currency` is an ISO 4217 code in
        capitals (default: the DEFAULT_CURRENCY setting); `amount` and `spent` may have at most
        its minor-unit decimals (2 for EUR and USD, 0 for KRW and JPY, 3 for KWD). `planned_on`
        defaults to today (to `approved_on` when only that is given); `approved_on` goes only with
        status approved (today when not given), never before `planned_on`; neither in the future.
        """
        project = get_project(db.session, project_id)
        require_project_editor(project.owner_id)
        line = service.create_budget_line(
            db.session, project=project, data=data, default_currency=current_app.config["DEFAULT_CURRENCY"]
        )
        return created(line, "budgets.BudgetLine", line_id=line.id)


@blp.route("/budget-lines/<id:line_id>")
class BudgetLine(MethodView):
    @blp.response(200, BudgetLineSchema)
    def get(self, line_id):
        """Read one budget line; amounts carry exactly their currency's decimals."""
        return service.get_budget_line(db.session, line_id)

    @blp.arguments(BudgetLinePatchSchema())
    @blp.response(200, BudgetLineSchema)
    def patch(self, changes, line_id):
        """Change a budget line (its project's owner, caio, admin), e.g. approve it.

        A new `currency` converts nothing: the amounts keep their value and must fit its decimals
        (422 naming `amount` or `spent` if they do not). Approving a line dates its approval
        today unless `approved_on` says otherwise; setting it back to planned removes `approved_on`
        (sending one with status planned is a 422).
        """
        line = _require_editor_of_line(line_id)
        return service.update_budget_line(db.session, line=line, changes=changes)

    @blp.response(204)
    def delete(self, line_id):
        """Delete a budget line (its project's owner, caio, admin)."""
        service.delete_budget_line(db.session, _require_editor_of_line(line_id))
