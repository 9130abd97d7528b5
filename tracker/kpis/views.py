from flask.views import MethodView
from flask_smorest import Blueprint

from tracker.auth import require_project_editor, require_sign_in
from tracker.extensions import db
from tracker.fields import PageArgs
from tracker.http import LOCATION_HEADER, PAGINATION_HEADERS, created, paginate
from tracker.kpis import service
from tracker.kpis.schemas import (
    KpiCreateSchema,
    KpiListArgs,
    KpiPatchSchema,
    KpiSchema,
    MeasurementCreateSchema,
    MeasurementSchema,
)
from tracker.projects.service import get_project

blp = Blueprint("kpis", __name__, url_prefix="/api/v1", description="KPIs of projects and their measurements")
blp.before_request(require_sign_in)


def _require_editor_of_kpi(kpi_id: int, *, for_update: bool = False):
    """The KPI, once the caller may edit its project; a KPI is reached by its id, so its owner is checked here."""
    kpi = service.get_kpi(db.session, kpi_id, for_update=for_update)
    actor = require_project_editor(get_project(db.session, kpi.project_id).owner_id)
    return actor, kpi


def _with_status(kpi):
    return service.with_status(db.session, [kpi])[0]


@blp.route("/projects/<id:project_id>/kpis")
class ProjectKpis(MethodView):
    @blp.arguments(KpiListArgs(), location="query")
    @blp.response(200, KpiSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args, project_id):
        """A project's KPIs, with their latest value, progress and whether they are overdue."""
        get_project(db.session, project_id)
        page, page_size = args.pop("page"), args.pop("page_size")
        items, headers = paginate(db.session, service.list_kpis_query(project_id, **args), page, page_size)
        return service.with_status(db.session, items), 200, headers

    @blp.arguments(KpiCreateSchema())
    @blp.response(201, KpiSchema, headers=LOCATION_HEADER)
    def post(self, data, project_id):
        """Add a KPI to a project (its owner, caio, admin).

        Values are decimal strings (at most 6 places). An `outcome` KPI with a `baseline` and a
        `target` is what the gate into rollout asks for.
        """
        project = get_project(db.session, project_id)
        require_project_editor(project.owner_id)
        kpi = service.create_kpi(db.session, project=project, data=data)
        return created(_with_status(kpi), "kpis.Kpi", kpi_id=kpi.id)


@blp.route("/kpis/<id:kpi_id>")
class Kpi(MethodView):
    @blp.response(200, KpiSchema)
    def get(self, kpi_id):
        """Read one KPI, with its latest value, progress and whether it is overdue."""
        return _with_status(service.get_kpi(db.session, kpi_id))

    @blp.arguments(KpiPatchSchema())
    @blp.response(200, KpiSchema)
    def patch(self, changes, kpi_id):
        """Change a KPI (its project's owner, caio, admin); send null to clear a baseline or target."""
        _, kpi = _require_editor_of_kpi(kpi_id, for_update=True)
        return _with_status(service.update_kpi(db.session, kpi=kpi, changes=changes))

    @blp.response(204)
    def delete(self, kpi_id):
        """Delete a KPI and its measurements (its project's owner, caio, admin)."""
        _, kpi = _require_editor_of_kpi(kpi_id, for_update=True)
        service.delete_kpi(db.session, kpi)


@blp.route("/kpis/<id:kpi_id>/measurements")
class KpiMeasurements(MethodView):
    @blp.arguments(PageArgs(), location="query")
    @blp.response(200, MeasurementSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args, kpi_id):
        """A KPI's measurements, newest first (by measured_on, then the one recorded last)."""
        service.get_kpi(db.session, kpi_id)
        stmt = service.list_measurements_query(kpi_id)
        items, headers = paginate(db.session, stmt, args["page"], args["page_size"])
        return items, 200, headers

    @blp.arguments(MeasurementCreateSchema())
    @blp.response(201, MeasurementSchema, headers=LOCATION_HEADER)
    def post(self, data, kpi_id):
        """Record a measurement of a KPI (its project's owner, caio, admin); measured_on not in the future."""
        actor, kpi = _require_editor_of_kpi(kpi_id)
        measurement = service.record_measurement(db.session, actor=actor, kpi=kpi, data=data)
        return created(measurement, "kpis.Measurement", measurement_id=measurement.id)


@blp.route("/measurements/<id:measurement_id>")
class Measurement(MethodView):
    @blp.response(200, MeasurementSchema)
    def get(self, measurement_id):
        """Read one measurement."""
        return service.get_measurement(db.session, measurement_id)
