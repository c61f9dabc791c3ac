"""Commands carried out with no budge running: the settings it would use, the
store, and an ``App`` built on them for the length of one command."""

from __future__ import annotations

import random
import sys
from typing import TYPE_CHECKING, Any

from budge.adapters.paths import Paths
from budge.app.commands import UsageError, dispatch

if TYPE_CHECKING:
    from budge.adapters.config import Settings
    from budge.adapters.store import Store
    from budge.core.problems import ConfigProblem


def open_store(paths: Paths) -> Store:
    from budge.adapters.store import Store, StoreError

    try:
        store = Store.open(paths.database, paths.runtime_dir)
    except StoreError as error:
        raise UsageError(str(error)) from error
    # A damaged database set aside is said by the store, once, as it happens.
    return store


def settings_in_use(paths: Paths, tell: bool = True) -> tuple[Settings, ConfigProblem | None]:
    """The settings the running budge would use: with a mistake in the config,
    the last good ones (or the defaults), as the daemon starts on. A command
    never waits for the file to be put right; ``tell``: say the problem, in one
    line on stderr."""
    from budge.adapters.config import LAST_GOOD_FOLDER, load_or_last_good

    loaded = load_or_last_good(paths.config_file, paths.user_movements,
                               paths.data_dir / LAST_GOOD_FOLDER)
    problem = loaded.problem()
    if problem is not None and tell:
        from budge.adapters.invocation import typed
        from budge.core.problems import CHECK_COMMAND

        # The key names the setting; for the file as a whole, what is wrong with it.
        what = problem.detail if problem.key == "file" else problem.key
        print(typed(f"budge: a problem in {problem.file}: {what} — see "
                    f"`{CHECK_COMMAND}`; meanwhile budge uses {problem.keeping}."),
              file=sys.stderr)
    return loaded.settings, problem


def carry_out(paths: Paths, request: dict[str, Any], tell: bool = True) -> dict[str, Any]:
    from budge.adapters.localzone import local_zone
    from budge.adapters.sync import SyncFolder
    from budge.app.application import App
    from budge.core.ports import SystemClock

    settings, problem = settings_in_use(paths, tell)
    store = open_store(paths)
    try:
        app = App(settings=settings, store=store, clock=SystemClock(), tz=local_zone(),
                  rng=random.Random(), config_path=paths.config_file,
                  movements_path=paths.user_movements, running=False,
                  config_problem=problem, sync=SyncFolder(store, paths.data_dir))
        reply = dispatch(app, request)
        not_saved = app.not_saved
        if not reply.get("ok") and not_saved is not None:
            # Refused (`budge felt` with nothing done yet): maybe for want of what
            # could not be saved, so say that too.
            reply["message"] += (f" (budge cannot save to {paths.database} either: "
                                 f"{not_saved}.)")
        if store.only_in_memory:
            # Nothing stays in memory after this process: say it was not saved.
            return {"ok": False, "message": f"could not save to {paths.database}: "
                    f"{not_saved}. Nothing was recorded; free some space (or make "
                    "the folder writable) and try again."}
        return reply
    finally:
        store.close()
