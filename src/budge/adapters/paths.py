"""Where budge keeps its config, data, logs and control socket.

platformdirs by default; ``BUDGE_HOME`` puts everything under one folder
(tests, portable use); ``BUDGE_CONFIG`` or ``--config`` pick the config file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from budge.adapters.fileops import Untrusted, write_atomic

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

    @property
    def socket_note(self) -> Path:
        """Where the daemon says which private folder holds its socket, when the
        socket's usual path is too long for the OS."""
        return self.runtime_dir / "control.where"

    def control_address(self) -> str | None:
        """The daemon's Unix socket (on Windows a named pipe unique to this data
        folder); None when no daemon has said where its socket is."""
        if sys.platform == "win32":
            return rf"\\.\pipe\budge-{self._digest()}"
        path = self.runtime_dir / "control.sock"
        if len(str(path)) <= _SOCKET_PATH_LIMIT:
            return str(path)
        try:
            return read_private_text(self.socket_note)
        except FileNotFoundError:
            return None

    def serve_address(self) -> str:
        """The address for the daemon to listen on. A socket path too long for the
        OS goes into a folder of budge's own with an unguessable name in the temp
        folder, which the note in the runtime folder names: no other user can
        take that name first, or listen there in budge's place."""
        path = self.runtime_dir / "control.sock"
        if sys.platform == "win32" or len(str(path)) <= _SOCKET_PATH_LIMIT:
            return self.control_address() or str(path)
        import tempfile

        make_private_dir(self.runtime_dir)
        with contextlib.suppress(FileNotFoundError, NotADirectoryError, Untrusted):
            kept = read_private_text(self.socket_note)  # the folder of the last start
            check_private_dir(Path(kept).parent)
            return kept
        folder = Path(tempfile.mkdtemp(prefix=f"budge-{os.getuid()}-"))
        check_private_dir(folder)
        address = str(folder / "control.sock")
        write_atomic(self.socket_note, address.encode("utf-8"))
        return address

    def release_serve_address(self, address: str) -> None:
        """budge has stopped listening at ``address``: a folder of its own that
        :meth:`serve_address` made in the temp folder goes, with the note that
        names it, so that no start leaves one behind; the next start makes another."""
        if sys.platform == "win32" or Path(address).parent == self.runtime_dir:
            return
        with contextlib.suppress(OSError, Untrusted):
            if read_private_text(self.socket_note) != address:
                return  # not the folder the note names: never remove another
            self.socket_note.unlink()
            Path(address).parent.rmdir()  # only when empty: the socket went as budge stopped

    def check_own_folders(self) -> None:
        """Each of budge's folders that is there already must be the user's own and
        private (see :func:`check_private_dir`); the ones not there yet are made
        private when they are made."""
        for folder in (self.runtime_dir, self.data_dir, self.log_dir):
            with contextlib.suppress(FileNotFoundError):
                check_private_dir(folder)

    def _digest(self) -> str:
        import hashlib  # here: only the control channel needs it, not budge's start

        return hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:16]


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
    runtime = _runtime_dir(env.get("XDG_RUNTIME_DIR"), data_dir)
    return Paths(config_file=config_file.resolve(), data_dir=data_dir,
                 log_dir=dirs.user_log_path, runtime_dir=runtime)


def _runtime_dir(xdg_runtime: str | None, data_dir: Path) -> Path:
    """``$XDG_RUNTIME_DIR/budge`` when that folder is the user's own (0700, as the
    spec asks); otherwise the data folder, which budge keeps private itself. A
    runtime folder shared with other users would let them plant or take budge's
    pid file and socket."""
    if not xdg_runtime:
        return data_dir
    base = Path(xdg_runtime)
    if sys.platform == "win32":
        return base / APP
    try:
        info = os.stat(base)
    except FileNotFoundError:
        return base / APP  # budge creates it, private
    except OSError:
        return data_dir
    if info.st_uid != os.geteuid() or info.st_mode & 0o077 or not stat.S_ISDIR(info.st_mode):
        return data_dir
    return base / APP


def make_private_dir(path: Path) -> None:
    """Create a folder only its owner can use, or check that the one there is such
    a folder; raises :class:`Untrusted` naming what is wrong and what to do."""
    if not path.is_dir():
        # Missing parents are made private too: ``$XDG_RUNTIME_DIR`` made here
        # must pass :func:`_runtime_dir`'s check next time.
        for folder in reversed([path, *path.parents]):
            if not folder.is_dir():
                folder.mkdir(mode=0o700, exist_ok=True)
        if sys.platform != "win32":
            os.chmod(path, 0o700)  # past the umask
    check_private_dir(path)


def check_private_dir(path: Path) -> None:
    """The folder ``path`` must be the user's own, which only they can change, and
    which they can use: budge trusts what it finds there (the key, the pid file,
    the socket). Raises :class:`Untrusted` otherwise, FileNotFoundError when it
    is not there."""
    if sys.platform == "win32":  # folders in the profile are private by their ACLs
        return
    info = os.stat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))
    if info.st_uid != os.geteuid():
        raise Untrusted(f"{path} belongs to another user (uid {info.st_uid}), so budge will "
                        "not trust what is in it; move it aside (or use another folder, "
                        "such as BUDGE_HOME) and try again")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o022:
        raise Untrusted(f"{path} can be changed by other users (mode {mode:03o}), so budge "
                        f"will not trust what is in it; make it private with `chmod 700 "
                        f"{path}` and try again")
    if mode & 0o700 != 0o700:
        raise Untrusted(f"{path} has mode {mode:03o}, so budge cannot read and write in it; "
                        f"make it usable with `chmod 700 {path}` and try again")


def read_private_text(path: Path, limit: int = 4096) -> str:
    """A small file of budge's own (see :func:`read_private`), as text."""
    return read_private(path, limit).decode("utf-8", "replace").strip()


def read_private(path: Path, limit: int = 4096) -> bytes:
    """A small file only its owner may read, in a folder only its owner may change.

    Opened without following a symbolic link, then checked on the open file: a
    regular file, the user's, no access for anyone else. Raises
    :class:`Untrusted` otherwise, FileNotFoundError when it is not there."""
    check_private_dir(path.parent)
    fd = open_own(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        check_private_file(fd, path)
        return os.read(fd, limit)
    finally:
        os.close(fd)


def open_own(path: Path, flags: int, mode: int = 0o600) -> int:
    """``os.open`` that never follows a symbolic link at ``path`` (raising
    :class:`Untrusted` instead), nor waits on a FIFO put there."""
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        return os.open(path, flags, mode)
    except OSError as error:
        if error.errno != errno.ELOOP:
            raise
        raise Untrusted(f"{path} is a symbolic link, which budge does not follow there; "
                        f"remove it (`rm {path}`) and try again") from error


def check_private_file(fd: int, path: Path) -> None:
    """The open file ``fd`` (at ``path``) is a regular file of the user's that no one
    else may read or write; raises :class:`Untrusted` otherwise."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise Untrusted(f"{path} is not a regular file; remove it (`rm {path}`) and start "
                        "budge again")
    if sys.platform == "win32":
        return
    if info.st_uid != os.geteuid():
        raise Untrusted(f"{path} belongs to another user (uid {info.st_uid}), so budge will "
                        f"not use it; remove it (`rm {path}`) and start budge again")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise Untrusted(f"{path} can be read or changed by other users (mode {mode:03o}), "
                        f"so budge will not use it; remove it (`rm {path}`) and start budge "
                        "again")
