"""Pilot-to-Scale Tracker: the system of record of a city's AI portfolio."""

import logging

from flask import Flask

from tracker.config import load_settings


def create_app(settings: dict | None = None) -> Flask:
    """Build the app: settings from the environment, overridden by `settings` (tests)."""
    app = Flask(__name__, static_folder=None)
    app.config.update(load_settings(app.instance_path))
    app.config.update(_api_settings())
    app.config.update(settings or {})
    app.json.sort_keys = False  # answers keep SPEC's order (stages poc -> retired), not A-Z
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    register_extensions(app)
    with app.app_context():  # schemas read settings (DOMAINS) while the API is documented
        register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_scheduler(app, asked="SCHEDULER_ENABLED" in (settings or {}))
    return app


def _api_settings() -> dict:
    return {
        "API_TITLE": "Pilot-to-Scale Tracker",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        # served by the app itself: the docs work on a closed network
        "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs/assets/",
    }


def register_extensions(app: Flask) -> None:
    from tracker.audit.trail import install as install_audit_trail
    from tracker.console.guard import install as install_console_rules
    from tracker.extensions import api, db
    from tracker.http import IdConverter, LocaleConverter, refuse_non_json_bodies, refuse_unstorable_text
    from tracker.i18n import init_app as init_i18n
    from tracker.metrics import install as install_metrics

    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["locale"] = LocaleConverter
    install_metrics(app)  # first: its clock starts before the other hooks run
    app.before_request(refuse_non_json_bodies)
    app.before_request(refuse_unstorable_text)
    db.init_app(app)
    init_i18n(app)
    install_audit_trail(db.sessionmaker)
    install_console_rules(app)
    api.init_app(app, spec_kwargs=_spec_kwargs())
    api.register_converter(IdConverter, IdConverter.openapi_schema)
    api.register_converter(LocaleConverter, LocaleConverter.openapi_schema)


def _spec_kwargs() -> dict:
    from tracker.fields import ChangesSchemaPlugin

    return {
        "extra_plugins": [ChangesSchemaPlugin()],
        "info": {
            "description": "The system of record of an AI portfolio: projects through PoC, pilot and rollout, "
            "stage gates, budgets, outcome KPIs, stall flags and alerts, reports and the public AI registry."
        },
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    }


def register_blueprints(app: Flask) -> None:
    from tracker.actions.views import blp as actions_blp
    from tracker.alerts.views import blp as alerts_blp
    from tracker.audit.views import blp as audit_blp
    from tracker.budgets.views import blp as budgets_blp
    from tracker.console.views import blp as console_blp
    from tracker.console_forms.views import blp as console_forms_blp
    from tracker.console_reports.views import blp as console_reports_blp
    from tracker.entry_translations.views import blp as translations_blp
    from tracker.extensions import api
    from tracker.flags.views import blp as flags_blp
    from tracker.health import blp as health_blp
    from tracker.kpis.views import blp as kpis_blp
    from tracker.pages import blp as pages_blp
    from tracker.projects.views import blp as projects_blp
    from tracker.register.views import blp as register_blp
    from tracker.registry.views import blp as registry_blp
    from tracker.registry.views import imports_blp
    from tracker.reports.views import blp as reports_blp
    from tracker.signin.views import blp as signin_blp
    from tracker.snapshots.views import blp as snapshots_blp
    from tracker.trend.views import blp as trend_blp
    from tracker.trust.views import blp as trust_blp
    from tracker.users.views import blp as users_blp

    app.register_blueprint(health_blp)
    app.register_blueprint(pages_blp)
    app.register_blueprint(register_blp)
    app.register_blueprint(actions_blp)
    app.register_blueprint(signin_blp)
    app.register_blueprint(console_blp)
    app.register_blueprint(console_forms_blp)
    app.register_blueprint(console_reports_blp)
    api.register_blueprint(projects_blp)
    api.register_blueprint(alerts_blp)
    api.register_blueprint(users_blp)
    api.register_blueprint(budgets_blp)
    api.register_blueprint(kpis_blp)
    api.register_blueprint(trust_blp)
    api.register_blueprint(translations_blp)
    api.register_blueprint(audit_blp)
    api.register_blueprint(flags_blp)
    api.register_blueprint(reports_blp)
    api.register_blueprint(trend_blp)
    api.register_blueprint(snapshots_blp)
    api.register_blueprint(registry_blp)
    api.register_blueprint(imports_blp)


def register_errorhandlers(app: Flask) -> None:
    from tracker.errors import register_error_handlers
    from tracker.security import register_security_headers

    register_error_handlers(app)
    register_security_headers(app)


def register_commands(app: Flask) -> None:
    from tracker.cli import register

    register(app)


def register_scheduler(app: Flask, asked: bool) -> None:
    """SCHEDULER_ENABLED: run the scheduler inside this web process (tests only when they ask)."""
    from tracker.scheduler import start_in_web_process

    start_in_web_process(app, asked=asked)
