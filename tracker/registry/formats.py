"""The CSV formats of import and export, as pure code: the tracker's own format, and the US federal
AI use case inventory (OMB M-25-21, `omb-2025`). No Flask, no session: plain values in and out."""

import ast
import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
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
    "content_locale",
)
TRACKER_REQUIRED_COLUMNS = ("key", "title", "domain", "ai_type")

# The language the federal inventory is written in: what its import's projects are written in,
# and what its export writes where a project has a translation into it.
OMB_2025_LOCALE = "en"

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

# ---- the high-impact determination and the eight practices (SPEC "Trust", the omb-2025 mapping) ----
# Answers are compared as `answer()` writes them, so the published shorthand codes and the data
# dictionary's full answers ("a) Yes - by the CAIO" with an en dash, a curly apostrophe) read alike.

OMB_TIERS = {
    "high-impact": "high_impact",
    "not high-impact": "minimal",
    "presumed high-impact, but not high-impact": "minimal",
    "presumed high-impact, but determined not high impact": "minimal",
}
TIERS_TO_OMB = {
    "unassessed": "",
    "minimal": "Not High-impact",
    "limited": "Not High-impact",
    "high_impact": "High-impact",
    "prohibited": "High-impact",
}
# the tiers whose practices the inventory asks for (the others export blank hi_* columns)
OMB_PRACTICE_TIERS = ("high_impact", "prohibited")
# a rationale the import made up for a determination without a justification; not exported
SOURCE_RATIONALE = "federal inventory: {}"

OMB_PRACTICE_COLUMNS = {
    "hi_testing_conducted": "testing",
    "hi_assessment_completed": "impact_assessment",
    "hi_independent_review": "independent_review",
    "hi_ongoing_monitoring": "monitoring",
    "hi_training_established": "training",
    "hi_failsafe_presence": "human_oversight",
    "hi_appeal_process": "appeal",
    "hi_public_consultation": "public_consultation",
}
CONSULTATION_COLUMN = "hi_public_consultation"
# Each column's answers that mean `done`: its shorthand codes, then the dictionary's full answers.
# The first is the one exported.
OMB_DONE = {
    "hi_testing_conducted": ("Yes",),
    "hi_assessment_completed": ("Yes",),
    "hi_independent_review": (
        "Internal Independent Review",
        "Oversight Board Review",
        "CAIO Review",
        "Yes - by another appropriate agency office or reviewer not directly involved in the AI's development",
        "Yes - by an agency AI oversight board not directly involved in the AI's development",
        "Yes - by the CAIO",
    ),
    "hi_ongoing_monitoring": (
        "Yes - Monitoring Established",
        "Yes, sufficient monitoring protocols have been established",
    ),
    "hi_training_established": (
        "Training Established",
        "Yes, sufficient and periodic training has been established",
    ),
    "hi_failsafe_presence": ("Yes",),
    "hi_appeal_process": (
        "Appeal Process Established",
        "Yes, an appropriate appeal process has been established",
    ),
    CONSULTATION_COLUMN: (
        "Usability Testing",
        "Public Feedback Solicitations",
        "Public Hearings",
        "Other",
        "Direct usability testing",
        "General solicitations of feedback and comments from the public",
        "Public hearings or meetings",
    ),
}
OMB_NOT_APPLICABLE = {
    "hi_failsafe_presence": ("Not Applicable",),
    "hi_appeal_process": (
        "Not Applicable",
        "Appeal Precluded by Law",
        "Law, operational limitations, or governmentwide guidance precludes an opportunity for an individual to appeal",
    ),
}
OMB_WAIVED = ("CAIO Waived", "Agency CAIO has waived this minimum practice and reported such waiver to OMB")
# each column's own in-progress form on export; any answer saying "in-progress" (the dictionary
# spells it "in-progess" once) imports as in_progress
OMB_IN_PROGRESS = {"hi_training_established": "Training In-progress", "hi_appeal_process": "Appeal Process In-progress"}
_IN_PROGRESS = re.compile(r"\bin[- ]progr?ess\b")
WAIVER_REASON = "CAIO waived (federal inventory)"


def answer(value: str) -> str:
    """An inventory answer as compared: lower case, no 'a) ' label, plain dashes and apostrophes."""
    text = " ".join(value.split()).lower().replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'")
    return re.sub(r"^[a-z]\)\s*", "", text)


