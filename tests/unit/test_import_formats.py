"""The omb-2025 and tracker CSV formats as pure rules: dates, keys, choices, contacts, lines."""

import io
from datetime import date

import pytest

from tracker.registry import formats


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-04-01 00:00:00", date(2023, 4, 1)),
        ("2023-04-01", date(2023, 4, 1)),
        ("1/15/2016", date(2016, 1, 15)),
        ("12/9/2024", date(2024, 12, 9)),
        ("10/13/2024", date(2024, 10, 13)),
        ("01/01/2019 12:00:00 AM", date(2019, 1, 1)),
        ("12/18/2025 00:00:00", date(2025, 12, 18)),
        ("4/16/2025 0:00", date(2025, 4, 16)),
        ("03/2024", date(2024, 3, 1)),
        ("Jan-24", date(2024, 1, 1)),
        ("Sep-19", date(2019, 9, 1)),
        ("2019", date(2019, 1, 1)),
        ("  2019 ", date(2019, 1, 1)),
        ("March 2022", date(2022, 3, 1)),
    ],
)
def test_every_date_shape_of_the_federal_inventory_is_read(value, expected):
    assert formats.parse_operational_date(value) == expected


@pytest.mark.parametrize("value", ["TBD", "Q3 FY2024", "13/45/2024", "0001", "1850-01-01", "2024-02-30", "N/A"])
def test_what_is_no_date_is_not_guessed(value):
    assert formats.parse_operational_date(value) is None


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("DHS-313", "DHS-313"),
        ("FDIC \u2013 3", "FDIC-3"),
        ("FDIC - 9", "FDIC-9"),
        ("doj-0357", "DOJ-0357"),
        ("  35 ", "35"),
        ("HHS/CDC #12", "HHS-CDC-12"),
        ("-weird-", "WEIRD"),
        ("서울", ""),
        ("", ""),
        ("A" * 80, "A" * 64),
        ("CITY-OK.", "CITY-OK."),  # a key already valid is left as it is
    ],
)
def test_inventory_ids_become_keys_of_the_key_pattern(raw, key):
    assert formats.normalise_key(raw) == key
    assert key == "" or formats.is_key(key)


def test_a_suffix_keeps_a_key_within_64_characters():
    assert formats.with_suffix("DOJ-0357", 2) == "DOJ-0357-2"
    long_key = formats.with_suffix("A" * 64, 12)
    assert long_key == "A" * 61 + "-12" and formats.is_key(long_key)


@pytest.mark.parametrize(
    ("value", "choice"),
    [
        ("Pre-deployment", "pre-deployment"),
        ("a) Pre-deployment \u2013 The use case is in a development or acquisition status.", "pre-deployment"),
        ("Classical/Predictive Machine Learning: Models trained on data", "classical/predictive machine learning"),
        ("  Generative   AI ", "generative ai"),
        ("Other \u2013 Economic & Financial", "other"),
        ("", ""),
    ],
)
def test_shorthand_codes_and_full_answers_read_the_same(value, choice):
    assert formats.canonical_choice(value) == choice


def test_the_mapping_tables_cover_every_vocabulary_both_ways():
    assert set(formats.OMB_STAGES.values()) | {"cancelled"} == set(formats.STAGES_TO_OMB)
    for stage, omb in formats.STAGES_TO_OMB.items():
        assert formats.OMB_STAGES[formats.canonical_choice(omb)] == stage.replace("cancelled", "retired")
    for ai_type, omb in formats.AI_TYPES_TO_OMB.items():
        assert formats.OMB_AI_TYPES[formats.canonical_choice(omb)] == ai_type
    for domain, topic in formats.DOMAINS_TO_OMB.items():
        assert formats.OMB_TOPICS[formats.canonical_choice(topic)] == domain
    assert formats.OMB_AI_TYPES["agentic ai"] == "generative"


@pytest.mark.parametrize(
    ("cell", "email"),
    [
        ("ai@hq.dhs.gov", "ai@hq.dhs.gov"),
        ("jacob.carley@noaa.gov, cc: daryl.kleist@noaa.gov", "jacob.carley@noaa.gov"),
        ("sofie.vanparijs@noaa.gov; rebecca.vanhoeck@noaa.gov", "sofie.vanparijs@noaa.gov"),
        ("https://home.treasury.gov/utility/contact", ""),
        ("Gerardo Nixon", ""),
        ("", ""),
    ],
)
def test_a_contact_cell_gives_its_first_email_address(cell, email):
    assert formats.first_email(cell) == email


