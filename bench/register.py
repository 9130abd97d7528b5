"""The register website against the JSON registry, through gunicorn, on N public entries.

    python -m bench.register [--sizes 2000,20000] [--db sqlite,postgres] [--requests 200]

For each size and database: a data set of its own (`tracker_register_N`) of N public entries
(federal inventory use cases, every tenth one Korean, a few with practices, every one with a
translation into the other language), written through the models' tables so each row's search
text and last change are what the app computes. Then
a gunicorn per size (gunicorn.conf.py, 2 workers, loopback, all running at once) and, on one
kept-alive connection each, requests in turns across sizes and works: the JSON registry's first
page (`/api/v1/registry?page_size=20`), the register's first page (`/registry`), and two
searches (`/registry?q=교통`, a Korean word inside compounds, and `/registry?q=data`). p50 and p99 of each, and the ratios to the JSON page (targets: list ≤ 2x,
search ≤ 4x; search growth from the smallest to the largest size ≤ 11x). Writes
bench/results/register-<time>.md and prints it.
"""

import argparse
import contextlib
import statistics
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import sqlalchemy as sa
from alembic import command

from bench import common
from bench.generate import federal_use_cases
from bench.run import Gunicorn, Keepalive, percentile
from tracker import create_app
from tracker.cli import alembic_config
from tracker.entry_translations.models import ProjectTranslation
from tracker.entry_translations.rules import fingerprints
from tracker.extensions import db
from tracker.projects.models import Project, StageTransition
from tracker.projects.search import search_text
from tracker.trust.models import Practice
from tracker.users.models import User

KOREAN = ("교통신호 최적화", "불법 주정차 단속 지원", "민원 상담 챗봇", "상수도 누수 탐지", "대기질 예측")
# Every entry has a translation into the other language (title, problem, purpose: the searched
# fields, and two registry fields), worded so that each search matches the same share of entries
# as without them: no 교통 in the Korean translations, no "data" in the English ones.
INTO_KOREAN = (
    ("민원 처리 지원", "신청서 처리가 늦어 주민이 오래 기다립니다.", "담당자가 신청서를 더 빨리 검토하도록 돕습니다."),
    (
        "복지 사각지대 발굴",
        "도움이 필요한 가구가 지원을 신청하지 못합니다.",
        "사회복지사가 위기 가구를 일찍 찾도록 돕습니다.",
    ),
    ("시설물 점검 우선순위", "점검이 늦어 결함을 늦게 발견합니다.", "점검할 시설물의 순서를 제안합니다."),
)
INTO_ENGLISH = (
    ("Traffic signal timing", "Queues at junctions at rush hour.", "Times signals to the traffic there is."),
    ("Parking enforcement support", "Illegal parking blocks bus lanes.", "Suggests where wardens should patrol."),
    ("Enquiry answer assistant", "Callers wait long for answers.", "Drafts answers for call-centre staff."),
)
WORK = {
    "JSON registry page": "/api/v1/registry?page_size=20",
    "register list page": "/registry",
    "register search q=교통": "/registry?q=" + quote("교통"),
    "register search q=data": "/registry?q=data",
}
TARGETS = {"register list page": 2.0, "register search q=교통": 4.0, "register search q=data": 4.0}
GROWTH_TARGET = 11.0


def name_for(size: int) -> str:
    return f"tracker_register_{size}"


