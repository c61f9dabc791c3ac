"""``budge run``'s tray steps: the icon put up before the config is validated is
kept, replaced or taken down, and a tray that could not start is a state, said
once, never an exception handed around."""

from __future__ import annotations

import logging
import types
from pathlib import Path

import pytest

from budge.adapters.paths import Paths
from budge.adapters.tray.backends import LoadedTray, TrayFailed, load_early
from budge.app import daemon


class Icon:
    """Stands in for the early StatusNotifierItem icon: only its visibility matters here."""

    def __init__(self) -> None:
        self.visible = True


def loaded(icon: Icon | None = None) -> LoadedTray:
    return LoadedTray("sni", types.ModuleType("sni"), icon)


def test_a_backend_that_cannot_start_is_a_failed_state_naming_what_was_tried() -> None:
    outcome = load_early("no-such-backend", env={})
    assert isinstance(outcome, TrayFailed)
    assert "no-such-backend: ModuleNotFoundError" in outcome.why


def test_the_early_tray_is_kept_when_the_config_asks_for_the_same() -> None:
    early = daemon.EarlyTray("sni", loaded(Icon()))
    assert daemon._tray_to_use("sni", no_tray=False, early=early) is early.outcome
    failed = daemon.EarlyTray("sni", TrayFailed("sni: no bus"))
    assert daemon._tray_to_use("sni", no_tray=False, early=failed) is failed.outcome


def test_the_early_icon_comes_down_when_the_config_asks_for_no_tray() -> None:
    icon = Icon()
    assert daemon._tray_to_use("none", no_tray=False,
                               early=daemon.EarlyTray("auto", loaded(icon))) is None
    assert icon.visible is False


def test_another_backend_is_loaded_when_the_config_names_it() -> None:
    icon = Icon()
    outcome = daemon._tray_to_use("no-such-backend", no_tray=False,
                                  early=daemon.EarlyTray("auto", loaded(icon)))
    assert icon.visible is False
    assert isinstance(outcome, TrayFailed) and "no-such-backend" in outcome.why
    assert daemon._tray_to_use("sni", no_tray=True, early=None) is None


def test_a_failed_tray_is_said_once_and_budge_runs_without_one(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    paths = Paths(config_file=tmp_path / "budge.toml", data_dir=tmp_path / "data",
                  log_dir=tmp_path / "log", runtime_dir=tmp_path / "run")
    with caplog.at_level(logging.WARNING, logger="budge"):
        tray = daemon._make_tray(None, "sni", paths, lambda: None,  # type: ignore[arg-type]
                                 TrayFailed("no tray backend could start (sni: no bus)"))
    assert tray is None
    assert [r.getMessage() for r in caplog.records] == [
        "running without a tray icon: no tray backend could start (sni: no bus). Reminders "
        "go on; control budge with `budge done`, `budge snooze`, `budge pause` and "
        "`budge quit`."]
