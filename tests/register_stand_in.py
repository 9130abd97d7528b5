"""Stand-ins for the register's endpoints that the shared page layout links to (register.index,
register.accessibility, register.feed, registry.RegistryCsv), until the register website is merged
into this branch's base. With the real register present, `stand_in_register` adds nothing.
"""

import pytest


@pytest.fixture
def stand_in_register(app):
    endpoints = {
        "register.index": "/registry",
        "register.accessibility": "/registry/accessibility",
        "register.feed": "/registry/feed.atom",
        "registry.RegistryCsv": "/api/v1/registry.csv",
    }
    for endpoint, rule in endpoints.items():
        if endpoint not in app.view_functions:
            app.add_url_rule(rule, endpoint=endpoint, view_func=lambda: "")
    return app
