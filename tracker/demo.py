"""`flask seed-demo`: an illustrative portfolio of the fictional City of Northhaven.

Each project is modelled on a city case of the report that inspired the tracker. Dates are counted
back from `today`, so the stalls (a pilot stuck for months, a PoC that never moved, reports that
stopped) are current whenever the demo is loaded. The load is all or nothing, and a database that
holds the demo already is left untouched.
"""

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import click
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask.cli import with_appcontext

from tracker.auth import issue_token, user_for_token
from tracker.budgets.models import BudgetLine
from tracker.db import utcnow
from tracker.demo_translations import TRANSLATIONS
from tracker.entry_translations.models import ProjectTranslation
from tracker.entry_translations.rules import TRANSLATED_FIELDS, fingerprints
from tracker.errors import Conflict, DomainError
from tracker.kpis.models import Kpi, Measurement
from tracker.money import minor_exponent, to_minor
from tracker.projects import rules
from tracker.projects.models import Project, StageTransition
from tracker.trust.models import Practice
from tracker.users.models import User

CITY = "City of Northhaven"
# where the demo's practices keep their evidence: the city's own AI register pages
EVIDENCE_BASE_URL = "https://www.northhaven.example/ai-register"
TOKENS_FILE = "demo-tokens.txt"
API_EXAMPLE_URL = "http://127.0.0.1:5000/api/v1/projects"


# ---------------------------------------------------------------------------------------------
# The shape of the demo data


@dataclass(frozen=True)
class DemoUser:
    handle: str  # how the projects below name their owner and deciders
    email: str
    name: str
    role: str
    locale: str = "en"  # the language of their alerts


@dataclass(frozen=True)
class Step:
    """One stage decision, `days_ago` days before today. The first step is the creation entry."""

    to_stage: str
    days_ago: int
    rationale: str
    by: str = "owner"  # a user handle, or the project's owner
    unmet: tuple[str, ...] = ()  # gate criteria the CAIO office overrode
    override_reason: str | None = None


@dataclass(frozen=True)
class Line:
    """A budget line for the fiscal year `year_of` days ago (negative: a year ahead), which entered
    the plan `planned` days ago and, when approved, was approved `approved` days ago (by default
    both on the day `year_of` names, or today for a year ahead)."""

    stage: str
    year_of: int
    category: str
    amount: str
    spent: str
    status: str
    source: str  # may name {fy} (the line's fiscal year) and {plan} (the current mid-term plan)
    currency: str | None = None  # None: the DEFAULT_CURRENCY setting
    planned: int | None = None
    approved: int | None = None


@dataclass(frozen=True)
class Readings:
    """Measurements every `every` days from `first` days ago until about `last` days ago,
    moving from `start` to `end` with the small ups and downs real readings have."""

    first: int
    last: int
    every: int
    start: str
    end: str
    places: int = 1


@dataclass(frozen=True)
class DemoKpi:
    name: str
    kind: str
    unit: str
    direction: str
    readings: Readings
    baseline: tuple[str, int] | None = None  # (value, days ago)
    target: tuple[str, int] | None = None  # (value, days ahead; negative: a date already past)


@dataclass(frozen=True)
class DemoPractice:
    """A practice as last written `days_ago` days before today: completed then (`done`) or waived then
    (`waived`); None for a status without a date. `evidence` is a file on the city's AI register pages."""

    key: str
    status: str
    days_ago: int | None = None
    evidence: str = ""
    note: str = ""
    waiver_reason: str = ""
    by: str = "owner"  # a user handle, or the project's owner


@dataclass(frozen=True)
class DemoProject:
    key: str
    title: str
    problem: str
    description: str
    domain: str
    ai_type: str
    department: str
    owner: str
    history: tuple[Step, ...]
    budget: tuple[Line, ...]
    kpis: tuple[DemoKpi, ...]
    risk_tier: str
    risk_rationale: str
    registry: dict[str, str] = field(default_factory=dict)  # filled in: the project is public
    practices: tuple[DemoPractice, ...] = ()
    content_locale: str = "en"  # the language its own text is written in (translations: demo_translations)


# ---------------------------------------------------------------------------------------------
# The data

USERS = (
    DemoUser("admin", "dana.whitfield@northhaven.example", "Dana Whitfield", "admin"),
    DemoUser("caio", "amara.okafor@northhaven.example", "Amara Okafor", "caio"),
    DemoUser("park", "seoyeon.park@northhaven.example", "박서연 (Seo-yeon Park)", "manager", locale="ko"),
    DemoUser("goncalves", "mateus.goncalves@northhaven.example", "Mateus Gonçalves", "manager"),
    DemoUser("sjoberg", "ingrid.sjoberg@northhaven.example", "Ingrid Sjöberg", "manager"),
    DemoUser("mensah", "kwame.mensah@northhaven.example", "Kwame Mensah", "manager"),
    DemoUser("fournier", "elodie.fournier@northhaven.example", "Élodie Fournier", "viewer"),
)

PLAN = "mid-term fiscal plan {plan}"
ROLLOUT_APPROVED = "Outcome KPIs measured against their baseline; rollout budget approved by the AI portfolio board."

