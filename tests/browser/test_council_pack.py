"""The council pack in a real browser, in both languages: axe-core finds no WCAG 2.1 A/AA
violation, a 360 px phone never scrolls sideways (TRACKER_SHOTS keeps the screenshots)."""

import pytest

from tests.api.test_trend import RANGE, hand_worked_portfolio
from tests.browser.conftest import live_server


@pytest.fixture
def server(app, session, viewer):
    hand_worked_portfolio(app)
    with live_server(app) as base:
        yield base, viewer.token


def test_the_council_pack_in_both_languages_has_no_wcag_21_aa_violation_and_fits_a_phone(server, browser, axe_page):
    base, token = server
    found = {}
    for lang in ("en", "ko"):
        # the API needs a token: the browser sends it through the devtools protocol
        browser.execute_cdp_cmd("Network.enable", {})
        browser.execute_cdp_cmd(
            "Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Bearer {token}", "Accept": "text/html"}}
        )
        browser.get(f"{base}/api/v1/reports/trend?from={RANGE['from']}&to={RANGE['to']}&lang={lang}")
        assert browser.execute_script("return document.documentElement.lang") == lang
        assert browser.execute_script("return document.querySelectorAll('svg.chart').length") == 4
        found |= axe_page(f"council-pack-{lang}")
    assert found == {}