def test_records_carry_the_line_they_start_on_and_blank_lines_are_skipped():
    text = 'key,title\nA,"two\nlines"\n\nB,one line\n'
    header, records = formats.read_rows(io.StringIO(text, newline=""))
    assert header == ["key", "title"]
    assert list(records) == [(2, ["A", "two\nlines"]), (5, ["B", "one line"])]


def test_a_nul_character_is_refused_with_its_line():
    _, records = formats.read_rows(io.StringIO("key\nA\nB\x00\n", newline=""))
    with pytest.raises(formats.MalformedCsv) as refused:
        list(records)
    assert (refused.value.line, refused.value.message) == (3, "contains a NUL character")


def test_an_exported_row_uses_the_federal_columns_and_codes():
    project = {
        "key": "SEOUL-TRAFFIC-01",
        "title": "서울 교통 신호 최적화",
        "problem": "Congestion",
        "description": "Signal plans",
        "domain": "mobility",
        "ai_type": "optimization",
        "department": "Seoul Metropolitan Government",
        "stage": "cancelled",
        "stage_entered_at": date(2024, 5, 17),
        "public": True,
        "purpose": "Shorter waits",
        "data_sources": "Loop detectors",
        "risks": "Pedestrian waits",
        "contact_email": "traffic@seoul.example",
        "risk_tier": "limited",
        "risk_rationale": "Residents see the signal plans it proposes.",
    }
    row = formats.omb_row_for(project)
    assert tuple(row) == formats.OMB_2025_COLUMNS
    assert (row["id"], row["development_stage"], row["classification"], row["topic_area"]) == (
        "SEOUL-TRAFFIC-01",
        "Retired",
        "Reinforcement Learning",
        "Transportation",
    )
    assert (row["operational_date"], row["is_withheld"], row["hi_public_consultation"]) == ("2024-05-17", "No", "[]")
    assert formats.omb_row_for({**project, "domain": "culture"})["topic_area"] == "Other"
    # limited is "Not High-impact" in the inventory, which asks practices of high-impact systems only
    assert (row["is_high_impact"], row["HI_justification"]) == ("Not High-impact", project["risk_rationale"])
    assert row["hi_testing_conducted"] == ""


# ---- the high-impact determination and the practices ----

PRACTICE_CELLS = {
    "hi_testing_conducted": {
        "Yes": "done",
        "a) Yes": "done",
        "In-progress": "in_progress",
        "b) In-progress": "in_progress",
        "CAIO Waived": "waived",
        "c) Agency CAIO has waived this minimum practice and reported such waiver to OMB": "waived",
    },
    "hi_independent_review": {
        "Internal Independent Review": "done",
        "Oversight Board Review": "done",
        "CAIO Review": "done",
        "a) Yes \u2013 by another appropriate agency office or reviewer not directly involved in the AI\u2019s development": "done",
        "c) Yes \u2013 by the CAIO": "done",
    },
    "hi_ongoing_monitoring": {
        "Yes - Monitoring Established": "done",
        "a) Yes, sufficient monitoring protocols have been established": "done",
        "b) Development of monitoring protocols is in-progess": "in_progress",  # the dictionary's own typo
    },
    "hi_training_established": {"Training Established": "done", "Training In-progress": "in_progress"},
    "hi_failsafe_presence": {"Yes": "done", "Not Applicable": "not_applicable", "b) Not applicable": "not_applicable"},
    "hi_appeal_process": {
        "Appeal Process Established": "done",
        "Appeal Process In-progress": "in_progress",
        "Appeal Precluded by Law": "not_applicable",
        "d) Law, operational limitations, or governmentwide guidance precludes an opportunity for an individual "
        "to appeal": "not_applicable",
    },
    "hi_public_consultation": {
        "['Usability Testing']": "done",
        "['a) Direct usability testing', 'd) Other']": "done",
        "['Public Feedback Solicitations']": "done",
        "['Public Hearings']": "done",
        "['Other']": "done",
        '["In-progress"]': "in_progress",
        "['CAIO Waived']": "waived",
        "['In-progress', 'Usability Testing']": "done",
    },
}