# fmt: off
# (laid out by hand: one budget line, KPI or decision a line reads better than the formatter's layout)
PROJECTS = (
    DemoProject(
        key="NH-OPS-GUIDE-01",
        title="Ask Northhaven: a guide to city services",
        problem="Residents could not tell which of 1,900 city services applied to them: a third of counter "
        "visits were routine questions, and the average search for the right service took 14 minutes.",
        description="Modelled on Beijing's 'Xiaoyi' civil-service guide. A conversational assistant on the "
        "city website and app that answers from the official service catalogue, says which documents to "
        "bring and books a counter appointment when one is really needed.",
        domain="operations", ai_type="generative", department="Citizen Services", owner="caio",
        history=(
            Step("poc", 820, "Innovation board: test answers on 500 real questions against the catalogue."),
            Step("pilot", 700, "PoC answered 86% of test questions correctly with a source; pilot on permits "
                 "and benefits pages."),
            Step("rollout", 420, f"{ROLLOUT_APPROVED} Counter visits for routine questions fell by a fifth "
                 "in the pilot.", by="caio"),
        ),
        budget=(
            Line("poc", 820, "licences", "85000", "84120.50", "approved", "innovation fund {fy}"),
            Line("pilot", 700, "services", "390000", "372845.10", "approved", "digital services budget {fy}"),
            Line("rollout", 420, "services", "1150000", "1092300.00", "approved", "digital services budget {fy}",
                 planned=540, approved=430),
            Line("rollout", 0, "compute", "640000", "281455.35", "approved", PLAN, planned=90, approved=30),
            Line("rollout", -365, "personnel", "720000", "0", "planned", PLAN, planned=20),
        ),
        kpis=(
            DemoKpi("Routine enquiries answered without a counter visit", "outcome", "%", "increase",
                    Readings(680, 10, 60, "33", "56"), baseline=("31", 705), target=("60", 365)),
            DemoKpi("Average time to find the right service online", "outcome", "minutes", "decrease",
                    Readings(680, 10, 60, "13.5", "6.2"), baseline=("14", 705), target=("5", 365)),
            DemoKpi("Assistant conversations", "output", "conversations/month", "increase",
                    Readings(680, 10, 60, "4200", "61800", 0)),
        ),
        registry={
            "purpose": "Helps residents find the right city service, the documents they need and where to "
            "apply, in plain language, at any hour, on northhaven.example and in the Northhaven app.",
            "data_sources": "The city's published service catalogue, guidance pages, opening hours and fees. "
            "Conversations are kept for 90 days to improve answers, with names, addresses and ID numbers "
            "removed automatically. The assistant cannot see case files or personal records.",
            "logic": "A large language model answers only from the service catalogue (retrieval-augmented "
            "generation) and links every answer to its source page. Questions the catalogue does not "
            "cover are handed to a member of staff.",
            "risks": "Wrong or outdated answers, answers that sound more certain than they are, and uneven "
            "quality between languages. Every answer cites its source, the catalogue is checked weekly, and "
            "400 conversations per language are reviewed each month.",
            "human_oversight": "Citizen Services staff review flagged and sampled conversations every week and "
            "can switch topics off. The assistant never decides on an application: civil servants do. "
            "Residents can ask for a person at any point.",
            "contact_email": "citizen.services@northhaven.example",
        },
        risk_tier="limited",
        risk_rationale="Residents converse with it and read text it generates: a transparency duty (EU AI Act "
        "art. 50). It informs and books appointments; it never decides on an application.",
        practices=(
            DemoPractice("testing", "done", 440, "answer-accuracy-test-2.pdf"),
            DemoPractice("monitoring", "done", 35, "monthly-conversation-review.html"),
            DemoPractice("training", "done", 430, "staff-guide-to-the-assistant.pdf"),
            DemoPractice("human_oversight", "done", 430, "hand-over-to-staff.html"),
        ),
    ),
    DemoProject(
        key="NH-OPS-TWIN-01",
        title="City twin for planning simulations",
        problem="Planning decisions on new districts are taken without seeing their effect on wind, "
        "daylight, noise and traffic until the buildings stand.",
        description="Modelled on Helsinki's digital twin for planning simulation. A 3D model of the city "
        "in which planners test wind, sunlight, noise and traffic scenarios for proposed developments.",
        domain="operations", ai_type="other", department="Urban Planning", owner="caio",
        history=(
            Step("poc", 610, "Build a twin of the harbour district and run one wind study."),
            Step("pilot", 330, "PoC twin matched wind-tunnel results within 10%; pilot on three live "
                 "planning cases."),
        ),
        # no rollout line: nobody has planned the money to scale it up
        budget=(
            Line("poc", 610, "services", "150000", "149200.00", "approved", "innovation fund {fy}"),
            Line("pilot", 330, "licences", "420000", "369870.40", "approved", "urban planning budget {fy}"),
            Line("pilot", 0, "compute", "95000", "41230.75", "approved", "urban planning budget {fy}"),
        ),
        # progress reported as inputs only: what was put in, not what changed for residents
        kpis=(
            DemoKpi("Simulation models deployed in the twin", "input", "models", "increase",
                    Readings(300, 15, 30, "2", "9", 0)),
            DemoKpi("Pilot budget spent", "input", "%", "increase", Readings(300, 15, 30, "6", "88", 0)),
        ),
        risk_tier="minimal",
        risk_rationale="A planners' simulation tool: it decides nothing about a resident and residents do not "
        "interact with it.",
    ),
    DemoProject(
        key="NH-SAF-ALERT-01",
        title="Northhaven Alert: air-raid warnings and shelter finder",
        problem="Sirens do not reach everyone, and residents did not know which shelter near them was "
        "open and accessible when an alert sounded.",
        description="Modelled on Kyiv's air-raid alert and shelter app. Pushes the civil-defence alert to "
        "phones within seconds and routes each resident to the nearest open, step-free shelter, using "
        "predicted occupancy from shelter door counters.",
        domain="safety", ai_type="optimization", department="Emergency Management", owner="mensah",
        history=(
            Step("poc", 560, "Emergency Management: prove push delivery and shelter routing in one district."),
            Step("pilot", 505, "Delivery under 60 seconds in the PoC; city-wide pilot with 40,000 residents."),
            Step("rollout", 470, "Rolled out city-wide under the civil-defence emergency decree.", by="caio",
                 unmet=(rules.OUTCOME_MEASUREMENT_REQUIRED,),
                 override_reason="Civil-defence emergency: the council requires city-wide warning capacity "
                 "now. Outcome measurements are reported from the first month of rollout."),
        ),
        budget=(
            Line("poc", 560, "services", "60000", "58900.00", "approved", "emergency management budget {fy}"),
            Line("pilot", 505, "services", "240000", "236410.25", "approved", "emergency appropriation {fy}"),
            Line("rollout", 470, "services", "880000", "871002.60", "approved", "emergency appropriation {fy}",
                 planned=500, approved=475),
            Line("rollout", 0, "personnel", "410000", "198700.00", "approved", PLAN),
            Line("rollout", -365, "services", "450000", "0", "planned", PLAN),
        ),
        kpis=(
            DemoKpi("Median time from siren trigger to phone notification", "outcome", "seconds", "decrease",
                    Readings(455, 8, 30, "61", "22", 0), baseline=("95", 490), target=("20", 180)),
            DemoKpi("Residents with an open shelter within a 10-minute walk", "outcome", "%", "increase",
                    Readings(455, 8, 30, "58", "83", 0), baseline=("54", 490), target=("90", 365)),
            DemoKpi("Shelters verified open this month", "output", "shelters", "increase",
                    Readings(455, 8, 30, "310", "702", 0)),
        ),
        registry={
            "purpose": "Warns residents of an air raid on their phone within seconds and shows the nearest "
            "open shelter they can reach, including step-free shelters for wheelchair users.",
            "data_sources": "Civil-defence alert signals; the city register of shelters with opening status "
            "confirmed by shelter wardens; anonymous door counters at shelters; the phone's location, used "
            "on the phone only and never sent to the city.",
            "logic": "A routing model picks the nearest shelter that is open, accessible and predicted to "
            "have space, from door-counter trends during past alerts. Alerts themselves are not decided by "
            "AI: they come from the civil-defence authority.",
            "risks": "A shelter shown as open may be closed or full; phones without data may miss the push. "
            "Sirens and radio stay in place; wardens confirm shelter status each day; the app falls back to "
            "a list of all shelters when routing is unavailable.",
            "human_oversight": "The Emergency Management duty officer monitors every alert, can pin or "
            "remove shelters by hand, and reviews delivery times after each alert.",
            "contact_email": "emergency.management@northhaven.example",
        },
        risk_tier="limited",
        risk_rationale="Residents see its shelter routing on their phones. Alerts themselves come from the "
        "civil-defence authority, not from the model, and the full shelter list is always one tap away.",
        practices=(
            DemoPractice("testing", "done", 510, "delivery-and-routing-test.pdf"),
            DemoPractice("public_consultation", "done", 500, "accessibility-panel-findings.html"),
        ),
    ),
    DemoProject(
        key="NH-SAF-PATROL-01",
        title="Crime-risk maps for patrol planning",
        problem="Burglaries in four districts rose for three years while patrol hours stayed flat.",
        description="Modelled on Madrid's crime-risk patrol planning. Weekly risk maps from past incident "
        "reports, used to plan patrol routes in four pilot districts against four matched control districts.",
        domain="safety", ai_type="traditional_ml", department="Police Department", owner="mensah",
        history=(
            Step("poc", 760, "Back-test risk maps on five years of incident reports."),
            Step("pilot", 610, "Back-test found 2 in 3 burglaries in the top-risk cells; controlled 12-month "
                 "pilot with an equity audit."),
            Step("cancelled", 400, "Stopped before scaling, on the evidence: burglaries in the pilot districts "
                 "fell 2% against the control districts, within normal variation, while the equity audit found "
                 "patrol hours shifted 31% toward two low-income districts because of historic reporting bias. "
                 "The unspent pilot budget was returned and the data pipeline reused for response-time "
                 "reporting.", by="caio"),
        ),
        budget=(
            Line("poc", 760, "personnel", "110000", "107650.00", "approved", "police innovation grant {fy}"),
            Line("pilot", 610, "services", "520000", "298412.80", "approved", "public safety budget {fy}"),
        ),
        kpis=(
            DemoKpi("Residential burglaries in the pilot districts", "outcome", "per 10,000 households a quarter",
                    "decrease", Readings(580, 410, 30, "48", "47"), baseline=("48", 615), target=("40", -245)),
            DemoKpi("Patrol plans generated", "output", "plans/month", "increase",
                    Readings(580, 410, 30, "120", "135", 0)),
        ),
        risk_tier="high_impact",
        risk_rationale="Steers police patrols toward neighbourhoods: it may affect residents' rights and equal "
        "treatment (EU AI Act Annex III, law enforcement; OMB M-25-21 high-impact).",
        practices=(
            DemoPractice("testing", "done", 625, "back-test-five-years.pdf"),
            DemoPractice("impact_assessment", "done", 615, "algorithmic-impact-assessment.pdf"),
            DemoPractice("independent_review", "done", 405, "equity-audit-university-of-northhaven.pdf",
                     note="The equity audit that led to the kill decision."),
            DemoPractice("public_consultation", "in_progress", note="District councils' hearings were cut short "
                     "by the cancellation."),
        ),
    ),
    DemoProject(
        key="NH-LIV-OUTBREAK-01",
        title="Early warning of foodborne outbreaks",
        problem="Foodborne outbreaks are found after people fall ill; inspectors visit restaurants in a fixed "
        "rota rather than where the risk is.",
        description="Modelled on Chicago's outbreak prediction. Forecasts which food premises are most likely "
        "to have critical violations, from inspection history, complaints and weather, so inspectors go "
        "there first.",
        domain="living", ai_type="traditional_ml", department="Public Health", owner="goncalves",
        history=(
            Step("poc", 400, "Public Health: test whether past inspections predict critical violations."),
            Step("pilot", 260, "PoC ranked 70% of critical violations in the top fifth; pilot with two "
                 "inspection teams."),
            Step("poc", 150, "Sent back to PoC: the data-sharing agreement for emergency-department visit data "
                 "is still unsigned, and without it the model cannot see outbreaks early enough."),
        ),
        budget=(
            Line("poc", 400, "personnel", "140000", "131980.00", "approved", "public health budget {fy}"),
            Line("pilot", 260, "services", "310000", "86500.00", "approved", "public health budget {fy}"),
        ),
        kpis=(
            DemoKpi("Prediction models deployed", "input", "models", "increase", Readings(380, 35, 30, "1", "3", 0)),
            DemoKpi("Data scientists assigned", "input", "FTE", "increase", Readings(380, 35, 30, "1", "2.5")),
        ),
        risk_tier="high_impact",
        risk_rationale="Decides which food businesses are inspected first, and so whom enforcement reaches: "
        "it affects businesses' rights and residents' health (OMB M-25-21 high-impact).",
        practices=(
            DemoPractice("testing", "in_progress", note="Back-test on 2019-2024 inspections; waits for the "
                     "emergency-department data."),
            DemoPractice("impact_assessment", "in_progress", note="Draft; the data-sharing part waits for the "
                     "signed agreement."),
        ),
    ),
    DemoProject(
        key="NH-LIV-APPOINT-01",
        title="Smart appointment scheduling in city clinics",
        problem="Residents wait 47 days on average for a specialist appointment while 28% of booked slots "
        "go unused because patients do not show up.",
        description="Modelled on São Paulo's hospital appointment scheduling. Predicts likely no-shows, "
        "sends reminders, and offers freed slots to patients on the waiting list by SMS.",
        domain="living", ai_type="optimization", department="Health Services", owner="goncalves",
        history=(
            Step("poc", 300, "Test no-show prediction on two years of bookings at the Riverside clinic."),
            Step("pilot", 120, "PoC predicted 3 in 4 no-shows; pilot in three clinics with a waiting-list "
                 "SMS service."),
        ),
        budget=(
            Line("poc", 300, "services", "95000", "93410.60", "approved", "innovation fund {fy}"),
            Line("pilot", 120, "licences", "360000", "127300.00", "approved", "health services budget {fy}"),
            Line("rollout", -200, "services", "1400000", "0", "planned", PLAN, planned=45),
        ),
        kpis=(
            DemoKpi("Average wait for a specialist appointment", "outcome", "days", "decrease",
                    Readings(110, 6, 14, "46", "36", 0), baseline=("47", 125), target=("21", 400)),
            DemoKpi("Missed appointments (no-shows)", "outcome", "% of booked slots", "decrease",
                    Readings(110, 6, 14, "27", "21", 0), baseline=("28", 125), target=("15", 400)),
            DemoKpi("Freed slots offered by SMS", "output", "slots", "increase",
                    Readings(110, 6, 14, "900", "4100", 0)),
        ),
        registry={
            "purpose": "Shortens waits for specialist appointments at city clinics by offering slots that "
            "would go unused to patients on the waiting list.",
            "data_sources": "Appointment bookings and attendance at the three pilot clinics for the last two "
            "years (date, clinic, specialty, booking lead time, past attendance). No diagnoses or medical "
            "records are used.",
            "logic": "A statistical model estimates the chance that a booked patient will not attend. Patients "
            "with a high chance get an extra reminder; when a slot is cancelled it is offered by SMS to the "
            "next patients on the waiting list in order of waiting time.",
            "risks": "Unfair treatment of groups who miss appointments more often for reasons they cannot "
            "control, such as shift work. Nobody loses an appointment because of a prediction; the model is "
            "audited every quarter for differences by district and age.",
            "human_oversight": "Clinic schedulers see every offer before it is sent and can stop the service. "
            "Clinical priority is always set by doctors, never by the model.",
            "contact_email": "health.services@northhaven.example",
        },
        risk_tier="high_impact",
        risk_rationale="Shapes residents' access to specialist care, a public service (OMB M-25-21 high-impact; "
        "EU AI Act Annex III 5(a)).",
        practices=(
            DemoPractice("testing", "done", 135, "no-show-model-validation.pdf"),
            DemoPractice("impact_assessment", "done", 128, "algorithmic-impact-assessment.pdf"),
            DemoPractice("training", "done", 122, "scheduler-training-record.pdf"),
            DemoPractice("human_oversight", "done", 121, "scheduler-review-procedure.html"),
            DemoPractice("monitoring", "in_progress", note="Quarterly fairness audit: the first one is due."),
            DemoPractice("appeal", "in_progress", note="Complaints route agreed with the patient ombudsman; the "
                     "web form is being built."),
            DemoPractice("public_consultation", "in_progress", note="Patient council session planned."),
        ),
    ),
    DemoProject(
        key="NH-MOB-SIGNALS-01",
        title="Adaptive traffic signals on arterial corridors",
        problem="Fixed signal timings on the four busiest corridors cause long peak-hour queues and make "
        "pedestrians wait at empty junctions.",
        description="Modelled on Toronto's adaptive traffic signals. Signal timings adjust every cycle to "
        "the traffic and pedestrians detected at each junction, coordinated along each corridor.",
        domain="mobility", ai_type="optimization", department="Transport", owner="park",
        history=(
            Step("poc", 1000, "Simulate adaptive timing on the Harbour Road corridor."),
            Step("pilot", 850, "Simulation showed 15% shorter peak travel times; pilot on 12 junctions."),
            Step("rollout", 560, f"{ROLLOUT_APPROVED} Peak travel time fell 11% on the pilot corridor.",
                 by="caio"),
        ),
        budget=(
            Line("poc", 1000, "equipment", "180000", "176420.00", "approved", "transport capital programme {fy}"),
            Line("pilot", 850, "equipment", "650000", "641900.55", "approved", "transport capital programme {fy}"),
            Line("rollout", 560, "equipment", "2300000", "2287114.90", "approved",
                 "transport capital programme {fy}", planned=700, approved=650),
            Line("rollout", 200, "services", "950000", "903250.00", "approved", "transport operating budget {fy}",
                 planned=260, approved=210),
            Line("rollout", 0, "services", "1100000", "402800.00", "approved", PLAN),
            Line("rollout", -365, "equipment", "1800000", "0", "planned", PLAN),
        ),
        kpis=(
            DemoKpi("Average peak-hour travel time on the four corridors", "outcome", "minutes", "decrease",
                    Readings(800, 12, 60, "23.1", "19.2"), baseline=("23.4", 860), target=("18", 200)),
            DemoKpi("Pedestrian wait at signalised crossings", "outcome", "seconds", "decrease",
                    Readings(800, 12, 60, "51", "43", 0), baseline=("52", 860), target=("40", 200)),
            DemoKpi("Junctions under adaptive control", "output", "junctions", "increase",
                    Readings(800, 12, 60, "12", "146", 0)),
        ),
        registry={
            "purpose": "Cuts waiting at traffic lights for drivers, buses, cyclists and pedestrians on the "
            "four busiest corridors by adjusting signal timings to the traffic actually there.",
            "data_sources": "Counts from road sensors and cameras at junctions, processed on the spot into "
            "vehicle, cyclist and pedestrian counts; no images are stored and no one is identified. Bus "
            "positions from the transit operator.",
            "logic": "An optimisation model chooses green times each cycle to minimise total waiting, with "
            "priority for buses running late and fixed minimum crossing times for pedestrians.",
            "risks": "Side streets may wait longer; a sensor fault can give poor timings. Minimum green times "
            "protect side streets and pedestrians, and junctions fall back to fixed timings when sensors fail.",
            "human_oversight": "Traffic engineers at the control centre watch the corridors live, can override "
            "any junction, and review waiting times by direction each month.",
            "contact_email": "transport@northhaven.example",
        },
        risk_tier="high_impact",
        risk_rationale="A safety component of road-traffic management (EU AI Act Annex III 2): a wrong timing "
        "could endanger pedestrians, cyclists and drivers.",
        practices=(
            DemoPractice("testing", "done", 200, "annual-controller-safety-test.pdf"),
            # done before the rollout and never renewed: the scan reports it lapsed
            DemoPractice("impact_assessment", "done", 590, "algorithmic-impact-assessment.pdf",
                     note="Renewal postponed to the second-phase design; overdue."),
            DemoPractice("independent_review", "waived", 90, by="caio",
                     waiver_reason="The national road authority's type approval of the signal controllers "
                     "includes an independent safety review; a second review would duplicate it."),
            DemoPractice("monitoring", "done", 30, "monthly-waiting-time-report.html"),
            DemoPractice("training", "done", 150, "control-centre-training-record.pdf"),
            DemoPractice("human_oversight", "done", 180, "manual-override-procedure.pdf"),
            DemoPractice("appeal", "not_applicable", note="No decision about a person: signal timings are a general "
                     "measure. Complaints go through the city's general complaints procedure."),
            DemoPractice("public_consultation", "done", 300, "corridor-consultation-report.pdf"),
        ),
    ),
    DemoProject(
        key="NH-MOB-ROBOTAXI-01",
        title="Robotaxi trial in the port district",
        problem="Night-shift workers in the port district wait 24 minutes on average for a ride after buses "
        "stop running.",
        description="Modelled on Dubai's robotaxi trial. Autonomous electric taxis with a safety driver serve "
        "the port district at night; co-funded by a Korean smart-city partnership grant.",
        domain="mobility", ai_type="computer_vision", department="Transport", owner="park",
        history=(
            Step("poc", 420, "Closed-course tests with the vehicle operator and the port authority."),
            Step("pilot", 250, "Closed-course tests passed the safety case; night service with safety drivers."),
        ),
        budget=(
            Line("poc", 420, "services", "200000", "196500.00", "approved", "innovation fund {fy}"),
            Line("pilot", 250, "services", "1200000", "788430.00", "approved", "transport budget {fy}"),
            Line("pilot", 250, "services", "950000000", "612500000", "approved",
                 "Korean smart-city partnership grant {fy}", currency="KRW"),
            Line("rollout", -365, "services", "4500000", "0", "planned", f"{PLAN}, pending the pilot evaluation",
                 planned=60),
        ),
        # reporting stopped when the vehicle operator changed its data platform
        kpis=(
            DemoKpi("Average wait for a night-time ride in the port district", "outcome", "minutes", "decrease",
                    Readings(235, 95, 30, "23", "17", 0), baseline=("24", 260), target=("10", 500)),
            DemoKpi("Autonomous trips completed", "output", "trips/month", "increase",
                    Readings(235, 95, 30, "850", "3900", 0)),
        ),
        risk_tier="high_impact",
        risk_rationale="Drives passengers on public roads: a failure could injure or kill (OMB M-25-21 "
        "high-impact: life and safety; EU AI Act Annex I vehicles).",
        practices=(
            DemoPractice("testing", "done", 262, "closed-course-safety-case.pdf"),
            DemoPractice("impact_assessment", "done", 256, "algorithmic-impact-assessment.pdf"),
            DemoPractice("human_oversight", "done", 252, "safety-driver-protocol.pdf"),
            DemoPractice("training", "done", 252, "safety-driver-certification.pdf"),
            DemoPractice("monitoring", "in_progress", note="Incident reporting paused while the operator changes its "
                     "data platform."),
            DemoPractice("independent_review", "in_progress", note="Review by the national vehicle safety agency."),
            DemoPractice("public_consultation", "in_progress", note="Port district residents' meeting held; the "
                     "night-shift workers' survey is open."),
        ),
    ),
    DemoProject(
        key="NH-INF-BRIDGE-01",
        title="Sensor analytics for bridge maintenance",
        problem="Bridge defects were found at fixed-interval inspections, often too late: 19 unplanned lane "
        "closures a year for emergency repairs.",
        description="Modelled on Stockholm's sensor-based bridge maintenance. Strain, vibration and "
        "temperature sensors on the city's bridges, with models that flag unusual behaviour for inspection.",
        domain="infrastructure", ai_type="traditional_ml", department="Public Works", owner="sjoberg",
        history=(
            Step("poc", 900, "Instrument the Old Harbour Bridge and learn its normal behaviour."),
            Step("pilot", 720, "PoC flagged a bearing fault six weeks before inspection found it; pilot on "
                 "eight bridges."),
            Step("rollout", 380, f"{ROLLOUT_APPROVED} Two thirds of defects in the pilot were found early.",
                 by="caio"),
        ),
        budget=(
            Line("poc", 900, "equipment", "120000", "118760.00", "approved", "bridge maintenance programme {fy}"),
            Line("pilot", 720, "equipment", "480000", "471230.40", "approved", "bridge maintenance programme {fy}"),
            Line("rollout", 380, "equipment", "1350000", "1322004.00", "approved",
                 "bridge maintenance programme {fy}", planned=600, approved=480),
            Line("rollout", 0, "services", "300000", "121340.00", "approved", PLAN),
        ),
        kpis=(
            DemoKpi("Unplanned lane closures for bridge repairs", "outcome", "closures in 12 months", "decrease",
                    Readings(700, 20, 60, "19", "6", 0), baseline=("19", 725), target=("8", 365)),
            DemoKpi("Bridge defects found before an emergency repair", "outcome", "% of defects", "increase",
                    Readings(700, 20, 60, "38", "84", 0), baseline=("35", 725), target=("80", 365)),
            DemoKpi("Bridges with live sensors", "output", "bridges", "increase", Readings(700, 20, 60, "3", "27", 0)),
        ),
        registry={
            "purpose": "Finds wear and damage on city bridges early, so repairs are planned rather than "
            "done as emergencies that close lanes without warning.",
            "data_sources": "Strain, vibration and temperature sensors fixed to the bridges; inspection "
            "reports and repair records of Public Works. No data about people is collected.",
            "logic": "Models learn each bridge's normal response to traffic and temperature and raise an "
            "alert when a sensor behaves unusually for several days.",
            "risks": "A missed alert could let a defect grow; false alerts cost inspection time. The "
            "statutory inspection schedule is unchanged, and every alert is checked by an engineer.",
            "human_oversight": "Bridge engineers review every alert within two working days and decide on "
            "inspections and repairs. The model never closes a bridge or a lane.",
            "contact_email": "public.works@northhaven.example",
        },
        risk_tier="minimal",
        risk_rationale="Sensor analytics on structures: engineers decide on every inspection and repair, and "
        "no data about people is collected.",
    ),
    DemoProject(
        key="NH-INF-LEAKS-01",
        title="Acoustic leak detection in the water network",
        problem="The city loses 18,400 m3 of drinking water a day to leaks, most of them found only when "
        "water reaches the surface.",
        description="Modelled on Singapore's water-leak detection. Acoustic and pressure sensors on the mains, "
        "with a model that locates leaks before they surface and ranks them for repair crews.",
        domain="infrastructure", ai_type="traditional_ml", department="Water Utility", owner="sjoberg",
        history=(
            Step("poc", 700, "Test acoustic sensors on 40 km of cast-iron mains."),
            Step("pilot", 560, "PoC located 9 of 11 known leaks within 20 m; pilot on two pressure zones."),
            Step("rollout", 300, f"{ROLLOUT_APPROVED} Water lost in the pilot zones fell 14%.", by="caio"),
        ),
        budget=(
            Line("poc", 700, "equipment", "140000", "139200.00", "approved", "water utility capital plan {fy}"),
            Line("pilot", 560, "equipment", "620000", "603118.25", "approved", "water utility capital plan {fy}"),
            Line("rollout", 300, "equipment", "2900000", "2648000.00", "approved",
                 "water utility capital plan {fy}", planned=420, approved=310),
            Line("rollout", 0, "services", "540000", "211900.30", "approved", PLAN),
            Line("rollout", -365, "equipment", "1600000", "0", "planned", PLAN),
        ),
        kpis=(
            DemoKpi("Water lost to leaks", "outcome", "m3/day", "decrease",
                    Readings(540, 9, 30, "18150", "14320", 0), baseline=("18400", 565), target=("12000", 540)),
            DemoKpi("Average time to repair a detected leak", "outcome", "hours", "decrease",
                    Readings(540, 9, 30, "94", "51", 0), baseline=("96", 565), target=("36", 540)),
            DemoKpi("Leaks found before they surfaced", "output", "leaks/month", "increase",
                    Readings(540, 9, 30, "6", "41", 0)),
        ),
        registry={
            "purpose": "Finds leaks in the water mains before they burst or surface, so less drinking "
            "water is lost and fewer streets are dug up in emergencies.",
            "data_sources": "Acoustic loggers and pressure sensors on the water mains; the pipe register "
            "(material, age, diameter); repair records. No household consumption data is used.",
            "logic": "A model recognises the sound signature of escaping water and combines readings from "
            "neighbouring sensors to estimate where the leak is; leaks are ranked by estimated water lost.",
            "risks": "False alarms send crews to dig where there is no leak; quiet leaks on plastic pipes "
            "are harder to hear. Crews confirm every leak with a ground microphone before digging.",
            "human_oversight": "Network engineers review the ranked list each morning and decide which "
            "repairs to schedule. Monthly reports compare detected leaks with confirmed repairs.",
            "contact_email": "water.utility@northhaven.example",
        },
        risk_tier="minimal",
        risk_rationale="Listens to water mains: crews confirm every leak before digging, and no household data "
        "is used.",
    ),
    DemoProject(
        key="NH-ENV-GRID-01",
        title="Neighbourhood smart grid for Eastbank",
        problem="Evening peaks at the Eastbank substation are near capacity, while rooftop solar is sold "
        "back cheaply at midday; a new substation would take years and cost millions.",
        description="Modelled on Amsterdam's smart grid. Forecasts local demand and solar output and shifts "
        "flexible loads (heat pumps, home batteries, car chargers) away from the evening peak; co-funded "
        "in euros by a European research grant.",
        domain="environment", ai_type="optimization", department="Energy & Climate Office", owner="sjoberg",
        history=(
            Step("poc", 330, "Forecast Eastbank demand from substation data and weather."),
            Step("pilot", 140, "Forecasts within 5% a day ahead; pilot with 800 volunteer households."),
        ),
        budget=(
            Line("poc", 330, "services", "90000", "88450.00", "approved", "energy transition fund {fy}"),
            Line("pilot", 140, "services", "250000", "96200.00", "approved", "energy transition fund {fy}"),
            Line("pilot", 140, "equipment", "800000.00", "312455.80", "approved",
                 "Horizon Europe grant {fy} (EU share)", currency="EUR"),
            Line("rollout", -365, "equipment", "2400000.00", "0", "planned",
                 "Horizon Europe grant, second phase (EU share)", currency="EUR", planned=100),
            Line("rollout", -365, "personnel", "600000", "0", "planned", PLAN),
        ),
        kpis=(
            DemoKpi("Evening peak load at the Eastbank substation", "outcome", "MW", "decrease",
                    Readings(130, 5, 14, "41.2", "38.6"), baseline=("41.5", 150), target=("35", 600)),
            DemoKpi("Local solar power used in the neighbourhood", "outcome", "%", "increase",
                    Readings(130, 5, 14, "39", "47", 0), baseline=("38", 150), target=("60", 600)),
            DemoKpi("Homes and batteries enrolled in flexible demand", "output", "connections", "increase",
                    Readings(130, 5, 14, "140", "820", 0)),
        ),
        risk_tier="limited",
        risk_rationale="Volunteer households see in the app when it shifts their heat pump, battery or charger, "
        "and can override it at any time.",
        practices=(
            DemoPractice("testing", "done", 150, "day-ahead-forecast-test.pdf"),
            DemoPractice("public_consultation", "done", 160, "eastbank-residents-meeting.html"),
        ),
    ),
    DemoProject(
        key="NH-ENV-BUILDINGS-01",
        title="Energy control in municipal buildings",
        problem="The city's 48 largest buildings were heated and cooled on fixed schedules, empty or not.",
        description="Modelled on Barcelona's energy control of municipal facilities. Heating, cooling and "
        "ventilation set from occupancy and weather forecasts in schools, libraries and offices.",
        domain="environment", ai_type="optimization", department="Facilities Management", owner="sjoberg",
        history=(
            Step("poc", 1460, "Model the heating demand of the City Hall annex."),
            Step("pilot", 1300, "The annex used 19% less heat with comfort unchanged; pilot in six buildings."),
            Step("rollout", 1050, f"{ROLLOUT_APPROVED} Pilot buildings used 15% less energy.", by="caio"),
            Step("retired", 120, "Three heating seasons at target. The new building-management contract "
                 "includes this control as a standard feature at no extra cost, so the city's own model was "
                 "switched off and its data archived."),
        ),
        budget=(
            Line("poc", 1460, "services", "70000", "69850.00", "approved", "facilities budget {fy}"),
            Line("pilot", 1300, "equipment", "310000", "305600.90", "approved", "facilities budget {fy}"),
            Line("rollout", 1050, "equipment", "940000", "938210.00", "approved", "climate investment plan {fy}"),
            Line("rollout", 700, "services", "280000", "276400.00", "approved", "facilities budget {fy}"),
            Line("rollout", 330, "services", "260000", "254980.45", "approved", "facilities budget {fy}"),
        ),
        kpis=(
            DemoKpi("Energy use of the buildings under control", "outcome", "MWh/month", "decrease",
                    Readings(1280, 125, 60, "2140", "1745", 0), baseline=("2150", 1310), target=("1800", -400)),
            DemoKpi("Buildings under automated control", "output", "buildings", "increase",
                    Readings(1280, 125, 90, "6", "48", 0)),
        ),
        risk_tier="minimal",
        risk_rationale="Controls heating and ventilation in municipal buildings; comfort limits are fixed and "
        "no data about people is used.",
    ),
    DemoProject(
        key="NH-LIV-WELFARE-01",
        title="Finding households in crisis before they fall through the net",
        problem="Households in crisis (a lost job, an illness, rent and bills unpaid) often never apply for the "
        "support they are entitled to; social workers met them only after an eviction or a hospital admission.",
        description="Modelled on Seoul's welfare blind-spot detection. Combines arrears the city already "
        "receives (utility disconnection warnings, rent arrears in municipal housing, health-insurance arrears) "
        "into a monthly list of households a social worker should call on; the worker, not the model, decides "
        "what support to offer.",
        domain="living", ai_type="traditional_ml", department="Social Welfare", owner="park",
        history=(
            Step("poc", 980, "Test on two years of closed cases whether arrears signals come before a crisis."),
            Step("pilot", 700, "PoC found 2 in 3 households that later needed emergency support, five months "
                 "earlier on average; pilot with the social-work teams of two districts."),
            Step("rollout", 200, f"{ROLLOUT_APPROVED} Households reached before an eviction or disconnection "
                 "doubled in the pilot districts. Impact assessment, independent review and residents' panel "
                 "completed before the decision.", by="caio"),
        ),
        budget=(
            Line("poc", 980, "personnel", "120000", "117300.00", "approved", "social welfare budget {fy}"),
            Line("pilot", 700, "services", "380000", "361220.40", "approved", "social welfare budget {fy}"),
            Line("rollout", 200, "personnel", "960000", "412800.00", "approved", "social welfare budget {fy}",
                 planned=400, approved=300),
            Line("rollout", 0, "services", "350000", "98000.00", "approved", PLAN),
            Line("rollout", -365, "personnel", "980000", "0", "planned", PLAN),
        ),
        kpis=(
            DemoKpi("Households reached before an eviction or disconnection", "outcome", "households/month",
                    "increase", Readings(680, 8, 30, "34", "118", 0), baseline=("31", 700), target=("150", 365)),
            DemoKpi("Emergency housing placements after an eviction", "outcome", "placements/month", "decrease",
                    Readings(680, 8, 30, "62", "41", 0), baseline=("64", 700), target=("35", 365)),
            DemoKpi("Households visited after an alert", "output", "visits/month", "increase",
                    Readings(680, 8, 30, "40", "310", 0)),
        ),
        registry={
            "purpose": "Helps social workers find households in crisis early, before an eviction, a "
            "disconnection or a hospital stay, so they can offer the support those households are entitled to.",
            "data_sources": "Arrears notices the city already receives: utility disconnection warnings, rent "
            "arrears in municipal housing, health-insurance arrears and unpaid school-meal fees; household size "
            "and district. No medical records, police data or social-media data.",
            "logic": "A statistical model scores each household's chance of a crisis in the next three months "
            "from the number, kind and duration of its arrears. Each month the 300 highest scores go to the "
            "district social-work teams, with the signals behind each score.",
            "risks": "Households with no arrears on record are missed; a visit may feel intrusive; scores may "
            "differ unfairly between districts or household types. A visit is an offer, never an obligation; "
            "the model is audited every quarter for differences by district, age and household type; "
            "households can ask why they were contacted and have their data removed.",
            "human_oversight": "A social worker reviews every alert before any contact and decides whether and "
            "how to reach out. No support is granted, reduced or refused by the model. The Social Welfare board "
            "reviews the audit every quarter.",
            "contact_email": "social.welfare@northhaven.example",
        },
        risk_tier="high_impact",
        risk_rationale="Decides which households a social worker contacts about support they are entitled to: "
        "access to public benefits (OMB M-25-21 high-impact; EU AI Act Annex III 5(a); Korea's AI Basic Act).",
        # every practice in effect, on the rollout decision's day and today
        practices=(
            DemoPractice("testing", "done", 262, "validation-on-closed-cases.pdf"),
            DemoPractice("impact_assessment", "done", 240, "algorithmic-impact-assessment.pdf"),
            DemoPractice("independent_review", "done", 226, "ethics-board-review-university-of-northhaven.pdf"),
            DemoPractice("monitoring", "done", 205, "quarterly-fairness-audit-plan.pdf"),
            DemoPractice("training", "done", 214, "social-worker-training-record.pdf"),
            DemoPractice("human_oversight", "done", 230, "alert-review-procedure.pdf"),
            DemoPractice("appeal", "done", 220, "ask-why-you-were-contacted.html"),
            DemoPractice("public_consultation", "done", 280, "residents-panel-report.pdf"),
        ),
    ),
)

