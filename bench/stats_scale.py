"""How `budge stats` and the card grow with a lifetime of history.

Fills a real store with 1, 3 and 10 years of synthetic history at 30 events a
day (reminders, done, snoozed, skipped, pauses, now and then a rest or gentle
day), then times, for each:

- the statistics in-process: the store's aggregate queries plus the summary;
- the card in-process: the same, plus drawing the PNG;
- `budge stats` and `budge stats --png` end to end, as a user runs them
  (a fresh interpreter each time, so Python's own start is included).

Each figure is the median of several runs, after one warm-up. Writes
bench/results/stats-scale.md and .json. A benchmark, not a test: the machines
are shared and noisy, so read the growth from one run, not a single number.

    .venv/bin/python bench/stats_scale.py [--years 1 3 10] [--runs 7] [--update-readme]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
EVENTS_PER_DAY = 30
TZ = ZoneInfo("Europe/Berlin")
# One day's 30 events: what a steady user's day might hold.
DAY_PLAN = (["reminded"] * 13 + ["done"] * 9 + ["snoozed"] * 4 + ["skipped"] * 2
            + ["paused", "resumed"])


def synthetic_rows(years: int, today: date, movement_ids: list[str],
                   rng: random.Random) -> list[tuple[object, ...]]:
    assert len(DAY_PLAN) == EVENTS_PER_DAY
    rows: list[tuple[object, ...]] = []
    first = today - timedelta(days=365 * years - 1)
    for offset in range(365 * years):
        day = first + timedelta(days=offset)
        start = datetime(day.year, day.month, day.day, 9, tzinfo=TZ)
        kinds = list(DAY_PLAN)
        if rng.random() < 0.03:
            kinds[-1] = "rested"
        for index, kind in enumerate(kinds):
            at = start + timedelta(minutes=17 * index)
            offset_s = int((at.utcoffset() or timedelta()).total_seconds())
            movement = rng.choice(movement_ids) if kind in ("reminded", "done", "snoozed",
                                                            "skipped") else None
            detail = rng.choice(["rest", "gentle"]) if kind == "rested" else None
            rows.append((uuid.uuid4().hex, kind, at.astimezone(UTC).isoformat(),
                         day.isoformat(), offset_s, movement, detail))
    return rows


def median_seconds(action, runs: int) -> float:  # type: ignore[no-untyped-def]
    action()  # warm-up: the file in the page cache, modules imported
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(years: int, runs: int, workdir: Path) -> dict[str, float | int]:
    from budge.card import render
    from budge.config import load_settings
    from budge.stats import gather, summarize
    from budge.store import Store

    home = workdir / f"home-{years}y"
    env = dict(os.environ, BUDGE_HOME=str(home))
    env.pop("DISPLAY", None)
    settings = load_settings(home / "config.toml", home / "movements.toml")
    config = settings.config
    today = datetime.now(TZ).date()
    store = Store.open(home / "data" / "budge.sqlite3")
    rows = synthetic_rows(years, today, [m.id for m in settings.catalog], random.Random(years))
    fill_start = time.perf_counter()
    store.import_rows(rows)
    fill = time.perf_counter() - fill_start

    def stats():  # type: ignore[no-untyped-def]
        return summarize(gather(store, today, 30), today, 30, config.daily_goal,
                         config.hours.days, settings.catalog, allowance=config.rest)

    card_file = workdir / f"card-{years}y.png"
    in_process = median_seconds(stats, runs)
    with_card = median_seconds(lambda: render(stats()).save(card_file), runs)
    store.close()
    command = [sys.executable, "-m", "budge", "stats"]
    end_to_end = median_seconds(
        lambda: subprocess.run(command, env=env, check=True, capture_output=True), runs)
    end_to_end_card = median_seconds(
        lambda: subprocess.run(command + ["--png", str(card_file)], env=env, check=True,
                               capture_output=True), runs)
    size = (home / "data" / "budge.sqlite3").stat().st_size
    return {"years": years, "events": len(rows), "database_mib": round(size / 2**20, 1),
            "fill_s": round(fill, 2), "stats_ms": round(in_process * 1000, 2),
            "card_ms": round(with_card * 1000, 1),
            "cli_stats_ms": round(end_to_end * 1000, 1),
            "cli_card_ms": round(end_to_end_card * 1000, 1)}


def report(results: list[dict[str, float | int]], runs: int) -> str:
    base = results[0]
    lines = [
        f"Measured {date.today()} on {platform.system()} {platform.release()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{EVENTS_PER_DAY} events a day, median of {runs} runs after a warm-up.",
        "",
        "| history | events | database (MiB) | stats in-process (ms) | card in-process (ms) "
        "| `budge stats` (ms) | `budge stats --png` (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r['years']} year{'s' if r['years'] != 1 else ''} | {r['events']:,} "
                     f"| {r['database_mib']} | {r['stats_ms']} | {r['card_ms']} "
                     f"| {r['cli_stats_ms']} | {r['cli_card_ms']} |")
    lines += ["", f"Growth against {base['years']} year (same run):", "",
              "| history | events | stats in-process | card in-process | `budge stats` "
              "| `budge stats --png` |", "|---|---:|---:|---:|---:|---:|"]
    for r in results:
        ratios = [r[key] / base[key] for key in ("events", "stats_ms", "card_ms",
                                                  "cli_stats_ms", "cli_card_ms")]
        lines.append(f"| {r['years']} year{'s' if r['years'] != 1 else ''} | "
                     + " | ".join(f"{x:.2f}x" for x in ratios) + " |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, nargs="+", default=[1, 3, 10])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--update-readme", action="store_true",
                        help="also put the table into the README, between its markers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="budge-stats-bench-") as folder:
        results = []
        for years in args.years:
            result = measure(years, args.runs, Path(folder))
            print(json.dumps(result), flush=True)
            results.append(result)
    text = report(results, args.runs)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "stats-scale.md").write_text(text)
    (RESULTS / "stats-scale.json").write_text(json.dumps(results, indent=2) + "\n")
    print(text)
    if args.update_readme:
        readme = ROOT / "README.md"
        before, rest = readme.read_text().split("<!-- stats-scale:start -->\n", 1)
        _, after = rest.split("<!-- stats-scale:end -->", 1)
        readme.write_text(f"{before}<!-- stats-scale:start -->\n{text}"
                          f"<!-- stats-scale:end -->{after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
