"""What every page must be, checked on its markup: valid HTML5, unique ids, labelled controls,
no script, nothing loaded from elsewhere; and a small register to look at (both languages)."""

from datetime import date, timedelta

import html5lib

from tests import factories
from tracker.extensions import db
from tracker.trust.models import Practice

REGISTRY_TEXT = {
    "purpose": "Shortens the wait at crossings by timing signals to the traffic there is.",
    "data_sources": "Loop detectors and cameras at 120 junctions (counts only, no images kept).",
    "logic": "A reinforcement-learning model proposes timings; engineers approve each plan.",
    "risks": "Pedestrians could wait longer; every plan is checked against minimum crossing times.",
    "human_oversight": "Traffic engineers review every plan and can switch any junction back to fixed timings.",
    "contact_email": "ai-register@city.example",
}
KOREAN_TEXT = {
    "title": "교통신호 최적화",
    "problem": "출퇴근 시간 교차로 정체와 보행자 대기 시간",
    "purpose": "교차로의 실제 교통량에 맞추어 신호 주기를 조정해 대기 시간을 줄입니다.",
    "department": "서울특별시 교통운영과",
    "data_sources": "교차로 120곳의 검지기와 영상 계수 자료(영상은 보관하지 않음)",
    "logic": "강화학습 모델이 신호 계획을 제안하고 교통 엔지니어가 승인합니다.",
    "risks": "보행자 대기 시간이 길어질 수 있어 최소 보행 시간을 항상 지킵니다.",
    "human_oversight": "교통 엔지니어가 모든 계획을 검토하고 언제든 고정 신호로 되돌릴 수 있습니다.",
    "contact_email": "ai@seoul.example",
}
INTERNAL_NOTE = "INTERNAL-NOTE-must-never-show"


def public_project(**overrides):
    values = {
        "public": True,
        "stage": "pilot",
        "risk_tier": "limited",
        "risk_rationale": "Residents see its output.",
        **REGISTRY_TEXT,
        **overrides,
    }
    return factories.ProjectFactory(**values)


def practice(project, key: str, status: str, **fields):
    row = Practice(project_id=project.id, key=key, status=status, note=INTERNAL_NOTE, **fields)
    db.session.add(row)
    db.session.commit()
    return row


# the limited English entry's Korean translation: some of its fields, so its Korean page is partly English
PERMITS_IN_KOREAN = {
    "title": "건축허가 사전검토 도우미",
    "purpose": "건축허가 신청을 미리 검토해 첫 답변까지의 시간을 줄입니다.",
    "human_oversight": "도시계획 담당자가 모든 검토 결과를 확인합니다.",
}


def small_register():
    """A high-impact Korean entry with practices (no translation), a limited English one with part
    of a Korean translation, a cancelled English one (no translation), a private one."""
    today = date.today()
    seoul = public_project(
        key="SEOUL-TRAFFIC-01",
        stage="rollout",
        stage_entered_at=today - timedelta(days=30),
        risk_tier="high_impact",
        risk_rationale="신호 체계는 보행자 안전에 직접 영향을 줍니다.",
        domain="mobility",
        content_locale="ko",
        **KOREAN_TEXT,
    )
    practice(seoul, "testing", "done", completed_on=today - timedelta(days=40), evidence_url="https://seoul.example/t")
    practice(seoul, "appeal", "done", completed_on=today - timedelta(days=10), evidence_url="https://seoul.example/a")
    practice(seoul, "public_consultation", "waived", waived_on=today - timedelta(days=5), waiver_reason="법령상 면제")
    permits = public_project(
        key="CITY-PERMITS-01", title="Permit pre-check assistant", department="Planning", domain="operations"
    )
    factories.TranslationFactory(project=permits, locale="ko", **PERMITS_IN_KOREAN)
    stopped = public_project(
        key="CITY-STOPPED-01",
        title="Parking fines predictor",
        stage="cancelled",
        department="Planning",
        risk_tier="minimal",
    )
    private = factories.ProjectFactory(key="CITY-PRIVATE-01", title="Secret pilot", public=False, **REGISTRY_TEXT)
    return {"seoul": seoul, "permits": permits, "stopped": stopped, "private": private}


def check_page(body: str):
    """Strict HTML5, unique ids, every control labelled, no script or handler, nothing from elsewhere."""
    document = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(body)
    assert body.startswith("<!DOCTYPE html>")
    root = document
    elements = list(root.iter())
    ids = [element.get("id") for element in elements if element.get("id")]
    assert len(ids) == len(set(ids)), f"repeated ids: {sorted(i for i in ids if ids.count(i) > 1)}"
    labelled = {element.get("for") for element in elements if element.tag == "label"}
    for element in elements:
        assert element.tag not in ("script", "iframe", "object", "embed"), element.tag
        assert not [name for name in element.attrib if name.lower().startswith("on")], element.attrib
        if element.tag in ("input", "select", "textarea") and element.get("type") not in ("hidden", "submit"):
            assert element.get("id") in labelled, f"unlabelled control {element.attrib}"
        for attribute in ("src", "href"):
            value = element.get(attribute) or ""
            if element.tag in ("link", "img", "source") or attribute == "src":
                assert not value.startswith(("http:", "https:", "//")), f"{element.tag} loads {value}"
    html = root if root.tag == "html" else root.find("html")
    assert html.get("lang") in ("en", "ko")
    assert root.find(".//main[@id='main']") is not None
    assert root.find(".//a[@href='#main']") is not None
    assert len(root.findall(".//h1")) == 1
    return root


def text_of(root) -> str:
    return " ".join("".join(root.itertext()).split())