# The register in both languages: two recent PoCs of the city's Korean team, written in Korean,
# as they appear on the register website (tracker/register), translated into English like the
# other public entries into Korean (tracker/demo_translations.py), all but one.
PROJECTS += (
    DemoProject(
        key="NH-MOB-CROSSING-01",
        title="교통약자 보행신호 연장",
        problem="어르신과 장애인이 횡단보도를 다 건너기 전에 보행신호가 끝나 교차로에서 위험한 상황이 생깁니다.",
        description="Modelled on Seoul's smart crossings for older pedestrians. Cameras at the kerb count "
        "people still crossing and extend the green man by up to ten seconds.",
        domain="mobility", ai_type="computer_vision", department="교통운영과", owner="park", content_locale="ko",
        history=(Step("poc", 45, "교차로 3곳에서 보행자 검지 정확도를 시험합니다."),),
        budget=(Line("poc", 45, "equipment", "85000000", "21400000", "approved", "교통안전 예산 {fy}", currency="KRW"),),
        kpis=(
            DemoKpi("신호 종료 후에도 횡단 중인 보행자", "outcome", "명/일", "decrease",
                    Readings(40, 2, 7, "31", "22", 0), baseline=("31", 44), target=("10", 300)),
        ),
        registry={
            "purpose": "횡단보도에 보행자가 남아 있으면 보행신호를 최대 10초까지 자동으로 늘려, 어르신과 "
            "장애인이 안전하게 건널 수 있게 합니다.",
            "data_sources": "횡단보도 카메라의 보행자 수 계수 결과만 사용합니다. 영상은 저장하지 않으며 얼굴을 "
            "식별하지 않습니다.",
            "logic": "영상 인식 모델이 횡단보도 위 사람 수를 세고, 신호가 끝날 때 남은 사람이 있으면 신호 "
            "제어기에 연장을 요청합니다.",
            "risks": "검지 오류로 신호가 늘지 않을 수 있어, 기존 최소 보행시간은 그대로 유지합니다. 연장으로 "
            "차량 대기가 늘 수 있어 교차로별 한도를 둡니다.",
            "human_oversight": "교통운영과 담당자가 매일 연장 기록을 확인하고, 언제든 기존 고정 신호로 되돌릴 "
            "수 있습니다.",
            "contact_email": "transport@northhaven.example",
        },
        risk_tier="high_impact",
        risk_rationale="보행자 안전에 직접 영향을 주는 교통신호 제어의 안전 구성요소입니다(AI 기본법 고영향 AI, "
        "EU AI Act 부속서 III 2호).",
        practices=(
            DemoPractice("testing", "in_progress", note="교차로 3곳 검지 정확도 시험 중"),
            DemoPractice("impact_assessment", "in_progress", note="보행약자 단체와 영향평가 진행 중"),
            DemoPractice("human_oversight", "done", 30, "crossing-manual-override-procedure.pdf"),
        ),
    ),
    DemoProject(
        key="NH-OPS-MINWON-01",
        title="AI 민원 상담 도우미",
        problem="민원 전화 대기 시간이 길고, 같은 질문에 대한 답변이 상담원마다 다릅니다.",
        description="Modelled on Seoul's 120 Dasan call centre assistant. Suggests answers from the city's "
        "published guidance to call-centre staff, who decide what to tell the caller.",
        domain="operations", ai_type="generative", department="민원여권과", owner="park", content_locale="ko",
        history=(Step("poc", 60, "상담원 10명이 과거 민원 500건으로 답변 제안을 평가합니다."),),
        budget=(Line("poc", 60, "licences", "120000000", "48000000", "approved", "디지털 전환 예산 {fy}",
                     currency="KRW"),),
        kpis=(
            DemoKpi("민원 전화 평균 대기 시간", "outcome", "분", "decrease",
                    Readings(55, 3, 7, "6.5", "5.2"), baseline=("6.8", 60), target=("3", 330)),
        ),
        registry={
            "purpose": "상담원이 민원에 답할 때 시의 공개 안내문에서 찾은 답변 초안을 제안해, 대기 시간을 "
            "줄이고 답변을 일관되게 합니다.",
            "data_sources": "시 홈페이지의 공개 안내문과 민원 처리 기준. 민원인의 개인정보는 모델에 보내지 "
            "않습니다.",
            "logic": "생성형 AI가 안내문에서 관련 부분을 찾아 출처와 함께 답변 초안을 만듭니다.",
            "risks": "사실과 다른 답변이 나올 수 있어, 모든 초안에 출처를 붙이고 상담원이 확인한 뒤에만 "
            "안내합니다.",
            "human_oversight": "상담원이 모든 답변을 읽고 고쳐서 안내하며, 민원인에게 AI가 직접 답하지 "
            "않습니다.",
            "contact_email": "citizen.services@northhaven.example",
        },
        risk_tier="limited",
        risk_rationale="생성형 AI가 만든 답변 초안을 민원인이 간접적으로 받게 되므로 투명성 의무가 있습니다. "
        "상담원이 모든 답변을 확인하므로 고영향 AI는 아닙니다.",
    ),
)
# fmt: on

