"""Geometry of the council pack's SVG charts (the templates draw, this measures), from the trend as
JSON (a fresh one or a frozen pack's), so a chart is the same wherever it is drawn: the printable
pack and the console. Words and numbers are written for the reader while the page renders."""

from dataclasses import dataclass
from datetime import date

from flask_babel import format_decimal, format_percent, gettext

from tracker.i18n.vocab import STAGE_NAMES
from tracker.reports.charts import SHARE_FORMAT
from tracker.vocab import STAGES

WIDTH, HEIGHT = 700, 250
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 44  # room for the axes' labels
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
MOST_LABELS = 12  # period labels shown under the columns at most; the table names every period


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    kind: str  # a CSS class: the series
    title: str  # what a pointer or a screen reader is told: the series, the period, the figure


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class Series:
    key: str
    name: str


@dataclass(frozen=True)
class ColumnChart:
    title: str
    series: list[Series]
    segments: list[Segment]
    y_ticks: list[Tick]  # position: y
    x_labels: list[Tick]  # position: x of the column's middle
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: float = TOP + PLOT_HEIGHT


@dataclass(frozen=True)
class CurveChart:
    title: str
    path: str  # the steps of F as an SVG path
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    markers: list[Segment]  # the horizons, as thin rules
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: float = TOP + PLOT_HEIGHT


def nice_top(largest: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten that is at least `largest` (1 for nothing)."""
    if largest <= 0:
        return 1
    power = 1
    while power * 10 <= largest:
        power *= 10
    for step in (1, 2, 5, 10):
        if step * power >= largest:
            return step * power
    return 10 * power


def _y(value: float, top: float) -> float:
    return round(TOP + PLOT_HEIGHT * (1 - value / top), 1)


def _y_ticks(top: float, text) -> list[Tick]:
    return [Tick(_y(top * i / 4, top), text(top * i / 4)) for i in range(5)]


def _count(value: float) -> str:
    return format_decimal(round(value, 1))


def columns(
    title: str, labels: list[str], series: list[Series], values: dict[str, list[int]], *, stacked: bool
) -> ColumnChart:
    """Columns per period: the series stacked in one column, or side by side."""
    n = max(len(labels), 1)
    slot = PLOT_WIDTH / n
    largest = max(
        (
            sum(values[s.key][k] for s in series) if stacked else max(values[s.key][k] for s in series)
            for k in range(len(labels))
        ),
        default=0,
    )
    top = 4 * nice_top(largest / 4) if largest > 4 else 4  # four gridlines a whole number apart
    bar = slot * 0.7 / (1 if stacked else len(series))
    segments = []
    for k, label in enumerate(labels):
        base = 0
        for i, s in enumerate(series):
            value = values[s.key][k]
            x = LEFT + slot * k + slot * 0.15 + (0 if stacked else bar * i)
            low, high = (base, base + value) if stacked else (0, value)
            segments.append(
                Segment(
                    round(x, 1),
                    _y(high, top),
                    round(bar, 1),
                    round(_y(low, top) - _y(high, top), 1),
                    s.key,
                    gettext(
                        "%(series)s, %(period)s: %(value)s", series=s.name, period=label, value=format_decimal(value)
                    ),
                )
            )
            base += value if stacked else 0
    every = -(-len(labels) // MOST_LABELS)
    x_labels = [Tick(round(LEFT + slot * (k + 0.5), 1), label) for k, label in enumerate(labels) if k % every == 0]
    return ColumnChart(title, series, segments, _y_ticks(top, _count), x_labels)


def _labels(trend: dict) -> list[str]:
    return [period["label"] for period in trend["periods"]]


def _per_period(trend: dict, section: str, keys) -> dict[str, list[int]]:
    return {key: [period[section][key] for period in trend["periods"]] for key in keys}


def stages(trend: dict) -> ColumnChart:
    series = [Series(stage, str(STAGE_NAMES[stage])) for stage in STAGES]
    return columns(
        gettext("Projects by stage at the end of each period"),
        _labels(trend),
        series,
        _per_period(trend, "stages", STAGES),
        stacked=True,
    )


PILOT_EXITS = ("pilot_to_rollout", "pilot_to_cancelled", "pilot_to_poc")


def move_name(source: str, target: str) -> str:
    """A move in the stage vocabulary of the language: `Pilot → Rollout`."""
    return gettext("%(source)s → %(target)s", source=STAGE_NAMES[source], target=STAGE_NAMES[target])


def pilot_exits(trend: dict) -> ColumnChart:
    return columns(
        gettext("Moves out of %(stage)s in each period", stage=STAGE_NAMES["pilot"]),
        _labels(trend),
        [Series(key, move_name(*key.split("_to_"))) for key in PILOT_EXITS],
        _per_period(trend, "moves", PILOT_EXITS),
        stacked=True,
    )


def purgatory(trend: dict) -> ColumnChart:
    flows = _per_period(trend, "purgatory", ("at_end", "entered", "rolled_out", "cancelled", "sent_back"))
    left = [a + b + c for a, b, c in zip(flows["rolled_out"], flows["cancelled"], flows["sent_back"], strict=True)]
    return columns(
        gettext("Pilot purgatory in each period"),
        _labels(trend),
        [
            Series("at_end", gettext("In purgatory at the end")),
            Series("entered", gettext("Came into purgatory")),
            Series("left", gettext("Left purgatory")),
        ],
        {"at_end": flows["at_end"], "entered": flows["entered"], "left": left},
        stacked=False,
    )


def time_to_rollout(trend: dict, horizons: tuple[int, ...]) -> CurveChart:
    """The step curve of the share reaching rollout, over days since the pilot day."""
    figures = trend["time_to_rollout"]
    steps = figures["curve"]
    measured = [int(h) for h, value in figures["cumulative_incidence"].items() if value is not None]
    span = max([steps[-1][0] if steps else 0, *measured, horizons[0]])
    span = nice_top(span) if span > 100 else 100

    def x(days: float) -> float:
        return round(LEFT + PLOT_WIDTH * days / span, 1)

    path = [f"M{x(0)},{_y(0, 1)}"]
    for days, value in steps:
        path.append(f"H{x(days)}V{_y(value, 1)}")
    path.append(f"H{x(max([*measured, steps[-1][0] if steps else 0]))}")  # as far as it was observed
    markers = [
        Segment(x(h), TOP, 0, PLOT_HEIGHT, "horizon", gettext("%(days)s days", days=format_decimal(h)))
        for h in horizons
        if h <= span
    ]
    x_ticks = [Tick(x(span * i / 4), format_decimal(round(span * i / 4))) for i in range(5)]
    return CurveChart(
        gettext("Share of pilots reaching %(stage)s, by days since their pilot day", stage=STAGE_NAMES["rollout"]),
        "".join(path),
        _y_ticks(1, lambda v: format_percent(v, SHARE_FORMAT)),
        x_ticks,
        markers,
    )


def day(value: str) -> date:
    return date.fromisoformat(value)
