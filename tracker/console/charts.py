"""The project page's SVG charts, measured here and drawn by the templates (inline SVG, no script,
no inline style: classes from site.css and presentation attributes only, as the CSP allows).
Every chart is followed on its page by the table of its numbers; its text alternative says the gist.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH = 640
TIMELINE_BAR = 28
KPI_HEIGHT = 240
# room for the value labels on the left and the date labels below
KPI_LEFT, KPI_RIGHT, KPI_TOP, KPI_BOTTOM = 96, 16, 16, 40


@dataclass(frozen=True)
class Stay:
    stage: str
    start: date
    end: date  # the next decision's date, or today for the current stay
    x: float
    width: float

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def middle(self) -> float:
        return self.x + self.width / 2


def timeline(decisions: list, today: date) -> list[Stay]:
    """Each stay between decisions as a bar, its length in proportion to its days (at least 2 units,
    so a stay of a day still shows)."""
    dated = [(d.to_stage, d.effective_date) for d in decisions]
    if not dated:
        return []
    first = dated[0][1]
    span = max((today - first).days, 1)
    stays = []
    for n, (stage, start) in enumerate(dated):
        end = dated[n + 1][1] if n + 1 < len(dated) else max(today, start)
        x = (start - first).days / span * WIDTH
        width = max((end - start).days / span * WIDTH, 2.0)
        stays.append(Stay(stage, start, end, round(min(x, WIDTH - 2), 1), round(min(width, WIDTH - x), 1)))
    return stays


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: Decimal
    day: date


@dataclass(frozen=True)
class KpiChart:
    points: list[Point]
    baseline_y: float | None
    target_y: float | None
    low: Decimal  # the value at the bottom of the plot
    high: Decimal  # and at its top
    first: date
    last: date

    @property
    def polyline(self) -> str:
        return " ".join(f"{point.x},{point.y}" for point in self.points)


def kpi_chart(measurements: list, baseline: Decimal | None, target: Decimal | None) -> KpiChart | None:
    """A KPI's measurements over time with its baseline and target; None without a measurement."""
    if not measurements:
        return None
    values = [m.value for m in measurements] + [v for v in (baseline, target) if v is not None]
    low, high = min(values), max(values)
    if low == high:  # one level: give it room above and below
        pad = abs(low) / 10 or Decimal(1)
        low, high = low - pad, high + pad
    first, last = measurements[0].measured_on, measurements[-1].measured_on
    days = (last - first).days
    plot_width = WIDTH - KPI_LEFT - KPI_RIGHT
    plot_height = KPI_HEIGHT - KPI_TOP - KPI_BOTTOM

    def y_of(value: Decimal) -> float:
        return round(KPI_TOP + float((high - value) / (high - low)) * plot_height, 1)

    def x_of(day: date) -> float:
        share = (day - first).days / days if days else 0.5
        return round(KPI_LEFT + share * plot_width, 1)

    points = [Point(x_of(m.measured_on), y_of(m.value), m.value, m.measured_on) for m in measurements]
    return KpiChart(
        points=points,
        baseline_y=y_of(baseline) if baseline is not None else None,
        target_y=y_of(target) if target is not None else None,
        low=low,
        high=high,
        first=first,
        last=last,
    )
