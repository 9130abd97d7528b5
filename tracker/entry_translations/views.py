from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from tracker.auth import authenticate, require_sign_in
from tracker.entry_translations import service
from tracker.entry_translations.schemas import TranslationPutSchema, TranslationSchema
from tracker.extensions import db
from tracker.http import LOCATION_HEADER
from tracker.i18n import SUPPORTED_LOCALES

blp = Blueprint(
    "translations",
    __name__,
    url_prefix="/api/v1",
    description="A project's own text in the register's other languages (its content_locale is the original's)",
)
blp.before_request(require_sign_in)


@blp.route("/projects/<id:project_id>/translations")
class Translations(MethodView):
    @blp.response(200, TranslationSchema(many=True))
    def get(self, project_id):
        """The project's translations, by language (a plain array, not paginated).

        Each is `stale` when one of the eight original fields changed after it was last
        written; `originals_changed` names them.
        """
        authenticate()
        return service.list_translations(db.session, project_id)


@blp.route("/projects/<id:project_id>/translations/<locale:locale>")
class Translation(MethodView):
    @blp.response(200, TranslationSchema)
    def get(self, project_id, locale):
        """Read the project's translation into one language (404 when it has none)."""
        authenticate()
        return service.read_translation(db.session, project_id, locale, supported=SUPPORTED_LOCALES)

    @blp.arguments(TranslationPutSchema())
    @blp.response(200, TranslationSchema)
    @blp.alt_response(201, schema=TranslationSchema, description="Created", headers=LOCATION_HEADER)
    def put(self, data, project_id, locale):
        """Set the project's text in a language, whole (its owner, caio, admin).

        Any of `title`, `problem`, `purpose`, `data_sources`, `logic`, `risks`,
        `human_oversight`, `risk_rationale`: non-empty text within the originals' limits; a field
        left out has no translation, and the register shows the original there. The language may
        not be the project's own (`content_locale`). 201 when created, 200 when replaced; either
        way the register entry has changed (its `updated_at`, the feed's `updated`).
        """
        actor = authenticate()
        translation, created = service.put_translation(
            db.session, actor=actor, project_id=project_id, locale=locale, data=data, supported=SUPPORTED_LOCALES
        )
        if created:
            location = url_for("translations.Translation", project_id=project_id, locale=locale)
            return translation, 201, {"Location": location}
        return translation

    @blp.response(204)
    def delete(self, project_id, locale):
        """Remove the project's translation into a language (its owner, caio, admin)."""
        actor = authenticate()
        service.delete_translation(
            db.session, actor=actor, project_id=project_id, locale=locale, supported=SUPPORTED_LOCALES
        )
