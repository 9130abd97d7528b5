"""One streamed download in a process of its own, so its peak memory is the download's.

    python -m bench.stream projects.csv|registry.csv|trend|floor-projects.csv DATABASE_URL TOKEN

Prints one JSON line: seconds, bytes, lines, rss_before_mb (the process with the app loaded),
peak_mb (VmHWM: the most resident memory the process ever had).
"""

import json
import sys
import time

PATHS = {
    "projects.csv": ("/api/v1/reports/projects.csv", {}),
    "registry.csv": ("/api/v1/registry", {"Accept": "text/csv"}),
    "trend": ("/api/v1/reports/trend?to=2026-10-01", {}),  # 8 quarters to the data set's day (ANCHOR)
}


def memory_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def through_the_app(what: str, url: str, token: str) -> dict:
    from tracker import create_app

    app = create_app({"DATABASE_URL": url})
    client = app.test_client()
    path, headers = PATHS[what]
    client.get("/health")  # the app's first request (lazy imports) before the baseline
    before = memory_mb("VmRSS")
    started = time.perf_counter()
    response = client.get(path, headers={"Authorization": f"Bearer {token}", **headers}, buffered=False)
    if response.status_code != 200:
        raise SystemExit(f"{path}: {response.status_code} {response.get_data(as_text=True)[:500]}")
    size = lines = 0
    for chunk in response.response:
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    return {"seconds": time.perf_counter() - started, "bytes": size, "lines": lines, "rss_before_mb": before}


def the_floor(url: str) -> dict:
    import sqlalchemy as sa

    from bench import common, floors

    engine = sa.create_engine(url)
    dialect = "sqlite" if url.startswith("sqlite") else "postgres"
    raw = engine.raw_connection()
    counted = {"bytes": 0, "lines": 0}

    def write(text: str) -> None:
        data = text.encode()
        counted["bytes"] += len(data)
        counted["lines"] += data.count(b"\n")

    before = memory_mb("VmRSS")
    started = time.perf_counter()
    floors.projects_csv(raw, dialect, common.ANCHOR, write)
    seconds = time.perf_counter() - started
    raw.close()
    return {"seconds": seconds, **counted, "rss_before_mb": before}


def main() -> None:
    what, url, token = sys.argv[1:4]
    result = the_floor(url) if what == "floor-projects.csv" else through_the_app(what, url, token)
    result["peak_mb"] = memory_mb("VmHWM")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
