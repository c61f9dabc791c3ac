"""`budge export` and `budge import` through the entry point, against real files."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from processes import always_active, budge, clean_env, running_daemon

from budge.adapters.store import Store

BERLIN = ZoneInfo("Europe/Berlin")


def rows(home: Path) -> list[tuple[object, ...]]:
    db = sqlite3.connect(home / "data" / "budge.sqlite3")
    try:
        return db.execute("SELECT * FROM events ORDER BY at_utc, id").fetchall()
    finally:
        db.close()


def fill(home: Path) -> None:
    """Events on both sides of a spring-forward night, and text that needs quoting."""
    store = Store.open(home / "data" / "budge.sqlite3")
    try:
        night = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 CET
        # A resumed event's detail is free text (why); a snoozed one's, seconds.
        details = {"resumed": 'a "quoted", multi\nline détail', "snoozed": "600"}
        for hours, kind in enumerate(["reminded", "done", "snoozed", "resumed", "done"]):
            store.record(kind, night + timedelta(hours=hours * 1.5), BERLIN, "neck-tilt",
                         detail=details.get(kind))
        store.record("paused", night + timedelta(days=30), ZoneInfo("Asia/Tokyo"), None,
                     detail="2026-04-28T09:00:00+09:00")
    finally:
        store.close()


def test_export_then_import_on_a_new_laptop_keeps_every_event_once(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    fill(old)
    for fmt in ("csv", "json"):
        file = tmp_path / f"history.{fmt}"
        result = budge(clean_env(old), "export", "--format", fmt, str(file))
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"Exported 6 events to {file}."
        assert file.stat().st_mode & 0o077 == 0, "the history file is private"
    assert budge(clean_env(new), "done").returncode == 0  # the new laptop has a day already
    mine = rows(new)

    result = budge(clean_env(new), "import", str(tmp_path / "history.csv"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Imported 6 events from {tmp_path / 'history.csv'}."
    assert sorted(rows(new)) == sorted(rows(old) + mine)

    # The same history again, in the other format: nothing new, said plainly.
    result = budge(clean_env(new), "import", str(tmp_path / "history.json"))
    assert result.returncode == 0, result.stderr
    assert "Imported 0 events" in result.stdout and "6 already in your history" in result.stdout
    assert sorted(rows(new)) == sorted(rows(old) + mine)


def test_export_formats_read_by_other_tools(tmp_path: Path) -> None:
    home = tmp_path / "home"
    fill(home)
    result = budge(clean_env(home), "export")  # CSV on standard output by default
    assert result.returncode == 0, result.stderr
    table = list(csv.DictReader(result.stdout.splitlines(keepends=True)))
    assert [r["kind"] for r in table] == ["reminded", "done", "snoozed", "resumed", "done",
                                         "paused"]
    # 01:30 CET, then 04:00 CEST (clocks went forward at 02:00): the same local day.
    assert [r["utc_offset"] for r in table[:3]] == ["3600", "7200", "7200"]
    assert {r["local_day"] for r in table[:5]} == {"2026-03-29"}
    assert table[3]["detail"] == 'a "quoted", multi\nline détail'
    assert table[5]["local_day"] == "2026-04-28" and table[5]["utc_offset"] == "32400"

    result = budge(clean_env(home), "export", "--format", "json")
    data = json.loads(result.stdout)
    assert data["format"] == "budge-events" and data["version"] == 1
    assert [e["id"] for e in data["events"]] == [r["id"] for r in table]
    assert data["events"][5]["movement"] is None


def test_import_reaches_a_running_daemon(tmp_path: Path) -> None:
    old, home = tmp_path / "old", tmp_path / "home"
    fill(old)
    file = tmp_path / "h.json"
    assert budge(clean_env(old), "export", "--format", "json", str(file)).returncode == 0
    # The exported day is the daemon's today only if it is today: make one that is.
    data = json.loads(file.read_text())
    now = datetime.now(UTC)
    local = now.astimezone()
    offset = int(local.utcoffset().total_seconds())  # type: ignore[union-attr]
    for index, event in enumerate(data["events"]):
        event.update(at_utc=(now - timedelta(seconds=index)).isoformat(),
                     local_day=(now - timedelta(seconds=index)
                                + timedelta(seconds=offset)).date().isoformat(),
                     utc_offset=offset)
    file.write_text(json.dumps(data))
    home.mkdir()
    env = always_active(home, 'interval = "1h"\n')
    with running_daemon(env, "--no-tray", wait_running=True):
        result = budge(clean_env(home), "import", str(file))
        assert result.returncode == 0, result.stderr
        status = json.loads(budge(clean_env(home), "status", "--json").stdout)
        assert status["running"] and status["today_done"] == 2


def test_export_takes_the_format_from_the_name(tmp_path: Path) -> None:
    home = tmp_path / "home"
    fill(home)
    env = clean_env(home)
    for name, kind in (("h.json", "json"), ("h.csv", "csv"), ("H.JSON", "json"),
                       ("plain.txt", None)):
        args = ["--format", "json"] if kind is None else []  # no name to go by: say it
        file = tmp_path / name
        result = budge(env, "export", *args, str(file))
        assert result.returncode == 0, result.stderr
        text = file.read_text(encoding="utf-8")
        if kind == "csv":
            assert text.startswith("id,kind,at_utc,")
        else:
            assert json.loads(text)["format"] == "budge-events"
        # What export wrote, import reads back whole, by its name or its contents.
        other = tmp_path / f"other-{name}"
        imported = budge(clean_env(other), "import", str(file))
        assert imported.returncode == 0, imported.stderr
        assert "Imported 6 events" in imported.stdout
        assert sorted(rows(other)) == sorted(rows(home))
    # Standard output is CSV unless --format says otherwise.
    assert budge(env, "export").stdout.startswith("id,kind,")
    assert json.loads(budge(env, "export", "--format", "json", "-").stdout)["version"] == 1


@pytest.mark.parametrize(("args", "said"), [
    (["x.txt"], "budge export: cannot tell the format from the name '{dir}/x.txt': end it in "
                ".csv or .json, or add --format csv or --format json"),
    (["history"], "budge export: cannot tell the format from the name '{dir}/history': end it "
                  "in .csv or .json, or add --format csv or --format json"),
    (["--format", "csv", "x.json"], "budge export: --format csv does not match "
                                    "'{dir}/x.json', a .json name; leave out --format or "
                                    "name the file .csv"),
    (["--format", "json", "x.csv"], "budge export: --format json does not match "
                                    "'{dir}/x.csv', a .csv name; leave out --format or "
                                    "name the file .json"),
])
def test_export_refuses_a_name_it_cannot_honour(tmp_path: Path, args: list[str],
                                                said: str) -> None:
    home = tmp_path / "home"
    fill(home)
    *options, name = args
    result = budge(clean_env(home), "export", *options, str(tmp_path / name))
    assert result.returncode == 2
    assert result.stderr.strip() == said.format(dir=tmp_path)  # one line, no traceback
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]  # nothing written


JOURNAL_ROW = "id,kind,at_utc,local_day,utc_offset,movement,detail\n"


def _journal_csv(kind: str, movement: str, detail: str) -> str:
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([
        ["d1", "done", "2026-11-23T09:00:00+00:00", "2026-11-23", 3600, "neck-tilt", ""],
        ["j1", kind, "2026-11-23T09:01:00+00:00", "2026-11-23", 3600, movement, detail]])
    return JOURNAL_ROW + out.getvalue()


@pytest.mark.parametrize(("kind", "movement", "detail", "said"), [
    ("felt", "neck-tilt", "maybe:d1", "easier, same or tighter"),
    ("felt", "neck-tilt", "easier", "easier, same or tighter"),
    ("felt", "", "easier:d1", "movement is missing"),
    ("body", "", json.dumps({"ease": 11}), "from 0 to 10"),
    ("body", "", json.dumps({"ease": "7"}), "from 0 to 10"),
    ("body", "", json.dumps({"ease": 5, "note": "x" * 600}), "at most 500 characters"),
    ("body", "", json.dumps({"ease": 5, "mood": "fine"}), "JSON like"),
    ("body", "", "{ease: 5", "JSON like"),
    ("asked", "neck-tilt", "", "id of the done event"),
    ("milestone", "", "Movements 10!", "its key"),
])
def test_a_malformed_journal_entry_is_refused_naming_its_line(
        tmp_path: Path, kind: str, movement: str, detail: str, said: str) -> None:
    home = tmp_path / "home"
    file = tmp_path / "journal.csv"
    file.write_text(_journal_csv(kind, movement, detail))
    result = budge(clean_env(home), "import", str(file))
    assert result.returncode == 2, result.stdout
    assert f"{file}: line 3:" in result.stderr and said in result.stderr
    assert "Nothing was imported" in result.stderr
    assert not (home / "data" / "budge.sqlite3").exists() or rows(home) == []


def test_well_formed_journal_entries_are_imported(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for n, (kind, movement, detail) in enumerate([
            ("felt", "neck-tilt", "tighter:d1"), ("asked", "neck-tilt", "d1"),
            ("body", "", json.dumps({"ease": 6, "note": "é \"quoted\" " * 40})),
            ("milestone", "", "movements-10")]):
        file = tmp_path / f"journal{n}.csv"
        file.write_text(_journal_csv(kind, movement, detail).replace("j1", f"j{n}"))
        result = budge(clean_env(home), "import", str(file))
        assert result.returncode == 0, result.stderr
    assert sorted(r[1] for r in rows(home)) == ["asked", "body", "done", "felt", "milestone"]
