"""Where budge keeps its config, data, logs and control socket.

platformdirs by default; ``BUDGE_HOME`` puts everything under one folder
(tests, portable use); ``BUDGE_CONFIG`` or ``--config`` pick the config file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP = "budge"
# Unix socket paths are limited to about 104 bytes on macOS, 108 on Linux.
_SOCKET_PATH_LIMIT = 100


@dataclass(frozen=True)
class Paths:
    config_file: Path
    data_dir: Path
    log_dir: Path
    runtime_dir: Path

    @property
    def user_movements(self) -> Path:
        return self.config_file.with_name("movements.toml")

    @property
    def database(self) -> Path:
        return self.data_dir / "budge.sqlite3"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "budge.log"

    @property
    def lock_file(self) -> Path:
        return self.runtime_dir / "budge.pid"

    @property
    def key_file(self) -> Path:
        return self.data_dir / "control.key"

    def control_address(self) -> str:
        """A Unix socket path, or on Windows a named pipe unique to this data folder."""
        import hashlib  # here: only the control socket needs it, not budge's start

        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:16]
        if sys.platform == "win32":
            return rf"\\.\pipe\budge-{digest}"
        path = self.runtime_dir / "control.sock"
        if len(str(path)) <= _SOCKET_PATH_LIMIT:
            return str(path)
        import tempfile

        return str(Path(tempfile.gettempdir()) / f"budge-{os.getuid()}-{digest}.sock")


def resolve(env: Mapping[str, str], config_override: str | None = None) -> Paths:
    home = env.get("BUDGE_HOME")
    config_env = config_override or env.get("BUDGE_CONFIG")
    if home:
        base = Path(home).expanduser().resolve()
        config_file = Path(config_env).expanduser() if config_env else base / "config.toml"
        return Paths(config_file=config_file.resolve(), data_dir=base / "data",
                     log_dir=base / "logs", runtime_dir=base / "run")
    import platformdirs

    dirs = platformdirs.PlatformDirs(APP, appauthor=False)
    config_file = (Path(config_env).expanduser() if config_env
                   else dirs.user_config_path / "config.toml")
    data_dir = dirs.user_data_path
    runtime = Path(env["XDG_RUNTIME_DIR"]) / APP if env.get("XDG_RUNTIME_DIR") else data_dir
    return Paths(config_file=config_file.resolve(), data_dir=data_dir,
                 log_dir=dirs.user_log_path, runtime_dir=runtime)


def make_private_dir(path: Path) -> None:
    """Create a folder only its owner can read; an existing folder is left as it is."""
    if path.is_dir():
        return
    path.mkdir(parents=True, exist_ok=True)
    if sys.platform != "win32":
        os.chmod(path, 0o700)
