"""macOS: a LaunchAgent in ``~/Library/LaunchAgents`` that runs at login."""

from __future__ import annotations

import plistlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from budge.adapters.autostart import AutostartStatus
from budge.adapters.fileops import remove, write_atomic
from budge.adapters.invocation import launch_args, launch_env

LABEL = "org.budge.reminder"


class MacAutostart:
    def __init__(self, env: Mapping[str, str], executable: str | None = None) -> None:
        self._env = env
        self._executable = executable
        home = Path(env.get("HOME") or Path.home())
        self.path = home / "Library" / "LaunchAgents" / f"{LABEL}.plist"

    def agent(self) -> dict[str, Any]:
        args = launch_args("darwin", self._executable) if self._executable else \
            launch_args("darwin")
        agent: dict[str, Any] = {
            "Label": LABEL,
            "ProgramArguments": args,
            "RunAtLoad": True,
            "KeepAlive": False,
            "ProcessType": "Interactive",
            "LimitLoadToSessionType": "Aqua",
        }
        extra = launch_env(self._env)
        if extra:
            agent["EnvironmentVariables"] = extra
        return agent

    def enable(self) -> AutostartStatus:
        write_atomic(self.path, plistlib.dumps(self.agent()))
        return self.status()

    def disable(self) -> bool:
        return remove(self.path)

    def status(self) -> AutostartStatus:
        try:
            with open(self.path, "rb") as handle:
                agent = plistlib.load(handle)
        except (OSError, plistlib.InvalidFileException):
            return AutostartStatus(False, str(self.path), None, False)
        return AutostartStatus(True, str(self.path), list(agent.get("ProgramArguments", [])),
                               agent == self.agent())
