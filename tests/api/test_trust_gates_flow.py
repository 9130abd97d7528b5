"""The trust gates of SPEC, walked through the API: a high-impact system from PoC to rollout, and
what the CAIO office may and may not pass."""

from tests.api.test_stage_gates_flow import (
    NEW_PROJECT,
    OUTCOME_KPI,
    ROLLOUT_LINE,
    assert_refused,
    create_project,
    days_ago,
)
from tracker.vocab import PRACTICES

HIGH_IMPACT = {
    "key": "CITY-BENEFITS-01",
    "title": "Housing-benefit application pre-check",
    "risk_tier": "high_impact",
    "risk_rationale": "Its pre-check decides how fast residents get a housing benefit.",
}
REGISTRY = {
    "purpose": "Checks housing-benefit applications for missing documents.",
    "data_sources": "The application form and its attachments.",
    "logic": "A document classifier.",
    "risks": "A complete application flagged as incomplete.",
    "human_oversight": "A caseworker reviews every flag.",
    "contact_email": "benefits@city.example",
}
ALL_PRACTICES = [f"{key}_required" for key in PRACTICES]


def practice(project, key: str, caller=None, **body):
    answer = (caller or project.caller).put(f"{project.url}/practices/{key}", json=body)
    assert answer.status_code == 200, answer.json
    return answer.json


def ready_to_scale(project) -> None:
    """The scale gates met: an outcome KPI measured, rollout money approved."""
    kpi = project.add("kpis", OUTCOME_KPI)
    project.measure(kpi, "19.8")
    line = project.add("budget-lines", {**ROLLOUT_LINE, "status": "approved"})
    assert line["status"] == "approved"


def test_an_unassessed_project_enters_neither_pilot_nor_rollout(manager):
    project = create_project(manager, risk_tier="unassessed", risk_rationale="")
    project.add("kpis", {"name": "Sensors installed", "kind": "input"})
    assert_refused(project.move("pilot"), ["risk_tier_required"])
    assert project.stage() == "poc" and len(project.history()) == 1


def test_a_high_impact_system_reaches_rollout_only_with_every_practice_in_effect_and_a_registry_entry(manager):
    project = create_project(manager, **HIGH_IMPACT, stage_entered_at=days_ago(60))
    project.add("kpis", {"name": "Applications checked", "kind": "output"})

    # pilot: testing and the impact assessment at least started
    assert_refused(project.move("pilot"), ["testing_required", "impact_assessment_required"])
    practice(project, "testing", status="in_progress")
    assert_refused(project.move("pilot"), ["impact_assessment_required"])
    practice(project, "impact_assessment", status="in_progress", note="draft with the data protection officer")
    entered = project.move("pilot", effective_date=days_ago(50))
    assert entered.status_code == 201, entered.json
    assert entered.json["gate"]["checks"] == [
        {"code": code, "met": True}
        for code in (
            "kpi_required",
            "risk_tier_required",
            "prohibited_use",
            "testing_required",
            "impact_assessment_required",
        )
    ]

    # rollout: all eight in effect on the decision's date, and a public registry entry
    ready_to_scale(project)
    assert_refused(project.move("rollout"), [*ALL_PRACTICES, "registry_entry_required"])
    for key in PRACTICES:
        if key == "appeal":
            practice(project, key, status="not_applicable", note="appeal precluded by law")
        elif key != "public_consultation":
            practice(project, key, status="done", completed_on=days_ago(20), evidence_url="https://city.example/e")
    assert_refused(project.move("rollout"), ["public_consultation_required", "registry_entry_required"])
    etag = manager.get(project.url).headers["ETag"]
    assert manager.patch(project.url, json={"public": True, **REGISTRY}, headers={"If-Match": etag}).status_code == 200
    # judged on the decision's date: backdated before the practices were done, none was in effect
    assert_refused(
        project.move("rollout", effective_date=days_ago(30)), [*ALL_PRACTICES[:6], "public_consultation_required"]
    )
    practice(
        project, "public_consultation", status="done", completed_on=days_ago(1), evidence_url="https://city.example/p"
    )
    entered = project.move("rollout")
    assert entered.status_code == 201, entered.json
    assert entered.json["gate"]["unmet"] == [] and entered.json["gate"]["overridden"] is False
    assert [c["code"] for c in entered.json["gate"]["checks"]][-10:] == [
        "prohibited_use",
        *ALL_PRACTICES,
        "registry_entry_required",
    ]
    assert project.stage() == "rollout"


def test_a_waiver_counts_from_the_day_it_is_written(manager, caio):
    project = create_project(manager, **HIGH_IMPACT, stage="pilot", stage_entered_at=days_ago(90))
    ready_to_scale(project)
    etag = manager.get(project.url).headers["ETag"]
    manager.patch(project.url, json={"public": True, **REGISTRY}, headers={"If-Match": etag})
    for key in PRACTICES[:-1]:
        practice(project, key, status="done", completed_on=days_ago(40))
    practice(project, "public_consultation", caller=caio, status="waived", waiver_reason="Emergency housing decree.")
    assert_refused(project.move("rollout", effective_date=days_ago(1)), ["public_consultation_required"])
    assert project.move("rollout").status_code == 201


def test_the_caio_office_overrides_the_trust_gates_and_the_history_keeps_what_was_unmet(manager, caio):
    project = create_project(manager, **HIGH_IMPACT)
    reason = "Council decision 2026/88: the pre-check pilot starts with the assessment under way."
    passed = project.move("pilot", caller=caio, override_reason=reason)
    assert passed.status_code == 201, passed.json
    assert passed.json["gate"]["unmet"] == ["kpi_required", "testing_required", "impact_assessment_required"]
    assert passed.json["gate"]["overridden"] is True and passed.json["override_reason"] == reason


def test_no_override_passes_a_prohibited_use_which_can_only_be_sent_back_or_cancelled(manager, caio):
    project = create_project(
        manager, key="CITY-EMOTION-01", risk_tier="prohibited", risk_rationale="Emotion recognition on callers."
    )
    project.add("kpis", {"name": "Calls scored", "kind": "output"})
    refused = project.move("pilot", caller=caio, override_reason="the mayor insists")
    assert_refused(refused, ["prohibited_use"])
    assert "no override passes prohibited_use" in refused.json["message"]
    assert project.stage() == "poc" and len(project.history()) == 1
    assert project.move("cancelled").status_code == 201


def test_a_project_classified_prohibited_in_pilot_may_be_sent_back(manager):
    project = create_project(manager, stage="pilot", stage_entered_at=days_ago(10))
    etag = manager.get(project.url).headers["ETag"]
    manager.patch(
        project.url, json={"risk_tier": "prohibited", "risk_rationale": "Social scoring."}, headers={"If-Match": etag}
    )
    ready_to_scale(project)
    assert_refused(project.move("rollout"), ["prohibited_use"])
    assert project.move("poc").status_code == 201


def test_a_limited_system_rolls_out_only_from_the_registry(manager):
    project = create_project(
        manager, stage="pilot", stage_entered_at=days_ago(10), risk_tier="limited", risk_rationale="A chatbot."
    )
    ready_to_scale(project)
    assert_refused(project.move("rollout"), ["registry_entry_required"])
    etag = manager.get(project.url).headers["ETag"]
    manager.patch(project.url, json={"public": True, **REGISTRY}, headers={"If-Match": etag})
    assert project.move("rollout").status_code == 201
    assert NEW_PROJECT["risk_tier"] == "minimal"  # the scale-gate tests' project needs no entry