@pytest.mark.parametrize(
    "column,cell,status", [(c, cell, status) for c, cells in PRACTICE_CELLS.items() for cell, status in cells.items()]
)
def test_the_inventorys_short_codes_and_full_answers_map_to_a_practice_status(column, cell, status):
    assert formats.omb_practice(column, cell) == formats.ImportedPractice(status)


@pytest.mark.parametrize(
    "column,cell",
    [
        ("hi_testing_conducted", "No"),
        ("hi_testing_conducted", "Not Applicable"),  # only oversight and appeal may not apply
        ("hi_ongoing_monitoring", "Yes \u2013 by an agency AI oversight board not directly involved"),
        ("hi_training_established", "a) Yes, sufficient monitoring protocols have been established"),
        ("hi_public_consultation", "['General solicitations of \\ncomments from the public']"),
        ("hi_public_consultation", "['Usability Testing'"),  # malformed
        ("hi_public_consultation", "[1, 2]"),
        ("hi_public_consultation", "__import__('os').system('echo pwned')"),  # text, never evaluated
        ("hi_public_consultation", "[__import__('os')]"),
    ],
)
def test_an_answer_that_means_no_status_is_not_started_and_marked_unmapped(column, cell):
    assert formats.omb_practice(column, cell) == formats.ImportedPractice("not_started", mapped=False)


@pytest.mark.parametrize("column,cell", [("hi_testing_conducted", ""), ("hi_public_consultation", "[]")])
def test_a_blank_cell_or_an_empty_list_records_nothing(column, cell):
    assert formats.omb_practice(column, cell) is None


def test_the_determination_maps_short_and_full_answers_and_blank_is_unassessed():
    assert formats.omb_tier("High-impact") == formats.omb_tier("a) High-impact") == "high_impact"
    assert formats.omb_tier("Not High-impact") == formats.omb_tier("c) Not high-impact") == "minimal"
    assert formats.omb_tier("Presumed High-Impact, but Not High-impact") == "minimal"
    assert formats.omb_tier("b) Presumed high-impact, but determined not high impact") == "minimal"
    assert formats.omb_tier("  ") == "unassessed"
    assert formats.omb_tier("Maybe") is None


@pytest.mark.parametrize("column", list(formats.OMB_PRACTICE_COLUMNS))
@pytest.mark.parametrize("status", ["done", "in_progress", "waived", "not_applicable", "not_started"])
def test_every_exported_practice_cell_reads_back_as_the_same_status(column, status):
    cell = formats.omb_practice_cell(column, status)
    if status == "not_applicable" and column not in formats.OMB_NOT_APPLICABLE:
        assert cell in ("", "[]")  # the column has no such answer
    elif status == "not_started":
        assert formats.omb_practice(column, cell) is None
    else:
        assert formats.omb_practice(column, cell) == formats.ImportedPractice(status)


def test_export_writes_the_tier_and_practices_of_high_impact_and_prohibited_projects_only():
    base = {
        "key": "K-1",
        "title": "T",
        "problem": "",
        "description": "",
        "domain": "living",
        "ai_type": "nlp",
        "department": "",
        "stage": "rollout",
        "stage_entered_at": date(2025, 1, 1),
        "public": False,
        "purpose": "",
        "data_sources": "",
        "risks": "Wrongful denial of benefits",
        "contact_email": "",
    }
    practices = {"testing": "done", "appeal": "in_progress", "public_consultation": "waived"}
    high = formats.omb_row_for(
        {**base, "risk_tier": "high_impact", "risk_rationale": "federal inventory: High-impact"}, practices
    )
    assert (high["is_high_impact"], high["HI_justification"]) == ("High-impact", "")  # a made-up rationale stays home
    assert (high["hi_testing_conducted"], high["hi_appeal_process"]) == ("Yes", "Appeal Process In-progress")
    assert (high["hi_public_consultation"], high["hi_assessment_completed"]) == ("['CAIO Waived']", "")
    assert high["hi_potential_impacts"] == "Wrongful denial of benefits"
    banned = formats.omb_row_for({**base, "risk_tier": "prohibited", "risk_rationale": "Social scoring."}, practices)
    assert (banned["is_high_impact"], banned["HI_justification"]) == ("High-impact", "Social scoring.")
    unassessed = formats.omb_row_for({**base, "risk_tier": "unassessed", "risk_rationale": ""}, practices)
    assert (unassessed["is_high_impact"], unassessed["hi_testing_conducted"]) == ("", "")
    assert unassessed["hi_potential_impacts"] == "Wrongful denial of benefits"
