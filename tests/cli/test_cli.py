"""The command line through its real entry point, with no daemon running."""

import sqlite3
from pathlib import Path

import pytest
from processes import always_active, budge
from samples import USER_MOVEMENT

from budge import __version__
from budge.cli.main import main
from budge.cli.parser import COMMANDS


def done_events(home: Path) -> list[tuple[str, str]]:
    db = sqlite3.connect(home / "data" / "budge.sqlite3")
    try:
        return db.execute("SELECT kind, movement FROM events WHERE kind='done'").fetchall()
    finally:
        db.close()


def store_rows(home: Path) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Every event and every state row (WAL mode: the file's bytes would not tell)."""
    db = sqlite3.connect(home / "data" / "budge.sqlite3")
    try:
        return (db.execute("SELECT * FROM events ORDER BY rowid").fetchall(),
                db.execute("SELECT * FROM state ORDER BY key").fetchall())
    finally:
        db.close()


def test_version_and_help(env: dict[str, str], capsys: pytest.CaptureFixture[str],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    result = budge(env, "--version")
    assert result.returncode == 0 and result.stdout.strip() == f"budge {__version__}"
    top = budge(env, "--help").stdout
    # Every command of the table, in the table's order.
    places = [top.index(f"\n    {command.name} ") for command in COMMANDS]
    assert places == sorted(places)
    monkeypatch.setenv("COLUMNS", "1000")  # each description on one line
    for command in COMMANDS:
        for entry, words in [(command, [command.name]),
                             *((action, [command.name, action.name])
                               for action in command.actions)]:
            with pytest.raises(SystemExit) as exit_:
                main([*words, "--help"])
            out = capsys.readouterr().out
            assert exit_.value.code == 0, words
            assert out.startswith(f"usage: budge {' '.join(words)} "), words
            assert f"\n\n{entry.description}\n\n" in out, words
            assert "--config FILE" in out, words


def test_done_without_a_daemon_records(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    env = always_active(tmp_path / "home", "")  # any day of the week is a work day here
    status = budge(env, "status")
    assert status.returncode == 0
    assert "budge is not running." in status.stdout
    current = status.stdout.split("Current suggestion: ")[1].split(" - ")[0]
    result = budge(env, "done")
    assert result.returncode == 0
    assert result.stdout.startswith(f"Done: {current}. 1 of 3 today.")
    assert len(done_events(tmp_path / "home")) == 1
    after = budge(env, "status").stdout
    assert "Today: 1 of 3 done." in after and "budge is not running." in after


def test_status_json(env: dict[str, str]) -> None:
    import json

    data = json.loads(budge(env, "status", "--json").stdout)
    assert data["running"] is False
    assert {"next_reminder", "paused_until", "current", "today_done", "daily_goal",
            "streak", "best_streak"} <= set(data)


def test_suggest_shows_how(env: dict[str, str]) -> None:
    out = budge(env, "suggest").stdout
    assert "Why:" in out and "Gentler:" in out and "  1. " in out
    listing = budge(env, "suggest", "--list").stdout.splitlines()
    assert len(listing) >= 24 and any(line.startswith("neck-tilt ") for line in listing)


def test_verbose_without_a_command_is_run(env: dict[str, str], tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text("interval = 0\n")
    import subprocess

    from processes import BUDGE, end_process, wait_for

    out = tmp_path / "run.log"
    with out.open("w") as sink:
        proc = subprocess.Popen([*BUDGE, "-v"], env=env, stdin=subprocess.DEVNULL, stdout=sink,
                                stderr=subprocess.STDOUT)
    try:
        # It runs here, logging every step; on a bad config, on the defaults, saying why.
        wait_for(lambda: "budge started" in out.read_text(), 20, "budge to start")
    finally:
        end_process(proc)
    assert proc.returncode == 0 and "interval: found 0" in out.read_text()


def test_config_path_honours_the_overrides(env: dict[str, str], tmp_path: Path) -> None:
    assert budge(env, "config", "path").stdout.strip() == str(tmp_path / "home" / "config.toml")
    other = tmp_path / "elsewhere.toml"
    assert budge(env, "--config", str(other), "config", "path").stdout.strip() == str(other)
    env2 = dict(env, BUDGE_CONFIG=str(other))
    assert budge(env2, "config", "path").stdout.strip() == str(other)


def test_config_check(env: dict[str, str], tmp_path: Path) -> None:
    ok = budge(env, "config", "check")
    assert ok.returncode == 0 and "config OK" in ok.stdout
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text('interval = "often"\ndaily_gaol = 3\n')
    bad = budge(env, "config", "check")
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert "interval: found 'often' (text)" in bad.stderr
    assert "daily_gaol: found an unknown key" in bad.stderr
    assert "did you mean 'daily_goal'?" in bad.stderr
    # `budge run` starts anyway on such a file: tests/app/test_start_bad_config.py.


@pytest.mark.parametrize("args, says", [
    (["snooze", "-5m"], "negative"),
    (["snooze", "10x"], "not a duration"),
    (["pause", "until", "25:00"], "not a time of day"),
    (["pause", "soon"], "not a duration"),
])
def test_bad_arguments_exit_2_and_change_nothing(env: dict[str, str], tmp_path: Path,
                                                 args: list[str], says: str) -> None:
    budge(env, "status")
    before = store_rows(tmp_path / "home")
    result = budge(env, *args)
    assert result.returncode == 2, result
    assert says in result.stderr and "Traceback" not in result.stderr
    assert store_rows(tmp_path / "home") == before


def test_offline_pause_is_kept_for_the_next_start(env: dict[str, str]) -> None:
    result = budge(env, "pause", "2h")
    assert result.returncode == 0 and result.stdout.startswith("Paused until")
    assert "takes effect when it starts" in result.stdout
    assert "Paused until" in budge(env, "status").stdout
    assert budge(env, "resume").stdout.startswith("Resumed.")


def test_suggest_uses_the_config_given_on_the_command_line(env: dict[str, str],
                                                           tmp_path: Path) -> None:
    from budge.adapters.config import load_builtin

    other = tmp_path / "other"
    other.mkdir()
    # Gentle, so that a gentle day has a movement too (else the config is refused).
    (other / "movements.toml").write_text(USER_MOVEMENT + "gentle = true\n")
    builtin = ", ".join(f'"{m.id}"' for m in load_builtin())
    (other / "config.toml").write_text(f"[movements]\nexclude = [{builtin}]\n")
    out = budge(env, "--config", str(other / "config.toml"), "suggest")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Jaw release (30 s, either)")
    assert "  2. Let the jaw hang" in out.stdout


def test_the_parser_is_not_kept_while_a_command_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    # `budge run` goes on all day: the parser it was started with must be garbage
    # by then, so that start-up's clean-up can give its memory back.
    import dataclasses
    import gc
    import weakref

    from budge.cli import main as cli

    made: list[weakref.ref[object]] = []
    real_build = cli.build_parser

    def build() -> object:
        parser = real_build()
        made.append(weakref.ref(parser))
        return parser

    alive: list[bool] = []

    def handler(paths: object, args: object) -> int:
        gc.collect()
        alive.append(made[0]() is not None)
        return 0

    monkeypatch.setattr(cli, "build_parser", build)
    monkeypatch.setitem(cli.BY_NAME, "run",
                        dataclasses.replace(cli.BY_NAME["run"], handler=handler))
    assert main(["run", "--no-tray"]) == 0
    assert alive == [False]
