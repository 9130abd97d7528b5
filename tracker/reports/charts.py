"""Bar geometry for the printable report's inline SVG charts (the template draws, this measures)."""

from dataclasses import dataclass
from decimal import Decimal

from tracker.reports.queries import BudgetRow, PilotStay, Portfolio

# SVG user units a full-length bar takes; the labels and figures take the rest of the width
BAR_SPACE = 360
MEASURES = ("planned", "approved", "spent")


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    width: float
    kind: str = ""  # a CSS class: planned, approved, spent


def _bars(rows: list[tuple[str, Decimal | int, str, str]]) -> list[Bar]:
    """(label, value, text, kind) rows as bars, the largest value taking the full length."""
    largest = max((value for _, value, _, _ in rows), default=0)
    return [
        Bar(label, text, round(float(value) / float(largest) * BAR_SPACE, 1) if largest else 0.0, kind)
        for label, value, text, kind in rows
    ]


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.1f} %"


def funnel(report: Portfolio) -> list[Bar]:
    reached = report.reached
    return _bars(
        [
            ("Entered PoC", reached["poc"], str(reached["poc"]), "approved"),
            (
                "Reached pilot",
                reached["pilot"],
                f"{reached['pilot']} ({_percent(report.funnel['poc_to_pilot'])} of PoC)",
                "approved",
            ),
            (
                "Reached rollout",
                reached["rollout"],
                f"{reached['rollout']} ({_percent(report.funnel['pilot_to_rollout'])} of pilot)",
                "approved",
            ),
        ]
    )


def budget(rows: list[BudgetRow], key: str) -> dict[str, list[Bar]]:
    """Per currency (amounts in different currencies never share a scale), a bar per key and measure."""
    by_currency: dict[str, list] = {}
    for row in rows:
        for measure in MEASURES:
            amount = getattr(row, measure)
            by_currency.setdefault(row.currency, []).append(
                (f"{getattr(row, key)} {measure}", amount, f"{amount:f} {row.currency}", measure)
            )
    return {currency: _bars(bars) for currency, bars in by_currency.items()}


def flags(report: Portfolio) -> list[Bar]:
    return _bars([(rule, count, str(count), "spent") for rule, count in report.flags.items()])


def risk_tiers(report: Portfolio) -> list[Bar]:
    return _bars([(tier, count, str(count), "approved") for tier, count in report.risk["tiers"].items()])


def stages(report: Portfolio) -> list[Bar]:
    return _bars([(stage, count, str(count), "approved") for stage, count in report.stages.items()])


def longest_in_pilot(stays: list[PilotStay]) -> list[Bar]:
    return _bars([(stay.key, stay.days, f"{stay.days} days", "planned") for stay in stays])


def for_page(report: Portfolio, pilot_stays: list[PilotStay]) -> dict:
    """Every chart of the printable page."""
    return {
        "stages": stages(report),
        "funnel": funnel(report),
        "budget_by_stage": budget(report.budget["by_stage"], "stage"),
        "budget_by_fiscal_year": budget(report.budget["by_fiscal_year"], "fiscal_year"),
        "flags": flags(report),
        "risk_tiers": risk_tiers(report),
        "longest_in_pilot": longest_in_pilot(pilot_stays),
    }
