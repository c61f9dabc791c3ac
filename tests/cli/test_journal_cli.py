"""`budge felt`, `budge body`, `budge suggest --why` and the journal in `budge stats`,
through the real entry point against a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from processes import budge, clean_env, stored

from budge.core import journal


def home_of(env: dict[str, str]) -> Path:
    return Path(env["BUDGE_HOME"])


def journal_rows(env: dict[str, str]) -> list[tuple[str, str | None, str | None]]:
    return [tuple(r) for r in stored(  # type: ignore[misc]
        home_of(env), "SELECT kind, movement, detail FROM events WHERE kind IN "
        "('felt', 'body', 'asked', 'milestone') ORDER BY at_utc, rowid")]


def test_felt_and_body_are_noted_and_shown_in_status(env: dict[str, str]) -> None:
    assert budge(env, "done").returncode == 0
    done_id, movement = stored(home_of(env), "SELECT id, movement FROM events "
                                             "WHERE kind = 'done'")[0]
    result = budge(env, "felt", "tighter")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == journal.ANSWER_THANKS["tighter"]
    result = budge(env, "body", "6", "stiff", "in", "the", "morning")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == journal.BODY_THANKS
    assert journal_rows(env) == [
        ("felt", movement, f"tighter:{done_id}"),
        ("body", None, json.dumps({"ease": 6, "note": "stiff in the morning"}))]
    status = json.loads(budge(env, "status", "--json").stdout)
    assert status["last_done"]["id"] == movement and status["last_felt"] == "tighter"
    assert status["body_today"] == 6 and status["form"] in journal.FORMS
    # The answer names the movement it is about.
    assert budge(env, "felt", "same", movement).returncode == 0
    assert json.loads(budge(env, "status", "--json").stdout)["last_felt"] == "same"


def test_a_low_ease_is_thanked_and_keeps_suggestions_gentle(env: dict[str, str]) -> None:
    result = budge(env, "body", "2")
    assert result.returncode == 0 and result.stdout.strip() == journal.BODY_GENTLE_THANKS
    why = budge(env, "suggest", "--why")
    assert why.returncode == 0
    assert why.stdout.strip().startswith("You noted your ease at 2 today, so only gentle "
                                         "movements come")


@pytest.mark.parametrize(("args", "said"), [
    (["body", "11"], "whole number from 0 to 10"),
    (["body", "seven"], "whole number from 0 to 10"),
    (["body", "5", "x" * 10_000], "at most 500 characters"),
    (["felt", "maybe"], "easier, same or tighter"),
    (["felt", "easier", "no-such-movement"], "unknown movement 'no-such-movement'"),
])
def test_bad_input_exits_2_with_one_message_and_stores_nothing(
        env: dict[str, str], args: list[str], said: str) -> None:
    assert budge(env, "done").returncode == 0
    result = budge(env, *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert said in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert journal_rows(env) == []


def test_felt_before_anything_is_done_says_so(env: dict[str, str]) -> None:
    result = budge(env, "felt", "easier")
    assert result.returncode == 2
    assert "once a movement is done, say how it felt" in result.stderr
    assert not (home_of(env) / "data" / "budge.sqlite3").exists() or journal_rows(env) == []


def test_suggest_why_explains_the_current_choice(env: dict[str, str]) -> None:
    first = budge(env, "suggest", "--why")
    assert first.returncode == 0, first.stderr
    sentence = first.stdout.strip()
    assert sentence.endswith(".") and sentence[0].isupper() and "\n" not in sentence
    assert budge(env, "suggest", "--why").stdout.strip() == sentence  # the same choice
    assert json.loads(budge(env, "status", "--json").stdout)["why"] == sentence


def test_stats_shows_the_journal_and_the_milestones(env: dict[str, str]) -> None:
    for _ in range(10):
        assert budge(env, "done").returncode == 0
    assert budge(env, "felt", "easier").returncode == 0
    assert budge(env, "body", "7").returncode == 0
    data = json.loads(budge(env, "stats", "--json").stdout)
    assert data["journal"]["answers"] == {"easier": 1, "same": 0, "tighter": 0, "total": 1}
    assert data["journal"]["noted_days"] == 1 and data["journal"]["pattern"] is None
    assert len(data["journal"]["ease_by_day"]) >= 78
    assert data["journal"]["ease_by_day"][-1]["ease"] == 7
    assert data["journal"]["ease_by_day"][-1]["done"] == 10
    assert [m["key"] for m in data["milestones"]["reached"]] == ["movements-10"]
    assert data["milestones"]["next"] == {"key": "movements-25", "label": "25 movements",
                                          "to_go": 15}
    text = budge(env, "stats").stdout
    assert "How movements felt: 1 easier, 0 same, 0 tighter (1 answer)." in text
    assert "Felt easier most often: " in text
    assert "(0-10, - not noted): - - - - - - - - - - - 7." in text
    assert "Milestones: 10 movements (" in text
    assert "Next milestone: 25 movements (15 to go)." in text


def test_the_journal_goes_to_another_computer_and_back_once(tmp_path: Path) -> None:
    old, new = clean_env(tmp_path / "old"), clean_env(tmp_path / "new")
    assert budge(old, "done").returncode == 0
    assert budge(old, "felt", "easier").returncode == 0
    assert budge(old, "body", "4", 'a "quoted" note, with commas').returncode == 0
    everything = "SELECT * FROM events ORDER BY id"
    for fmt in ("csv", "json"):
        file = tmp_path / f"journal.{fmt}"
        assert budge(old, "export", str(file)).returncode == 0
        result = budge(new, "import", str(file))
        assert result.returncode == 0, result.stderr
    assert stored(home_of(new), everything) == stored(home_of(old), everything)
    status = json.loads(budge(new, "status", "--json").stdout)
    assert status["last_felt"] == "easier" and status["body_today"] == 4


def test_purge_deletes_the_journal(tmp_path: Path) -> None:
    user = tmp_path / "user"  # the desktop's folders too: nothing outside is touched
    env = clean_env(tmp_path / "home", HOME=str(user), XDG_CONFIG_HOME=str(user / ".config"),
                    XDG_DATA_HOME=str(user / ".local/share"),
                    XDG_STATE_HOME=str(user / ".local/state"))
    assert budge(env, "done").returncode == 0
    assert budge(env, "felt", "same").returncode == 0
    assert budge(env, "body", "5", "fine").returncode == 0
    database = home_of(env) / "data" / "budge.sqlite3"
    assert database.exists()
    result = budge(env, "uninstall", "--purge", "--yes")
    assert result.returncode == 0, result.stderr
    assert not database.exists()
    assert not [p for p in home_of(env).rglob("*.sqlite3*")]


def test_the_ask_setting_is_checked_naming_the_key(env: dict[str, str]) -> None:
    config = home_of(env) / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[journal]\nask = "often"\n')
    result = budge(env, "config", "check")
    assert result.returncode == 2
    assert "journal.ask" in result.stderr and "'often'" in result.stderr
    assert '"never", "sometimes", "always"' in result.stderr
    config.write_text('[journal]\nask = "never"\n')
    assert budge(env, "config", "check").returncode == 0