PROJECT_KEYS = tuple(p.key for p in PROJECTS)
USER_EMAILS = tuple(u.email for u in USERS)
DOMAINS_USED = tuple(dict.fromkeys(p.domain for p in PROJECTS))

# no gate applies to the entry recorded when a project is created (SPEC)
NO_GATE = {"checks": [], "unmet": [], "overridden": False}
# ups and downs of readings, in shares of one step: under half a step either way, so a count that
# only grows never seems to shrink (the last reading lands on `end`)
WOBBLE = (Decimal(0), Decimal("0.4"), Decimal("-0.3"), Decimal("0.2"), Decimal("-0.4"), Decimal("0.3"), Decimal("-0.1"))


# ---------------------------------------------------------------------------------------------
# The loader


@dataclass(frozen=True)
class DemoToken:
    role: str
    email: str
    token: str
    name: str


@dataclass(frozen=True)
class SeedResult:
    loaded: bool  # False: the demo was there already and nothing was written
    project_keys: tuple[str, ...]
    tokens: tuple[DemoToken, ...]  # empty when nothing was loaded


def seed_demo(
    session: so.Session, *, today: date, currency: str = "USD", token_expires_at: datetime | None = None
) -> SeedResult:
    """Load the demo portfolio in one commit, or nothing when it is there already.

    `currency` is the default currency of the lines that do not name another one.
    """
    present_keys = set(session.scalars(sa.select(Project.key).where(Project.key.in_(PROJECT_KEYS))))
    present_emails = set(session.scalars(sa.select(User.email).where(User.email.in_(USER_EMAILS))))
    if present_keys == set(PROJECT_KEYS) and present_emails == set(USER_EMAILS):
        return SeedResult(loaded=False, project_keys=PROJECT_KEYS, tokens=())
    if present_keys or present_emails:
        clashes = ", ".join(sorted(present_keys | present_emails))
        raise Conflict(
            f"part of the demo is in this database already ({clashes}) but not all of it; "
            "load the demo into a database without these projects and users"
        )
    try:
        users = {
            spec.handle: User(email=spec.email, name=spec.name, role=spec.role, active=True, locale=spec.locale)
            for spec in USERS
        }
        session.add_all(users.values())
        session.flush()
        for spec in PROJECTS:
            _add_project(session, spec, users=users, today=today, currency=currency)
        tokens = []
        for spec in USERS:
            _, token = issue_token(session, users[spec.handle], name="seed-demo", expires_at=token_expires_at)
            tokens.append(DemoToken(spec.role, spec.email, token, spec.name))
        session.commit()
    except Exception:
        session.rollback()
        raise
    return SeedResult(loaded=True, project_keys=PROJECT_KEYS, tokens=tuple(tokens))