_DONE = {column: {answer(value) for value in values} for column, values in OMB_DONE.items()}
_NOT_APPLICABLE = {column: {answer(value) for value in values} for column, values in OMB_NOT_APPLICABLE.items()}
_WAIVED = {answer(value) for value in OMB_WAIVED}


def omb_tier(value: str) -> str | None:
    """The tier an `is_high_impact` answer means: blank is unassessed; None when it means none."""
    if not value.strip():
        return "unassessed"
    return OMB_TIERS.get(answer(value))


@dataclass(frozen=True)
class ImportedPractice:
    """What one hi_* cell says: its status, and whether the cell could be read (`mapped`)."""

    status: str
    mapped: bool = True


def omb_practice(column: str, value: str) -> ImportedPractice | None:
    """The practice a hi_* cell records; None for a blank cell (or an empty list): nothing recorded.

    `hi_public_consultation` holds a stringified list of answers, read with `ast.literal_eval`
    (a literal parser, never `eval`): `done` if any answer is a step taken, else waived, else in
    progress. A malformed list, or answers that mean none of these, are not mapped (not started).
    """
    if column != CONSULTATION_COLUMN:
        return _one_answer(column, value) if value.strip() else None
    answers = _consultation_answers(value)
    if answers is None:
        return ImportedPractice("not_started", mapped=False)
    if not answers:
        return None
    found = [_one_answer(column, item) for item in answers]
    for status in ("done", "waived", "in_progress"):
        if any(practice.status == status for practice in found):
            return ImportedPractice(status)
    return ImportedPractice("not_started", mapped=False)


def _one_answer(column: str, value: str) -> ImportedPractice:
    said = answer(value)
    if said in _DONE[column]:
        return ImportedPractice("done")
    if said in _WAIVED:
        return ImportedPractice("waived")
    if said in _NOT_APPLICABLE.get(column, ()):
        return ImportedPractice("not_applicable")
    if _IN_PROGRESS.search(said):
        return ImportedPractice("in_progress")
    return ImportedPractice("not_started", mapped=False)  # "No", or anything else


def _consultation_answers(value: str) -> list[str] | None:
    """The answers of a stringified list ("['a', 'b']"); a bare answer is a list of one; None if malformed."""
    text = value.strip()
    if text in ("", "[]"):  # most rows: no need to parse
        return []
    if not text.startswith("["):
        return [text]
    try:
        parsed = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(parsed, list | tuple) or not all(isinstance(item, str) for item in parsed):
        return None
    return [item for item in parsed if item.strip()]


def omb_practice_cell(column: str, status: str) -> str:
    """A practice's status as the inventory writes it in `column`."""
    if status == "done":
        cell = OMB_DONE[column][0]
    elif status == "in_progress":
        cell = OMB_IN_PROGRESS.get(column, "In-progress")
    elif status == "waived":
        cell = OMB_WAIVED[0]
    elif status == "not_applicable":
        cell = OMB_NOT_APPLICABLE[column][0] if column in OMB_NOT_APPLICABLE else ""
    else:
        cell = ""
    if column == CONSULTATION_COLUMN:
        return repr([cell]) if cell else "[]"
    return cell


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


def omb_row_for(project: dict, practices: dict[str, str] | None = None) -> dict:
    """One exported row of the federal inventory for a project (a mapping of its columns);
    `practices`: the written practices' statuses by key (the others are not started)."""
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
            "is_high_impact": TIERS_TO_OMB[project["risk_tier"]],
            "HI_justification": _justification(project),
        }
    )
    if project["risk_tier"] in OMB_PRACTICE_TIERS:
        for column, key in OMB_PRACTICE_COLUMNS.items():
            row[column] = omb_practice_cell(column, (practices or {}).get(key, "not_started"))
    return row


def _justification(project: dict) -> str:
    """The rationale, unless it is the one an import made up for a determination without one."""
    rationale = project["risk_rationale"]
    prefix = SOURCE_RATIONALE.format("")
    if rationale.startswith(prefix) and answer(rationale[len(prefix) :]) in OMB_TIERS:
        return ""
    return rationale


def tracker_row_for(project: dict) -> dict:
    """One exported row of the tracker format for a project."""
    row = {name: project[name] for name in TRACKER_COLUMNS}
    row["stage_entered_at"] = project["stage_entered_at"].isoformat()
    row["public"] = "true" if project["public"] else "false"
    return row
