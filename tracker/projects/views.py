from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from tracker.auth import authenticate, require_creator, require_project_editor, require_role, require_sign_in
from tracker.db import get_or_404
from tracker.extensions import db
from tracker.fields import PageArgs
from tracker.http import (
    ETAG_HEADER,
    IF_MATCH_PARAMETER,
    LOCATION_HEADER,
    PAGINATION_HEADERS,
    check_if_match,
    created,
    etag_of,
    paginate,
)
from tracker.projects import service
from tracker.projects.models import StageTransition
from tracker.projects.schemas import (
    ProjectCreateSchema,
    ProjectListArgs,
    ProjectPatchSchema,
    ProjectSchema,
    TransitionCreateSchema,
    TransitionRecordSchema,
)

blp = Blueprint("projects", __name__, url_prefix="/api/v1", description="AI projects and their stage decisions")
blp.before_request(require_sign_in)


def _with_etag(project):
    return project, 200, {"ETag": etag_of(project.id, project.version)}


@blp.route("/projects")
class Projects(MethodView):
    @blp.arguments(ProjectListArgs(), location="query")
    @blp.response(200, ProjectSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args):
        """List projects, filtered by stage, domain, department, owner, open flags or risk tier."""
        authenticate()
        page, page_size = args.pop("page"), args.pop("page_size")
        query = service.list_projects_query(rows=True, **args)
        items, headers = paginate(db.session, query, page, page_size, rows=True)
        return items, 200, headers

    @blp.arguments(ProjectCreateSchema())
    @blp.response(201, ProjectSchema, headers={**LOCATION_HEADER, **ETAG_HEADER})
    def post(self, data):
        """Create a project (manager, caio, admin); its history starts with this stage.

        `owner_id` defaults to the caller; only the CAIO office may name someone else.
        A project may start in a later stage with a past `stage_entered_at` (an existing portfolio).
        It may be classified at once: a `risk_tier` with its `risk_rationale`.
        """
        actor = require_creator()
        project = service.create_project(db.session, actor=actor, data=data)
        body, status, headers = created(project, "projects.Project", project_id=project.id)
        return body, status, {**headers, "ETag": etag_of(project.id, project.version)}


@blp.route("/projects/<id:project_id>")
class Project(MethodView):
    @blp.response(200, ProjectSchema, headers=ETAG_HEADER)
    def get(self, project_id):
        """Read one project; its ETag goes in If-Match when you change it."""
        authenticate()
        return _with_etag(service.read_project(db.session, project_id))

    @blp.doc(parameters=[IF_MATCH_PARAMETER])
    @blp.arguments(ProjectPatchSchema())
    @blp.response(200, ProjectSchema, headers=ETAG_HEADER)
    def patch(self, changes, project_id):
        """Change a project's fields (its owner, caio, admin); needs If-Match.

        The stage changes only through transitions; only the CAIO office may change `owner_id`,
        or move `risk_tier` down from high_impact or prohibited. A change of `risk_tier` carries
        its `risk_rationale` (not needed back to unassessed); `risk_assessed_on` is set to today.
        """
        project = service.get_project(db.session, project_id, for_update=True)
        actor = require_project_editor(project.owner_id)
        check_if_match(etag_of(project.id, project.version))
        return _with_etag(service.update_project(db.session, actor=actor, project=project, changes=changes))

    @blp.response(204)
    def delete(self, project_id):
        """Delete a project with everything under it (admin)."""
        require_role("admin")
        service.delete_project(db.session, service.get_project(db.session, project_id))


@blp.route("/projects/<id:project_id>/transitions")
class ProjectTransitions(MethodView):
    @blp.arguments(PageArgs(), location="query")
    @blp.response(200, TransitionRecordSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args, project_id):
        """The project's stage history, oldest decision first."""
        authenticate()
        service.read_project(db.session, project_id)
        items, headers = paginate(db.session, service.history_query(project_id), args["page"], args["page_size"])
        return items, 200, headers

    @blp.arguments(TransitionCreateSchema())
    @blp.response(201, TransitionRecordSchema, headers=LOCATION_HEADER)
    def post(self, data, project_id):
        """Record a stage decision (owner, caio, admin).

        Refused with 409 and the list `unmet` when a gate is not met; the CAIO office may pass
        it with an `override_reason`, which is recorded, except `prohibited_use`, which no
        override passes. The trust gates judge the practices on the decision's `effective_date`.
        """
        actor = authenticate()
        transition = service.record_transition(
            db.session,
            actor=actor,
            project_id=project_id,
            practice_valid_days=current_app.config["PRACTICE_VALID_DAYS"],
            **data,
        )
        return created(transition, "projects.Transition", transition_id=transition.id)


@blp.route("/transitions/<id:transition_id>")
class Transition(MethodView):
    @blp.response(200, TransitionRecordSchema)
    def get(self, transition_id):
        """Read one stage decision."""
        authenticate()
        return get_or_404(db.session, StageTransition, transition_id, name="transition")
