"""The table of commands against what is built from it: the parser offers exactly
its commands, every command for budge reaches the App method meant for it, and
what the command line says when budge is not running follows each entry."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, cast

import pytest
from conftest import Harness
from processes import budge, clean_env

from budge.app.application import App
from budge.app.commands import CONTROL, Command, dispatch
from budge.cli.main import main
from budge.cli.parser import COMMANDS, build_parser

# For each command for budge: what a user types, and the method of App or of
# one of its parts that carries it out (None: it only asks, and the answer is
# the status).
EXAMPLES: dict[str, tuple[list[str], str | None]] = {
    "done": (["done"], "done"),
    "snooze": (["snooze", "10m"], "snooze"),
    "skip": (["skip"], "skip"),
    "pause": (["pause", "1h"], "days.pause"),
    "resume": (["resume"], "days.resume"),
    "rest": (["rest", "gentle"], "days.set_day"),
    "status": (["status"], None),
    "suggest": (["suggest"], None),
    "guide": (["guide"], None),
    "felt": (["felt", "easier"], "journal.felt"),
    "body": (["body", "5", "a stiff neck"], "journal.body"),
    "reload": (["reload"], "reload"),
}
# The commands that change when the next reminder comes: with budge not
# running, they wait for it to start, and say so.
WAIT_FOR_BUDGE = {"snooze", "skip", "pause", "resume", "rest"}


# App's parts that carry out commands of their own (app.days.pause ...).
PARTS = ("days", "journal", "notices", "sharing")


class Spy:
    """An App that notes the name of every method called on it, or on one of
    its parts as "part.method"."""

    def __init__(self, app: object, called: list[str] | None = None, prefix: str = "") -> None:
        self._app = app
        self._prefix = prefix
        self.called: list[str] = [] if called is None else called

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._app, name)
        if not self._prefix and name in PARTS:
            return Spy(value, self.called, f"{name}.")
        if callable(value):
            self.called.append(self._prefix + name)
        return value


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _leaves(commands: tuple[Command, ...]) -> list[Command]:
    return [leaf for command in commands
            for leaf in (_leaves(command.actions) if command.actions else [command])]


def _on_the_command_line() -> list[Command]:
    return [command for command in CONTROL if command.on_command_line]


def test_the_parser_offers_exactly_the_commands_of_the_table(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # one line for each command's help
    parser = build_parser()
    offered = _subparsers(parser)
    assert list(offered) == [command.name for command in COMMANDS]
    for command in COMMANDS:
        assert list(_subparsers(offered[command.name])) == [a.name for a in command.actions]
    # `budge --help` lists them in the same order, each with its line of help.
    help_lines = parser.format_help().split("COMMAND\n", 1)[1].split("\n\n")[0].splitlines()
    listed = [line.split(None, 1) for line in help_lines]
    assert listed == [[command.name, command.help] for command in COMMANDS]


def test_every_command_is_carried_out_either_here_or_by_budge() -> None:
    names = [command.name for command in COMMANDS]
    assert len(names) == len(set(names))
    assert len({command.name for command in CONTROL}) == len(CONTROL)
    for command in _leaves(COMMANDS):
        assert command.help and command.description, command.name
        if command.handler is not None:
            # Carried out here: nothing of it goes to budge.
            assert command.make_request is None and command.call is None, command.name
            assert command.when_not_running == "carried out", command.name
        else:
            assert command in CONTROL, command.name
    for command in CONTROL:
        assert command.handler is None and not command.actions, command.name
        if not command.on_command_line:
            assert command.call is not None, f"{command.name}: nothing sends or answers it"
    assert set(EXAMPLES) == {command.name for command in _on_the_command_line()}


def test_every_command_for_budge_reaches_its_app_method(harness: Any) -> None:
    h: Harness = harness()
    parser = build_parser()
    now = h.clock.now()
    for command in _on_the_command_line():
        typed, method = EXAMPLES[command.name]
        request = command.request(parser.parse_args(typed), now)
        assert request["cmd"] == (command.name if command.call else "status")
        spy = Spy(h.app)
        answer = dispatch(cast(App, spy), request)
        assert "unknown command" not in answer.get("message", ""), command.name
        assert isinstance(answer["ok"], bool) and answer["status"]["daily_goal"] == 3
        done = [name for name in spy.called if name != "status"]
        assert done == ([method] if method else []), command.name
        assert ("message" in answer) == (method is not None), command.name
    # Asked by other commands only, or with other words.
    for request, method in [({"cmd": "refresh"}, "refresh"),
                            ({"cmd": "pause", "tomorrow": True}, "days.pause_until_tomorrow")]:
        spy = Spy(h.app)
        assert dispatch(cast(App, spy), request)["ok"] is True
        assert [name for name in spy.called if name != "status"] == [method]


@pytest.mark.parametrize("request_", [
    {"cmd": "dance"},
    {"cmd": "quit"},  # the daemon answers it itself: stopping is not the App's
    {"cmd": "suggest"},  # `budge suggest` sends "status"
    {"cmd": ["done"]},
    {},
])
def test_a_request_budge_has_no_call_for_is_refused(harness: Any,
                                                    request_: dict[str, Any]) -> None:
    h: Harness = harness()
    spy = Spy(h.app)
    answer = dispatch(cast(App, spy), request_)
    assert answer == {"ok": False, "message": f"unknown command {request_.get('cmd')!r}"}
    assert spy.called == []


def test_a_command_not_in_the_table_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["dance"])
    assert exit_.value.code == 2
    assert "invalid choice: 'dance'" in capsys.readouterr().err


def test_a_negative_duration_is_named_as_such(capsys: pytest.CaptureFixture[str]) -> None:
    with_durations = [command.name for command in _leaves(COMMANDS) if command.takes_durations]
    assert with_durations == ["snooze", "pause"]
    for name in with_durations:
        assert main([name, "-5m"]) == 2
        assert f"budge {name}: '-5m' is negative" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["skip", "-5m"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: -5m" in capsys.readouterr().err


def test_with_budge_not_running_only_the_commands_that_wait_for_it_say_so(
        tmp_path: Path) -> None:
    assert {command.name for command in CONTROL
            if command.when_not_running == "takes effect at start"} == WAIT_FOR_BUDGE
    env = clean_env(tmp_path / "home")
    for command in _on_the_command_line():  # done comes before felt
        result = budge(env, *EXAMPLES[command.name][0])
        assert result.returncode == 0, (command.name, result.stderr)
        noted = "(budge is not running; this takes effect when it starts.)" in result.stdout
        assert noted == (command.name in WAIT_FOR_BUDGE), command.name
        checked = result.stdout.startswith("budge is not running; the config will be read "
                                           "when it starts.\nconfig OK: ")
        assert checked == (command.when_not_running == "config check"), command.name


def test_a_named_config_file_that_is_missing_is_refused_unless_only_named(
        tmp_path: Path) -> None:
    env = clean_env(tmp_path / "home")
    missing = tmp_path / "typo.toml"
    path = budge(env, "--config", str(missing), "config", "path")
    assert path.returncode == 0 and path.stdout.strip() == str(missing)
    for typed in (["config", "check"], ["status"], ["stats"]):
        result = budge(env, "--config", str(missing), *typed)
        assert result.returncode == 2, typed
        assert f"there is no config file at {missing}" in result.stderr, typed
