"""Every model, imported once so the metadata (and Alembic) sees all tables."""

from tracker.alerts.models import OutboxMessage
from tracker.audit.models import AuditEvent
from tracker.budgets.models import BudgetLine
from tracker.db import Base
from tracker.entry_translations import changes as _translation_changes  # noqa: F401  (a translation written changes its entry)
from tracker.entry_translations.models import ProjectTranslation
from tracker.flags.models import Flag, ScanRun, SchedulerClaim
from tracker.kpis.models import Kpi, Measurement
from tracker.projects.models import Project, StageTransition
from tracker.signin.models import SignInLink, StaffSession
from tracker.snapshots.models import Snapshot
from tracker.trust import changes as _practice_changes  # noqa: F401  (a practice written changes its entry)
from tracker.trust.models import Practice
from tracker.users.models import ApiToken, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "BudgetLine",
    "Flag",
    "Kpi",
    "Measurement",
    "OutboxMessage",
    "Practice",
    "Project",
    "ProjectTranslation",
    "ScanRun",
    "SchedulerClaim",
    "SignInLink",
    "Snapshot",
    "StaffSession",
    "StageTransition",
    "User",
]
