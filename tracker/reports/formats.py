"""The reports as CSV: the portfolio in a long format (one row per figure), streamed UTF-8 with a BOM."""

import csv
import io
from collections.abc import Iterable, Iterator

from tracker.reports.export import ProjectsExport
from tracker.reports.queries import Portfolio

# Excel reads UTF-8 (Korean, accented names) only when the file starts with a byte-order mark.
BOM = "\ufeff".encode()
PORTFOLIO_COLUMNS = ["section", "name", "stage", "fiscal_year", "currency", "value"]
# a cell starting with one of these is a formula to a spreadsheet (CSV injection)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PROJECT_TEXT_COLUMNS = ("key", "title", "domain", "department", "owner_email", "risk_rationale")


def _figure(value) -> str:
    return "" if value is None else str(value)


def portfolio_rows(report: Portfolio) -> Iterator[list]:
    """The portfolio's figures, one row per figure: section, name, stage, fiscal_year, currency, value."""
    yield ["as_of", "", "", "", "", report.as_of.isoformat()]
    for stage, count in report.stages.items():
        yield ["stages", "", stage, "", "", count]
    for name, share in report.funnel.items():
        yield ["funnel", name, "", "", "", _figure(share)]
    for stage, days in report.median_days_in_stage.items():
        yield ["median_days_in_stage", "", stage, "", "", _figure(days)]
    for row in report.budget["by_stage"]:
        for measure in ("planned", "approved", "spent"):
            yield ["budget_by_stage", measure, row.stage, "", row.currency, format(getattr(row, measure), "f")]
    for row in report.budget["by_fiscal_year"]:
        for measure in ("planned", "approved", "spent"):
            yield [
                "budget_by_fiscal_year",
                measure,
                "",
                row.fiscal_year,
                row.currency,
                format(getattr(row, measure), "f"),
            ]
    for name, count in report.kpis.items():
        yield ["kpis", name, "", "", "", count]
    for rule, count in report.flags.items():
        yield ["flags", rule, "", "", "", count]
    for tier, count in report.risk["tiers"].items():
        yield ["risk_tiers", tier, "", "", "", count]
    for name, count in report.risk.items():
        if name != "tiers":
            yield ["risk", name, "", "", "", count]
    for name, count in report.funding.items():
        yield ["funding", name, "", "", "", count]
    for section, groups in (("by_domain", report.by_domain), ("by_department", report.by_department)):
        for name, stages in groups.items():
            for stage, count in stages.items():
                yield [section, safe_text(name), stage, "", "", count]


def safe_text(value: str) -> str:
    """Free text as a spreadsheet shows it, never run: a leading formula character gets a quote."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def projects_rows(export: ProjectsExport) -> Iterator[list]:
    """projects.csv rows with their free-text cells made safe for spreadsheets."""
    text_cells = [export.header.index(name) for name in PROJECT_TEXT_COLUMNS]
    for row in export.rows:
        for index in text_cells:
            row[index] = safe_text(row[index])
        yield row


def csv_stream(header: list[str], rows: Iterable[list], *, chunk_rows: int = 1000) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM, yielded in chunks of `chunk_rows` rows, never the whole file at once."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield BOM + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(rows, 1):
        writer.writerow(row)
        if n % chunk_rows == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()