def _add_project(session: so.Session, spec: DemoProject, *, users: dict, today: date, currency: str) -> None:
    owner = users[spec.owner]
    last = spec.history[-1]
    project = Project(
        key=spec.key,
        title=spec.title,
        problem=spec.problem,
        description=spec.description,
        domain=spec.domain,
        ai_type=spec.ai_type,
        department=spec.department,
        owner_id=owner.id,
        stage=last.to_stage,
        stage_entered_at=_days_ago(today, last.days_ago),
        public=bool(spec.registry),
        **spec.registry,
        risk_tier=spec.risk_tier,
        risk_rationale=spec.risk_rationale,
        # classified before its first stage decision (the tier may not have changed since)
        risk_assessed_on=_days_ago(today, spec.history[0].days_ago),
        content_locale=spec.content_locale,
    )
    session.add(project)
    session.flush()

    originals = fingerprints({name: getattr(project, name) for name in TRANSLATED_FIELDS})
    for locale, text in TRANSLATIONS.get(spec.key, {}).items():
        session.add(
            ProjectTranslation(
                project_id=project.id, locale=locale, **text, originals=originals, updated_by_id=owner.id
            )
        )

    from_stage = None
    for step in spec.history:
        decider = owner if step.by == "owner" else users[step.by]
        session.add(
            StageTransition(
                project_id=project.id,
                from_stage=from_stage,
                to_stage=step.to_stage,
                effective_date=_days_ago(today, step.days_ago),
                decided_by_id=decider.id,
                rationale=step.rationale,
                gate=dict(NO_GATE) if from_stage is None else _gate(step, spec),
                override_reason=step.override_reason,
            )
        )
        from_stage = step.to_stage

    for practice in spec.practices:
        day = _days_ago(today, practice.days_ago) if practice.days_ago is not None else None
        session.add(
            Practice(
                project_id=project.id,
                key=practice.key,
                status=practice.status,
                completed_on=day if practice.status == "done" else None,
                waived_on=day if practice.status == "waived" else None,
                evidence_url=f"{EVIDENCE_BASE_URL}/{spec.key.lower()}/{practice.evidence}" if practice.evidence else "",
                note=practice.note,
                waiver_reason=practice.waiver_reason,
                updated_by_id=(owner if practice.by == "owner" else users[practice.by]).id,
            )
        )

    plan = f"{today.year}-{(today.year + 4) % 100:02d}"
    for line in spec.budget:
        line_currency = line.currency or currency
        fiscal_year = _days_ago(today, line.year_of).year
        planned = line.planned if line.planned is not None else max(line.year_of, 0)
        session.add(
            BudgetLine(
                project_id=project.id,
                stage=line.stage,
                fiscal_year=fiscal_year,
                category=line.category,
                currency=line_currency,
                amount_minor=to_minor(money(line.amount, line_currency), line_currency),
                spent_minor=to_minor(money(line.spent, line_currency), line_currency),
                status=line.status,
                source=line.source.format(fy=fiscal_year, plan=plan),
                planned_on=_days_ago(today, planned),
                approved_on=_days_ago(today, line.approved if line.approved is not None else planned)
                if line.status == "approved"
                else None,
            )
        )

    for spec_kpi in spec.kpis:
        kpi = Kpi(
            project_id=project.id,
            name=spec_kpi.name,
            kind=spec_kpi.kind,
            unit=spec_kpi.unit,
            direction=spec_kpi.direction,
            baseline=Decimal(spec_kpi.baseline[0]) if spec_kpi.baseline else None,
            baseline_date=today - timedelta(days=spec_kpi.baseline[1]) if spec_kpi.baseline else None,
            target=Decimal(spec_kpi.target[0]) if spec_kpi.target else None,
            target_date=today + timedelta(days=spec_kpi.target[1]) if spec_kpi.target else None,
            cadence_days=spec_kpi.readings.every,
        )
        session.add(kpi)
        session.flush()
        session.add_all(
            Measurement(kpi_id=kpi.id, value=value, measured_on=day, recorded_by_id=owner.id)
            for day, value in readings(spec_kpi.readings, today)
        )
    session.flush()


