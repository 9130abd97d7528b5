"""Bar geometry for the printable report's inline SVG charts (the template draws, this measures),
with their labels and figures in the reader's language (called while the page renders)."""

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import format_currency, format_decimal, format_percent, gettext

from tracker.flags import rules
from tracker.i18n import PEOPLE
from tracker.i18n.vocab import BUDGET_MEASURES, RISK_TIER_NAMES, STAGE_NAMES
from tracker.reports.queries import BudgetRow, PilotStay, Portfolio

# SVG user units a full-length bar takes; the labels and figures take the rest of the width
BAR_SPACE = 330
MEASURES = ("planned", "approved", "spent")
SHARE_FORMAT = "#,##0.0%"  # one decimal: 71.4 %


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


def share(value: float | None) -> str:
    """A funnel share for people (71.4%; `n/a` where nothing entered the step)."""
    return gettext("n/a") if value is None else format_percent(value, SHARE_FORMAT)


def funnel(report: Portfolio) -> list[Bar]:
    reached = report.reached
    return _bars(
        [
            (gettext("Entered PoC"), reached["poc"], format_decimal(reached["poc"]), "approved"),
            (
                gettext("Reached pilot"),
                reached["pilot"],
                gettext(
                    "%(count)s (%(share)s of PoC)",
                    count=format_decimal(reached["pilot"]),
                    share=share(report.funnel["poc_to_pilot"]),
                ),
                "approved",
            ),
            (
                gettext("Reached rollout"),
                reached["rollout"],
                gettext(
                    "%(count)s (%(share)s of pilot)",
                    count=format_decimal(reached["rollout"]),
                    share=share(report.funnel["pilot_to_rollout"]),
                ),
                "approved",
            ),
        ]
    )


def budget(rows: list[BudgetRow], key: str) -> dict[str, list[Bar]]:
    """Per currency (amounts in different currencies never share a scale), a bar per key and measure."""
    by_currency: dict[str, list] = {}
    for row in rows:
        group = STAGE_NAMES[row.stage] if key == "stage" else str(row.fiscal_year)
        for measure in MEASURES:
            amount = getattr(row, measure)
            by_currency.setdefault(row.currency, []).append(
                (f"{group} · {BUDGET_MEASURES[measure]}", amount, format_currency(amount, row.currency), measure)
            )
    return {currency: _bars(bars) for currency, bars in by_currency.items()}


def flags(report: Portfolio) -> list[Bar]:
    return _bars(
        [(rules.title(rule, PEOPLE), count, format_decimal(count), "spent") for rule, count in report.flags.items()]
    )


def risk_tiers(report: Portfolio) -> list[Bar]:
    return _bars(
        [
            (str(RISK_TIER_NAMES[tier]), count, format_decimal(count), "approved")
            for tier, count in report.risk["tiers"].items()
        ]
    )


def stages(report: Portfolio) -> list[Bar]:
    return _bars(
        [(str(STAGE_NAMES[stage]), count, format_decimal(count), "approved") for stage, count in report.stages.items()]
    )


def longest_in_pilot(stays: list[PilotStay]) -> list[Bar]:
    return _bars(
        [(stay.key, stay.days, gettext("%(days)s days", days=format_decimal(stay.days)), "planned") for stay in stays]
    )


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
