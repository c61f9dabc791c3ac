"""Linux and other XDG desktops: ``$XDG_CONFIG_HOME/autostart/budge.desktop``."""

from __future__ import annotations

from collections.abc import Mapping

from budge.adapters.autostart import AutostartStatus
from budge.adapters.fileops import remove, write_atomic
from budge.adapters.invocation import launch_args, launch_env
from budge.adapters.xdg.entry import (
    entry_fields,
    exec_line,
    read_field,
    render,
    split_exec,
    xdg_dir,
)


class LinuxAutostart:
    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env
        self.path = xdg_dir(env, "XDG_CONFIG_HOME", ".config") / "autostart" / "budge.desktop"

    def wanted(self) -> list[str]:
        extra = launch_env(self._env)
        return (["env", *(f"{k}={v}" for k, v in sorted(extra.items()))] if extra else []) + \
            launch_args("linux")

    def enable(self) -> AutostartStatus:
        text = render(entry_fields(exec_line(launch_args("linux"), launch_env(self._env)),
                                   autostart=True))
        write_atomic(self.path, text.encode("utf-8"))
        return self.status()

    def disable(self) -> bool:
        return remove(self.path)

    def status(self) -> AutostartStatus:
        try:
            value = read_field(self.path.read_text(encoding="utf-8"), "Exec")
        except OSError:
            return AutostartStatus(False, str(self.path), None, False)
        command = split_exec(value) if value else None
        return AutostartStatus(True, str(self.path), command, command == self.wanted())