def gate_codes(to_stage: str, spec: DemoProject) -> list[str]:
    """The criteria that guard `to_stage` for a project of this tier and publicity."""
    evidence = rules.GateEvidence(risk_tier=spec.risk_tier, public=bool(spec.registry))
    # only the codes are read: the day and the validity do not change which criteria apply
    return [code for code, _ in rules.gate_checks(to_stage, evidence, on=date.min, valid_days=1)]


def _gate(step: Step, spec: DemoProject) -> dict:
    """The gate record the service writes: the criteria guarding the stage, met unless overridden.

    The demo's decisions were taken with their evidence in place at the time (practices renewed
    since then show their latest dates); tests/integration/test_seed_demo.py checks today's."""
    codes = gate_codes(step.to_stage, spec)
    return {
        "checks": [{"code": code, "met": code not in step.unmet} for code in codes],
        "unmet": list(step.unmet),
        "overridden": bool(step.unmet),
    }


def _days_ago(today: date, days: int) -> date:
    return today - timedelta(days=days)


def money(text: str, currency: str) -> Decimal:
    """`text` in `currency`, rounded to its minor unit (whole units for KRW or JPY)."""
    return Decimal(text).quantize(Decimal(1).scaleb(-minor_exponent(currency)), rounding=ROUND_HALF_EVEN)


