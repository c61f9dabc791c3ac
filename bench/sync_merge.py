"""How long one computer takes to merge a year of another computer's events.

Fills a real store (the "laptop") with a year of synthetic history at 30 events
a day (the same day as bench/stats_scale.py), writes it into a synced folder as
budge does (bounded chunks, written whole), then times, on a second store (the
"desk"):

- the first merge: every chunk read, checked row by row and stored;
- a merge with nothing new: what every `budge status` and reminder costs;
- a merge after one more event: one chunk read again.

Each figure is the median of several runs, each on a fresh desk store. Prints a
small table and writes bench/results/sync-merge.json. A benchmark, not a test:
the machines are shared and noisy.

    .venv/bin/python bench/sync_merge.py [--days 365] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "bench"))

from stats_scale import EVENTS_PER_DAY, synthetic_rows  # noqa: E402

from budge.adapters.config import load_builtin  # noqa: E402
from budge.adapters.store import Store  # noqa: E402
from budge.adapters.sync import SyncFolder  # noqa: E402
from budge.core.sync import LOCAL_KINDS  # noqa: E402


def _laptop(work: Path, folder: Path, days: int) -> tuple[int, int]:
    """A year on the laptop, shared; how many events it holds and how many it shared
    (pauses stay on their computer)."""
    store = Store.open(work / "laptop" / "budge.sqlite3")
    try:
        ids = [m.id for m in load_builtin()]
        rows = synthetic_rows(1, datetime.now(UTC).date(), ids, random.Random(31))
        rows = rows[-days * EVENTS_PER_DAY:]
        store.import_rows(rows)
        sync = SyncFolder(store, work / "laptop")
        sync.configure(str(folder), "laptop")
        sync.publish()
        return len(rows), sum(1 for row in rows if row[1] not in LOCAL_KINDS)
    finally:
        store.close()


def _one_run(work: Path, folder: Path, run: int) -> tuple[float, float, float, int]:
    store = Store.open(work / f"desk{run}" / "budge.sqlite3")
    try:
        sync = SyncFolder(store, work / f"desk{run}")
        sync.configure(str(folder), "desk")
        start = time.perf_counter()
        added = sync.merge()
        first = time.perf_counter() - start
        start = time.perf_counter()
        assert sync.merge() == 0
        nothing = time.perf_counter() - start
        # One more event on the laptop: its last chunk is written again.
        laptop = Store.open(work / "laptop" / "budge.sqlite3")
        try:
            laptop.record("done", datetime.now(UTC), UTC, "neck-tilt")
            shared = SyncFolder(laptop, work / "laptop")
            shared.configure(str(folder), "laptop")
            shared.publish()
        finally:
            laptop.close()
        start = time.perf_counter()
        assert sync.merge() == 1
        one = time.perf_counter() - start
        return first, nothing, one, added
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="budge-sync-bench-") as temporary:
        work = Path(temporary)
        folder = work / "Sync"
        folder.mkdir()
        held, events = _laptop(work, folder, args.days)
        chunks = len(list(folder.glob("budge/*/events-*.json")))
        size = sum(p.stat().st_size for p in folder.glob("budge/*/*"))
        runs = [_one_run(work, folder, n) for n in range(args.runs)]
    # Each run's desk merges what the runs before added too: the first merge counts.
    assert all(run[3] >= events for run in runs), runs
    result = {
        "days": args.days, "events_held": held, "events": events, "chunks": chunks,
        "folder_bytes": size,
        "first_merge_s": statistics.median(r[0] for r in runs),
        "nothing_new_s": statistics.median(r[1] for r in runs),
        "one_chunk_changed_s": statistics.median(r[2] for r in runs),
        "runs": args.runs,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sync-merge.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"{events} events shared by another computer ({args.days} days, {held} held there) "
          f"in {chunks} chunks, {size / 1024:.0f} KiB")
    print(f"  first merge        {result['first_merge_s'] * 1000:8.1f} ms")
    print(f"  nothing new        {result['nothing_new_s'] * 1000:8.1f} ms")
    print(f"  one event more     {result['one_chunk_changed_s'] * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
