"""The CSV formats of import and export, as pure code: the tracker's own format, and the US federal
AI use case inventory (OMB M-25-21, `omb-2025`). No Flask, no session: plain values in and out."""

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from tracker.projects.schemas import KEY_PATTERN

FORMATS = ("tracker", "omb-2025")

# The tracker format: one row per project, in this order on export (import takes any order).
TRACKER_COLUMNS = (
    "key",
    "title",
    "problem",
    "description",
    "domain",
    "ai_type",
    "department",
    "owner_email",
    "stage",
    "stage_entered_at",
    "public",
    "purpose",
    "data_sources",
    "logic",
    "risks",
    "human_oversight",
    "contact_email",
    "risk_tier",
    "risk_rationale",
)
TRACKER_REQUIRED_COLUMNS = ("key", "title", "domain", "ai_type")

# The header of the 2025 federal inventory (use_cases.csv), in its order.
OMB_2025_COLUMNS = (
    "agency",
    "agency_name",
    "id",
    "use_case_name",
    "agency_bureau",
    "contact_email",
    "is_withheld",
    "development_stage",
    "is_high_impact",
    "HI_justification",
    "topic_area",
    "classification",
    "problem_solved",
    "benefits",
    "system_outputs",
    "operational_date",
    "contracting_usage",
    "vendor_name",
    "have_ato",
    "system_name_ato",
    "data_description",
    "link_to_data",
    "has_pii",
    "pia_url",
    "demographic_features",
    "has_custom_code",
    "code_url",
    "hi_testing_conducted",
    "hi_assessment_completed",
    "hi_potential_impacts",
    "hi_independent_review",
    "hi_ongoing_monitoring",
    "hi_training_established",
    "hi_failsafe_presence",
    "hi_appeal_process",
    "hi_public_consultation",
)
OMB_2025_REQUIRED_COLUMNS = ("use_case_name", "development_stage")
# 'Select Multiple' columns hold stringified lists; the federal file writes an empty one as "[]".
OMB_LIST_COLUMNS = ("demographic_features", "hi_public_consultation")

# Keys are lower-cased and cut at the first ':' or spaced dash, so the shorthand codes of the
# published file and the full answers of the data dictionary ("a) Pre-deployment \u2013 The use
# case is ...", with an en dash) read the same.
OMB_STAGES = {"pre-deployment": "poc", "pilot": "pilot", "deployed": "rollout", "retired": "retired"}
STAGES_TO_OMB = {
    "poc": "Pre-deployment",
    "pilot": "Pilot",
    "rollout": "Deployed",
    "retired": "Retired",
    "cancelled": "Retired",
}

OMB_AI_TYPES = {
    "classical ml": "traditional_ml",
    "classical/predictive machine learning": "traditional_ml",
    "computer vision": "computer_vision",
    "nlp": "nlp",
    "natural language processing": "nlp",
    "generative ai": "generative",
    # agentic systems of 2025 are built on generative models
    "agentic ai": "generative",
    "reinforcement learning": "optimization",
    "other": "other",
    "": "other",
}
AI_TYPES_TO_OMB = {
    "traditional_ml": "Classical ML",
    "computer_vision": "Computer Vision",
    "nlp": "NLP",
    "generative": "Generative AI",
    "optimization": "Reinforcement Learning",
    "other": "Other",
}

# Topic areas onto the six urban domains of the default DOMAINS setting. Topics with no urban
# counterpart (Science, International Affairs, Other, blank) fall back and are listed as unmapped.
OMB_TOPICS = {
    "admin functions": "operations",
    "administrative functions": "operations",
    "hr": "operations",
    "human resources": "operations",
    "procurement and finance mgmt": "operations",
    "procurement and financial management": "operations",
    "it": "infrastructure",
    "information technology": "infrastructure",
    "cybersecurity": "safety",
    "emergency mgmt": "safety",
    "emergency management": "safety",
    "law enforcement": "safety",
    "health and medical": "living",
    "benefits processing": "living",
    "government benefits processing": "living",
    "service delivery": "living",
    "transportation": "mobility",
    "energy and environment": "environment",
    "energy and the environment": "environment",
}
FALLBACK_DOMAIN = "operations"
# the inverse, chosen so that an exported domain reads back as the same domain
DOMAINS_TO_OMB = {
    "operations": "Admin Functions",
    "safety": "Emergency Mgmt",
    "infrastructure": "IT",
    "living": "Service Delivery",
    "mobility": "Transportation",
    "environment": "Energy and Environment",
}
OTHER_TOPIC = "Other"

