"""How `budge stats` and the card grow with a lifetime of history.

Fills a real store with 1, 3 and 10 years of synthetic history at 30 events a
day (reminders, done, snoozed, skipped, pauses, now and then a rest or gentle
day), each once without and once with a journal kept at a realistic rate (see
:func:`journal_rows`), then times, for each:

- the statistics in-process: the store's aggregate queries plus the summary;
- the card in-process: the same, plus drawing the PNG;
- `budge stats` and `budge stats --png` end to end, as a user runs them
  (a fresh interpreter each time, so Python's own start is included).

Each figure is the median of several runs, after one warm-up; the report adds
what the journal costs, with against without, at each length. Writes
bench/results/stats-scale.md and .json. A benchmark, not a test: the machines
are shared and noisy, so read the growth from one run, not a single number.

    .venv/bin/python bench/stats_scale.py [--years 1 3 10] [--runs 7] [--no-journal]
        [--update-readme]
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
# The journal, as "sometimes" asks (budge.core.journal.should_ask): at most three
# questions a day, about two of them answered; the body noted on a bit more
# than half the days, now and then twice; a milestone event at each one reached.
ASKED_PER_DAY = 3
ANSWERED_SHARE = 0.7
BODY_NOTED_SHARE = 0.55
BODY_TWICE_SHARE = 0.05
FEELING_WEIGHTS = {"easier": 3, "same": 5, "tighter": 1}


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


def journal_rows(rows: list[tuple[object, ...]],
                 rng: random.Random) -> list[tuple[object, ...]]:
    """The journal's events for a history's rows: "asked" and "felt" about some of
    each day's done movements, "body" notes, and "milestone" as each is reached."""
    from budge.core.journal import movement_thresholds

    by_day: dict[str, list[tuple[object, ...]]] = {}
    for row in rows:
        if row[1] == "done":
            by_day.setdefault(str(row[3]), []).append(row)
    thresholds = movement_thresholds()
    threshold, total = next(thresholds), 0
    feelings, weights = list(FEELING_WEIGHTS), list(FEELING_WEIGHTS.values())
    extra: list[tuple[object, ...]] = []

    def event(kind: str, after: tuple[object, ...], minutes: int, movement: object,
              detail: str) -> tuple[object, ...]:
        at = datetime.fromisoformat(str(after[2])) + timedelta(minutes=minutes)
        return (uuid.uuid4().hex, kind, at.isoformat(), after[3], after[4], movement, detail)

    for day in sorted(by_day):
        done = by_day[day]
        for row in done[:ASKED_PER_DAY]:
            extra.append(event("asked", row, 0, row[5], str(row[0])))
            if rng.random() < ANSWERED_SHARE:
                feeling = rng.choices(feelings, weights)[0]
                extra.append(event("felt", row, 1, row[5], f"{feeling}:{row[0]}"))
        if rng.random() < BODY_NOTED_SHARE:
            for _ in range(2 if rng.random() < BODY_TWICE_SHARE else 1):
                note = rng.choice([None, None, "stiff after the long call", "easier today"])
                extra.append(event("body", done[0], 2, None,
                                   json.dumps({"ease": rng.randint(2, 9), "note": note})))
        total += len(done)
        while total >= threshold:
            extra.append(event("milestone", done[-1], 3, None, f"movements-{threshold}"))
            threshold = next(thresholds)
    return extra


def median_seconds(action, runs: int) -> float:  # type: ignore[no-untyped-def]
    action()  # warm-up: the file in the page cache, modules imported
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(years: int, runs: int, workdir: Path,
            journal: bool = False) -> dict[str, float | int | bool]:
    from budge.adapters.card import render
    from budge.adapters.config import load_settings
    from budge.adapters.store import Store
    from budge.core.stats import summarize

    home = workdir / f"home-{years}y{'-journal' if journal else ''}"
    env = dict(os.environ, BUDGE_HOME=str(home))
    env.pop("DISPLAY", None)
    settings = load_settings(home / "config.toml", home / "movements.toml")
    config = settings.config
    today = datetime.now(TZ).date()
    store = Store.open(home / "data" / "budge.sqlite3")
    rows = synthetic_rows(years, today, [m.id for m in settings.catalog], random.Random(years))
    kept = journal_rows(rows, random.Random(years + 100)) if journal else []
    rows += kept
    fill_start = time.perf_counter()
    store.import_rows(rows)
    fill = time.perf_counter() - fill_start

    def stats():  # type: ignore[no-untyped-def]
        return summarize(store.stats_counts(today, 30), today, 30, config.daily_goal,
                         config.hours.days, settings.catalog, allowance=config.rest)

    def card() -> None:
        summary = stats()
        render(summary, ease=summary.patterns.line if summary.patterns else (),
               milestones=summary.milestones).save(card_file)

    card_file = workdir / f"card-{years}y{'-journal' if journal else ''}.png"
    in_process = median_seconds(stats, runs)
    with_card = median_seconds(card, runs)
    store.close()
    command = [sys.executable, "-m", "budge", "stats"]
    end_to_end = median_seconds(
        lambda: subprocess.run(command, env=env, check=True, capture_output=True), runs)
    end_to_end_card = median_seconds(
        lambda: subprocess.run(command + ["--png", str(card_file)], env=env, check=True,
                               capture_output=True), runs)
    size = (home / "data" / "budge.sqlite3").stat().st_size
    return {"years": years, "journal": journal, "journal_events": len(kept),
            "events": len(rows), "database_mib": round(size / 2**20, 1),
            "fill_s": round(fill, 2), "stats_ms": round(in_process * 1000, 2),
            "card_ms": round(with_card * 1000, 1),
            "cli_stats_ms": round(end_to_end * 1000, 1),
            "cli_card_ms": round(end_to_end_card * 1000, 1)}


