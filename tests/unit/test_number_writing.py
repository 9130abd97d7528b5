"""Numbers for people: the quick writing of whole numbers (tracker.i18n.format_number, the pages'
`numberformat`) is Babel's writing, in the service's languages and in any other."""

from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from flask_babel import force_locale

from tracker.i18n import SUPPORTED_LOCALES, format_number

# Babel's grouping differs from Python's in these: Hindi groups by two after the first three,
# Spanish leaves four digits ungrouped, Arabic (Egypt) writes its own digits
OTHER_WRITINGS = ("hi", "es", "ar_EG", "de_CH")
VALUES = (0, 7, 999, 1_000, 1_234, 12_345, 999_999, 1_234_567, 10**12, -5, -1_234, 3.5, Decimal("1234.5"))


@pytest.mark.parametrize("locale", (*SUPPORTED_LOCALES, *OTHER_WRITINGS))
def test_numbers_are_written_as_babel_writes_them(app, locale):
    with app.test_request_context(), force_locale(locale):
        for value in VALUES:
            assert format_number(value) == format_decimal(value, locale=locale), value