_KEY = re.compile(KEY_PATTERN)
_NOT_KEY_CHARACTERS = re.compile(r"[^A-Z0-9._-]+")
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_TRAILING_TIME = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2})?(\s*[AP]M)?$", re.IGNORECASE)
# The shapes operational_date takes in the 2025 inventory (and a few more a spreadsheet makes).
# A month without a day is its first day; a year alone is its 1 January.
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%Y", "%b-%y", "%Y", "%Y/%m/%d", "%Y-%m", "%B %Y", "%b %Y", "%d-%b-%y")
EARLIEST_DATE = date(1900, 1, 1)


def canonical_choice(value: str) -> str:
    """'a) Pre-deployment - The use case is ...' and 'Pre-deployment' both read 'pre-deployment'."""
    text = re.sub(r"^[a-z]\)\s*", "", " ".join(value.split()).lower())
    return re.split(": | [\u2013\u2014-] ", text, maxsplit=1)[0].strip()


class MalformedCsv(ValueError):
    """A record the CSV reader cannot take, at `line`."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def read_rows(lines: Iterable[str]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header, and each following non-blank record with the line it starts on (the header is line 1).

    Raises MalformedCsv (while iterating) for what no database should receive.
    """
    reader = csv.reader(lines)
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as exc:
        raise MalformedCsv(1, str(exc)) from None

    def records() -> Iterator[tuple[int, list[str]]]:
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader, None)
            except csv.Error as exc:
                raise MalformedCsv(start, str(exc)) from None
            if record is None:
                return
            if any("\x00" in cell for cell in record):
                raise MalformedCsv(start, "contains a NUL character")
            if any(cell.strip() for cell in record):
                yield start, record

    return header, records()


def normalise_key(raw: str) -> str:
    """An inventory id as a project key: upper case, runs of other characters as one '-'.

    'FDIC \u2013 3' (an en dash) -> 'FDIC-3'. Empty when nothing usable is left.
    """
    if is_key(raw.strip()):
        return raw.strip()
    key = _NOT_KEY_CHARACTERS.sub("-", raw.strip().upper())
    key = re.sub(r"-{2,}", "-", key).strip("-._")
    return key[:64].rstrip("-._")


def is_key(value: str) -> bool:
    return bool(_KEY.match(value))


def with_suffix(key: str, n: int) -> str:
    """`key` with '-n' appended, shortened so the result stays within 64 characters."""
    suffix = f"-{n}"
    return key[: 64 - len(suffix)].rstrip("-._") + suffix


def parse_operational_date(value: str) -> date | None:
    """The date in one of the inventory's many shapes, or None when it is none of them."""
    text = _TRAILING_TIME.sub("", " ".join(value.split()))
    for pattern in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return parsed if parsed >= EARLIEST_DATE else None
    return None


def first_email(value: str) -> str:
    """The first email address in a contact cell ('a@x.gov, cc: b@x.gov' -> 'a@x.gov'), or ''."""
    found = _EMAIL.search(value)
    return found.group(0) if found and len(found.group(0)) <= 254 else ""


def omb_row_for(project: dict) -> dict:
    """One exported row of the federal inventory for a project (a mapping of its columns)."""
    row = dict.fromkeys(OMB_2025_COLUMNS, "")
    row.update(dict.fromkeys(OMB_LIST_COLUMNS, "[]"))
    row.update(
        {
            "agency_name": project["department"],
            "id": project["key"],
            "use_case_name": project["title"],
            "contact_email": project["contact_email"],
            "is_withheld": "No" if project["public"] else "",
            "development_stage": STAGES_TO_OMB[project["stage"]],
            "topic_area": DOMAINS_TO_OMB.get(project["domain"], OTHER_TOPIC),
            "classification": AI_TYPES_TO_OMB[project["ai_type"]],
            "problem_solved": project["problem"],
            "benefits": project["purpose"],
            "system_outputs": project["description"],
            "operational_date": project["stage_entered_at"].isoformat(),
            "data_description": project["data_sources"],
            "hi_potential_impacts": project["risks"],
        }
    )
    return row


def tracker_row_for(project: dict) -> dict:
    """One exported row of the tracker format for a project."""
    row = {name: project[name] for name in TRACKER_COLUMNS}
    row["stage_entered_at"] = project["stage_entered_at"].isoformat()
    row["public"] = "true" if project["public"] else "false"
    return row