Result = dict[str, float | int | bool]
_TIMES = ("stats_ms", "card_ms", "cli_stats_ms", "cli_card_ms")


def _history(r: Result) -> str:
    years = f"{r['years']} year{'s' if r['years'] != 1 else ''}"
    return f"{years} + journal" if r.get("journal") else years


def report(results: list[Result], runs: int) -> str:
    base = results[0]
    lines = [
        f"Measured {date.today()} on {platform.system()} {platform.release()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{EVENTS_PER_DAY} events a day; a journal adds \"How did that feel?\" asked "
        f"up to {ASKED_PER_DAY} times a day ({round(ANSWERED_SHARE * 100)}% answered), the "
        f"body noted on {round(BODY_NOTED_SHARE * 100)}% of days and the milestones; "
        f"median of {runs} runs after a warm-up.",
        "",
        "| history | events | journal events | database (MiB) | stats in-process (ms) "
        "| card in-process (ms) | `budge stats` (ms) | `budge stats --png` (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {_history(r)} | {r['events']:,} | {r.get('journal_events', 0):,} "
                     f"| {r['database_mib']} | {r['stats_ms']} | {r['card_ms']} "
                     f"| {r['cli_stats_ms']} | {r['cli_card_ms']} |")
    lines += ["", f"Growth against {_history(base)} (same run):", "",
              "| history | events | stats in-process | card in-process | `budge stats` "
              "| `budge stats --png` |", "|---|---:|---:|---:|---:|---:|"]
    for r in results:
        ratios = [float(r[key]) / float(base[key]) for key in ("events", *_TIMES)]
        lines.append(f"| {_history(r)} | " + " | ".join(f"{x:.2f}x" for x in ratios) + " |")
    pairs = [(plain, kept) for plain in results for kept in results
             if kept.get("journal") and not plain.get("journal")
             and kept["years"] == plain["years"]]
    if pairs:
        lines += ["", "What the journal costs, with it against without (same run):", "",
                  "| history | database | stats in-process | card in-process | `budge stats` "
                  "| `budge stats --png` |", "|---|---:|---:|---:|---:|---:|"]
        for plain, kept in pairs:
            ratios = [float(kept[key]) / float(plain[key]) for key in ("database_mib", *_TIMES)]
            lines.append(f"| {_history(plain)} | "
                         + " | ".join(f"{x:.2f}x" for x in ratios) + " |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, nargs="+", default=[1, 3, 10])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-journal", action="store_true",
                        help="measure the histories without a journal only")
    parser.add_argument("--update-readme", action="store_true",
                        help="also put the table into bench/README.md, between its markers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="budge-stats-bench-") as folder:
        results = []
        for years in args.years:
            for journal in (False,) if args.no_journal else (False, True):
                result = measure(years, args.runs, Path(folder), journal)
                print(json.dumps(result), flush=True)
                results.append(result)
    text = report(results, args.runs)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "stats-scale.md").write_text(text)
    (RESULTS / "stats-scale.json").write_text(json.dumps(results, indent=2) + "\n")
    print(text)
    if args.update_readme:
        readme = ROOT / "bench" / "README.md"
        before, rest = readme.read_text().split("<!-- stats-scale:start -->\n", 1)
        _, after = rest.split("<!-- stats-scale:end -->", 1)
        readme.write_text(f"{before}<!-- stats-scale:start -->\n{text}"
                          f"<!-- stats-scale:end -->{after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
