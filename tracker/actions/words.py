"""What the action pages say of a flag, in the reader's language (lazy: read at rendering)."""

import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from tracker.flags import rules, service
from tracker.flags.models import Flag
from tracker.i18n import PEOPLE

STATUSES = {
    "open": _l("Open"),
    "acknowledged": _l("Acknowledged"),
    "snoozed": _l("Snoozed"),
    "resolved": _l("Resolved"),
}


def rule_title(rule: str) -> str:
    return rules.title(rule, PEOPLE)


def finding(session: so.Session, flag: Flag) -> str:
    """What the scan found, with its numbers, in the reader's words: the flags API's explanation."""
    [shown] = service.with_project(session, [flag])
    return rules.explain(flag.rule, shown["details"], words=PEOPLE)