def generate(dialect: str, size: int) -> str:
    name = name_for(size)
    url = common.database_url(dialect, name)
    common.create_empty(dialect, name)
    app = create_app({"DATABASE_URL": url})
    cases = federal_use_cases()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with app.app_context():
        command.upgrade(alembic_config(), "head")
        with db.engine.begin() as connection:
            owner = connection.execute(
                sa.insert(User).values(email="register-bench@city.example", name="Bench", role="manager", active=True)
            ).inserted_primary_key[0]
            for first in range(0, size, 2000):
                rows, translations = [], []
                for n in range(first, min(first + 2000, size)):
                    case = cases[n % len(cases)]
                    korean = n % 10 == 0
                    changed = start + timedelta(minutes=n)
                    row = {
                        "key": f"REG-{n:06d}",
                        "title": f"{KOREAN[n % len(KOREAN)]} {n}" if korean else case["use_case_name"][:300],
                        "problem": "출퇴근 시간 교차로 정체" if korean else case["problem_solved"][:2000],
                        "description": "",
                        "domain": "mobility" if korean else "operations",
                        "ai_type": "optimization",
                        "department": "서울특별시 교통운영과" if korean else case["agency_name"][:200],
                        "owner_id": owner,
                        "stage": ("poc", "pilot", "rollout")[n % 3],
                        "stage_entered_at": changed.date(),
                        "public": True,
                        "purpose": case["benefits"][:1000] or "Helps residents.",
                        "data_sources": "Operational records.",
                        "logic": "A model ranks cases for a person to review.",
                        "risks": "Errors could delay service.",
                        "human_oversight": "A civil servant reviews every decision.",
                        "contact_email": "ai@city.example",
                        "risk_tier": ("minimal", "limited", "high_impact")[n % 3],
                        "risk_rationale": "Assessed by the CAIO office.",
                        "content_locale": "ko" if korean else "en",
                        "created_at": changed,
                        "updated_at": changed,
                        "changed_at": changed,
                        "version": 1,
                    }
                    title, problem, purpose = (INTO_ENGLISH if korean else INTO_KOREAN)[n % 3]
                    translation = {
                        "key": row["key"],
                        "locale": "en" if korean else "ko",
                        "title": f"{title} {n}",
                        "problem": problem,
                        "purpose": purpose,
                        "human_oversight": "A civil servant reviews every decision."
                        if korean
                        else "공무원이 모든 결정을 검토합니다.",
                        "risks": "Errors could delay service." if korean else "오류로 서비스가 늦어질 수 있습니다.",
                        "originals": fingerprints(row),
                        "created_at": changed,
                        "updated_at": changed,
                    }
                    # written by bulk insert: the search text the app keeps, translations included
                    row["search_text"] = search_text(row, [translation])
                    rows.append(row)
                    translations.append(translation)
                connection.execute(sa.insert(Project.__table__), rows)
                ids = dict(
                    connection.execute(
                        sa.select(Project.key, Project.id).where(Project.key.in_(list(t["key"] for t in translations)))
                    ).all()
                )
                connection.execute(
                    sa.insert(ProjectTranslation.__table__),
                    [{**{k: v for k, v in t.items() if k != "key"}, "project_id": ids[t["key"]]} for t in translations],
                )
            connection.execute(
                sa.insert(StageTransition.__table__).from_select(
                    ["project_id", "to_stage", "effective_date", "rationale", "gate", "recorded_at"],
                    sa.select(
                        Project.id, Project.stage, Project.stage_entered_at, sa.literal(""),
                        sa.literal({"checks": [], "unmet": [], "overridden": False}, StageTransition.gate.type),
                        Project.created_at,
                    ),
                )
            )  # fmt: skip
            high = connection.execute(sa.select(Project.id).where(Project.risk_tier == "high_impact").limit(200))
            connection.execute(
                sa.insert(Practice.__table__),
                [
                    {"project_id": pid, "key": "testing", "status": "done", "completed_on": start.date(),
                     "evidence_url": "", "note": "", "waiver_reason": "", "updated_at": start}
                    for (pid,) in high
                ],
            )  # fmt: skip
        db.engine.dispose()
    if dialect == "postgres":
        engine = sa.create_engine(url).execution_options(isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
        engine.dispose()
    return url


def measure(urls: dict[int, str], dialect: str, requests: int) -> dict[int, dict[str, list[float]]]:
    """Every size's server at once, requests taken in turns across sizes and works: the machine's
    load (shared, 2 cores) weighs on every figure alike, so the ratios and the growth hold."""
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    times = {size: {work: [] for work in WORK} for size in urls}
    with contextlib.ExitStack() as stack:
        clients = {}
        for size, url in urls.items():
            log = common.RESULTS / f"gunicorn-register-{dialect}-{size}.log"
            server = stack.enter_context(Gunicorn("tracker:create_app()", url, log))
            clients[size] = Keepalive(server.port)
        turns = [(size, work, path) for size in urls for work, path in WORK.items()]
        for n in range(requests + 30):  # the first 30 rounds warm up
            shift = n % len(turns)
            for size, work, path in turns[shift:] + turns[:shift]:
                elapsed = clients[size].get(path)
                if n >= 30:
                    times[size][work].append(elapsed)
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    lines = [f"# Register bench {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", ""]
    for dialect in args.db.split(","):
        lines += [
            f"## {dialect}",
            "",
            "| entries | work | p50 | p99 | p50 / JSON page | target |",
            "|---|---|---|---|---|---|",
        ]
        urls = {size: generate(dialect, size) for size in sizes}
        times = measure(urls, dialect, args.requests)
        for size in sizes:
            base = statistics.median(times[size]["JSON registry page"])
            for work, values in times[size].items():
                p50 = statistics.median(values)
                ratio = p50 / base
                target = TARGETS.get(work)
                verdict = "" if target is None else f"≤ {target}x {'ok' if ratio <= target else 'MISSED'}"
                lines.append(
                    f"| {size:,} | {work} | {p50 * 1000:.2f} ms | {percentile(values, 0.99) * 1000:.2f} ms "
                    f"| {ratio:.2f}x | {verdict} |"
                )
                print(lines[-1], flush=True)
        lines.append("")
        for work in WORK:
            growth = statistics.median(times[sizes[-1]][work]) / statistics.median(times[sizes[0]][work])
            target = f" (target ≤ {GROWTH_TARGET}x {'ok' if growth <= GROWTH_TARGET else 'MISSED'})"
            lines.append(
                f"- {work}: growth {sizes[0]:,} → {sizes[-1]:,} entries {growth:.1f}x"
                + (target if work.startswith("register search") else "")
            )
            print(lines[-1], flush=True)
        lines.append("")
        for size in sizes:
            common.drop(dialect, name_for(size))
    report = "\n".join(lines)
    path = common.RESULTS / f"register-{time.strftime('%Y%m%d-%H%M%S')}.md"
    path.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