def readings(spec: Readings, today: date) -> list[tuple[date, Decimal]]:
    """The (day, value) measurements `spec` describes, oldest first."""
    count = (spec.first - spec.last) // spec.every + 1
    start, end = Decimal(spec.start), Decimal(spec.end)
    step = (end - start) / max(count - 1, 1)
    unit = Decimal(1).scaleb(-spec.places)
    result = []
    for i in range(count):
        wobble = 0 if i == count - 1 else WOBBLE[i % len(WOBBLE)]
        value = start + step * (i + wobble)
        result.append((today - timedelta(days=spec.first - i * spec.every), value.quantize(unit)))
    return result


# ---------------------------------------------------------------------------------------------
# The command


def format_tokens(tokens: list[DemoToken]) -> list[str]:
    """The token table: role, email, token and name, one user a line."""
    width = max(len(t.email) for t in tokens)
    lines = [f"{'role':<8} {'email':<{width}}  {'token':<47}  name"]
    lines += [f"{t.role:<8} {t.email:<{width}}  {t.token:<47}  {t.name}" for t in tokens]
    return lines


def write_tokens_file(path: Path, tokens: list[DemoToken]) -> None:
    """The demo tokens, readable by the current user only (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # the file may have existed with a wider mode
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(f"# API tokens of the {CITY} demo users (seed-demo). Keep this file private.\n")
        handle.write("# role email token name\n")
        handle.writelines(f"{t.role} {t.email} {t.token} {t.name}\n" for t in tokens)


def read_tokens_file(path: Path) -> list[DemoToken]:
    tokens = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(maxsplit=3)
        if len(parts) == 4 and not line.startswith("#"):
            tokens.append(DemoToken(*parts))
    return tokens


def _echo_tokens(tokens: list[DemoToken]) -> None:
    for line in format_tokens(tokens):
        click.echo(line)
    example = next((t for t in tokens if t.role == "caio"), tokens[0])
    click.echo("")
    click.echo(f"Try it ({example.role}'s token):")
    click.echo(f'  curl -H "Authorization: Bearer {example.token}" {API_EXAMPLE_URL}')
    _echo_console_sign_in(example.email)


def _echo_console_sign_in(email: str) -> None:
    """How to sign in to the staff console as a demo user, with or without a mail server."""
    config = current_app.config
    click.echo("")
    # the sign-in links lead to PUBLIC_BASE_URL: the console there keeps one host, and its cookies, throughout
    console = config["PUBLIC_BASE_URL"].rstrip("/") + "/console"
    click.echo(f"The staff console: {console}; sign in with any address above (for example {email}).")
    click.echo(
        f"Sign-in links go by email through {config['SMTP_HOST']}:{config['SMTP_PORT']} (SMTP_HOST, SMTP_PORT). "
        "Without a mail server, start the service with SIGN_IN_LINKS_IN_LOG=true (the README's first command "
        "does) and open the link it writes to its log. Development only: never set it in production."
    )


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo portfolio of the fictional City of Northhaven and print its users' tokens.

    Running it again changes nothing and prints the tokens saved at the first run.
    """
    from tracker.cli import cli_session

    config = current_app.config
    unknown = [name for name in DOMAINS_USED if name not in config["DOMAINS"]]
    if unknown:
        raise click.ClickException(
            f"the demo uses the domains {', '.join(DOMAINS_USED)}; the DOMAINS setting lacks {', '.join(unknown)}"
        )
    ttl = config["TOKEN_TTL_DAYS"]
    session = cli_session()
    try:
        result = seed_demo(
            session,
            today=utcnow().date(),
            currency=config["DEFAULT_CURRENCY"],
            token_expires_at=utcnow() + timedelta(days=ttl) if ttl else None,
        )
    except DomainError as exc:
        raise click.ClickException(exc.message) from None

    tokens_file = Path(current_app.instance_path) / TOKENS_FILE
    if not result.loaded:
        _echo_already_loaded(session, tokens_file)
        return
    click.echo(
        f"Loaded the demo portfolio of the {CITY} (fictional): {len(result.project_keys)} projects in every "
        f"stage and domain, {len(result.tokens)} users. Some projects are stalled on purpose: "
        "run `flask --app tracker scan` to flag them."
    )
    click.echo("")
    click.echo("API tokens, shown only this once (the database keeps only their hashes):")
    _echo_tokens(list(result.tokens))
    try:
        write_tokens_file(tokens_file, list(result.tokens))
    except OSError as exc:
        click.echo(f"\nCould not save the tokens to {tokens_file} ({exc.strerror}): copy them from above.")
        return
    click.echo(f"\nThe tokens are also saved in {tokens_file} (readable by you only).")


def _echo_already_loaded(session: so.Session, tokens_file: Path) -> None:
    click.echo(f"The {CITY} demo is loaded already; nothing was changed.")
    saved = read_tokens_file(tokens_file) if tokens_file.is_file() else []
    # only tokens that still work here: the file may come from another database
    working = [t for t in saved if (user := user_for_token(session, t.token)) is not None and user.email == t.email]
    if working:
        click.echo(f"Demo tokens saved in {tokens_file} that still work:")
        _echo_tokens(working)
        return
    click.echo(
        "Its tokens were shown when it was loaded, and only their hashes are stored. For a new token, "
        "create a user with `flask --app tracker create-user EMAIL --name NAME --role ROLE`, or have an "
        "admin issue one to a demo user with POST /api/v1/users/{id}/tokens."
    )
