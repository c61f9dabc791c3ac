"""Linux and other XDG desktops: ``$XDG_CONFIG_HOME/autostart/budge.desktop``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from budge.autostart import AutostartStatus
from budge.desktop_entry import entry_fields, exec_line, read_field, render, split_exec
from budge.launch import launch_args, launch_env


def xdg_dir(env: Mapping[str, str], variable: str, default: str) -> Path:
    value = env.get(variable)
    if value and Path(value).is_absolute():
        return Path(value)
    return Path(env.get("HOME") or Path.home()) / default


class LinuxAutostart:
    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env
        self.path = xdg_dir(env, "XDG_CONFIG_HOME", ".config") / "autostart" / "budge.desktop"

    def wanted(self) -> list[str]:
        extra = launch_env(self._env)
        return (["env", *(f"{k}={v}" for k, v in sorted(extra.items()))] if extra else []) + \
            launch_args("linux")

    def enable(self) -> AutostartStatus:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = render(entry_fields(exec_line(launch_args("linux"), launch_env(self._env)),
                                   autostart=True))
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.path)
        return self.status()

    def disable(self) -> bool:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True

    def status(self) -> AutostartStatus:
        try:
            value = read_field(self.path.read_text(encoding="utf-8"), "Exec")
        except OSError:
            return AutostartStatus(False, str(self.path), None, False)
        command = split_exec(value) if value else None
        return AutostartStatus(True, str(self.path), command, command == self.wanted())
