"""How a console form's posted text becomes the API's input (tracker/console_forms/reading.py)."""

from datetime import date
from decimal import Decimal

from tracker.console_forms.reading import (
    CHECKBOX,
    DATE,
    DECIMAL,
    EMPTY,
    INTEGER,
    NULL,
    Field,
    api_input,
    changed,
    shown,
    shown_back,
    typed,
)
from tracker.errors import UNSTORABLE_TEXT


def test_only_the_forms_own_fields_are_read_and_an_unticked_box_is_false():
    fields = [Field("title"), Field("public", CHECKBOX)]
    posted = {"title": "Leak finder", "owner_id": "7", "stage": "rollout"}
    assert typed(posted, fields) == {"title": "Leak finder", "public": ""}
    assert api_input(typed(posted, fields), fields) == ({"title": "Leak finder", "public": False}, {})
    assert api_input(typed({"public": "true"}, fields), fields)[0] == {"public": True}


def test_numbers_are_read_as_the_api_takes_them():
    fields = [Field("fiscal_year", INTEGER), Field("amount", DECIMAL), Field("spent", DECIMAL)]
    data, _ = api_input({"fiscal_year": " 2027 ", "amount": "1,250,000.50", "spent": "1,5"}, fields)
    # a whole number as a number; an exact decimal as its digits; grouping commas only where they group
    assert data == {"fiscal_year": 2027, "amount": "1250000.50", "spent": "1,5"}
    # too long for a database, or not digits at all: left as text for the schema to refuse
    data, _ = api_input({"fiscal_year": "9" * 30, "amount": "٣"}, fields)
    assert data == {"fiscal_year": "9" * 30, "amount": "٣"}
    assert api_input({"fiscal_year": "٣"}, fields)[0] == {"fiscal_year": "٣"}


def test_an_empty_field_means_what_its_form_says():
    fields = [Field("note"), Field("title", blank=EMPTY), Field("baseline", DECIMAL, blank=NULL), Field("on", DATE)]
    data, _ = api_input({"note": "  ", "title": " ", "baseline": "", "on": ""}, fields)
    assert data == {"title": "", "baseline": None}  # the note and the date: the API's defaults


def test_a_textareas_line_breaks_are_read_as_the_person_sees_them():
    assert typed({"note": "one\r\ntwo"}, [Field("note")]) == {"note": "one\ntwo"}


def test_text_no_database_stores_is_refused_by_the_apis_words_and_not_shown_back():
    fields = [Field("note"), Field("title")]
    data, problems = api_input({"note": "a\x00b", "title": "fine"}, fields)
    assert problems == {"note": [UNSTORABLE_TEXT]} and data == {"title": "fine"}
    assert shown_back({"note": "a\x00b"}) == {"note": "ab"}


def test_stored_values_are_shown_as_a_form_holds_them_and_a_change_is_what_differs():
    current = {"spent": Decimal("12.50"), "approved_on": date(2026, 3, 5), "public": False, "status": "approved"}
    assert {name: shown(value) for name, value in current.items()} == {
        "spent": "12.50",
        "approved_on": "2026-03-05",
        "public": "",
        "status": "approved",
    }
    assert changed({"spent": "12.50", "approved_on": "", "status": "approved"}, current) == ["approved_on"]
