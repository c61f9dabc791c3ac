"""The history as a whole: ``stats``, ``export`` and ``import``."""

from __future__ import annotations

import argparse
import io
import json
import sys
from datetime import datetime
from pathlib import Path

from budge.adapters.paths import Paths
from budge.app.commands import UsageError
from budge.cli.offline import open_store, settings_in_use
from budge.cli.render import waiting_line
from budge.cli.request import tell_daemon


def show_stats(paths: Paths, args: argparse.Namespace) -> int:
    from budge.adapters.localzone import local_zone
    from budge.cli.sync import merge_synced
    from budge.core import stats as stats_module

    if args.png:
        from budge.adapters.card import picture_format

        try:  # before anything is printed: a name it cannot honour is refused outright
            picture_format(Path(args.png))
        except ValueError as error:
            raise UsageError(str(error)) from error
    settings, _ = settings_in_use(paths)
    today = datetime.now(local_zone()).date()
    store = open_store(paths)
    try:
        merge_synced(store, paths, settings.config)
        counts = store.stats_counts(today, args.days)
        waiting = waiting_line(store.unsaved, store.kept_in) if store.unsaved else None
    finally:
        store.close()
    config = settings.config
    enabled = [m for m in settings.catalog if config.filters.allows(m)]
    summary = stats_module.summarize(counts, today, args.days, config.daily_goal,
                                     config.hours.days, settings.catalog, enabled,
                                     allowance=config.rest)
    target = Path(args.png) if args.png else None
    if args.open and target is None:
        target = paths.data_dir / "stats-card.png"
    if target is not None:
        from budge.adapters.card import render, save

        try:
            save(render(summary, scale=args.scale,
                        ease=summary.patterns.line if summary.patterns else (),
                        milestones=summary.milestones), target)
        except (OSError, ValueError) as error:
            print(f"budge stats: cannot write {target}: {error}", file=sys.stderr)
            return 1
        if args.open:
            from budge.adapters.default_app import open_file

            try:
                open_file(target)
            except OSError as error:
                print(f"budge stats: no image viewer could be started ({error}); the card "
                      f"is at {target}", file=sys.stderr)
    if args.json:
        print(json.dumps(summary.to_json(), indent=2))
    else:
        print(stats_module.format_text(summary))
        if waiting is not None:
            print(waiting)
        if target is not None:
            print(f"Card: {target}")
    if waiting is not None and args.json:
        print(f"budge stats: {waiting}", file=sys.stderr)
    return 0


def export_events(paths: Paths, args: argparse.Namespace) -> int:
    from budge.adapters import exportfile
    from budge.adapters.fileops import write_atomic

    try:
        fmt = exportfile.export_format(args.file, args.format)
    except ValueError as error:
        raise UsageError(str(error)) from error
    store = open_store(paths)
    if store.unsaved:
        print(f"budge export: {waiting_line(store.unsaved, store.kept_in)} They are in the "
              "export.", file=sys.stderr)
    try:
        if args.file in (None, "-"):
            count = exportfile.write(store.export_rows(), sys.stdout, fmt)
            sys.stdout.flush()
            return 0
        target = Path(args.file)
        text = io.StringIO(newline="")
        count = exportfile.write(store.export_rows(), text, fmt)
        try:
            # A folder that is not there is a mistyped name: said, not made.
            write_atomic(target, text.getvalue().encode("utf-8"), make_folder=False)
        except OSError as error:
            print(f"budge export: cannot write {target}: {error.strerror or error}",
                  file=sys.stderr)
            return 1
    finally:
        store.close()
    print(f"Exported {count} event{'s' if count != 1 else ''} to {target}.")
    return 0


def import_events(paths: Paths, args: argparse.Namespace) -> int:
    import sqlite3

    from budge.adapters import exportfile
    from budge.adapters.userfile import UnfitFile, read_regular, read_stream

    name = args.file
    try:
        data = (read_stream(sys.stdin.buffer, exportfile.LARGEST_FILE) if name == "-"
                else read_regular(name, exportfile.LARGEST_FILE))
    except OSError as error:
        raise UsageError(f"cannot read {name}: {error.strerror or error}") from error
    except UnfitFile as error:
        raise UsageError(f"cannot read {name}: {error}. Nothing was imported.") from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(f"{name} is not a budge export: not UTF-8 text (byte "
                         f"{error.start}). Nothing was imported.") from error
    try:
        rows = exportfile.read(text, args.format or exportfile.guess_format(name, text))
    except exportfile.NotAnExport as error:
        raise UsageError(f"{name}: {error}. Nothing was imported.") from error
    store = open_store(paths)
    try:
        added = store.import_rows(rows)
    except (sqlite3.Error, OSError) as error:
        print(f"budge import: could not save to {paths.database}: {error}. Nothing was "
              "imported.", file=sys.stderr)
        return 1
    finally:
        store.close()
    known = len(rows) - added
    print(f"Imported {added} event{'s' if added != 1 else ''} from {name}"
          + (f" ({known} already in your history)." if known else "."))
    tell_daemon(paths, {"cmd": "refresh"})  # a running budge shows the new totals at once
    return 0
