"""A real scan rewrites a still-true flag only when its details changed, comparing them as the JSON
text the details column stores: its encoder must give exactly json.dumps' text."""

import json

from tests.unit.test_rule_wording import every_finding
from tracker.flags.scan import stored_text


def test_the_scan_compares_details_as_the_same_text_json_dumps_stores():
    samples = [details for found in every_finding().values() for details in found]
    samples.append({"quote": 'a "b" \\ c', "korean": "교통", "none": None, "flag": True, "ratio": 0.1, "list": [1, []]})
    for details in samples:
        assert stored_text(details) == json.dumps(details)
    assert stored_text({"a": 1}) != stored_text({"a": 2})
