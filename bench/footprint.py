"""Footprint of budge against Workrave and Safe Eyes, measured in one run.

Every program runs in turn under the same virtual desktop: Xvfb, a session
bus, dunst (which records the time each notification arrives) and
xfce4-panel's Status Tray as the tray host, which hosts both kinds of tray
icon: StatusNotifierItems over D-Bus and XEmbed windows. For each one, over
its whole process tree and from ``/proc``:

* launch to icon docked: from ``exec`` to a new icon in the tray, that is an
  XEmbed window reparented into it or a StatusNotifierItem registered with its
  watcher (both polled every 5 ms from outside, not by asking the program);
* RSS, PSS, threads and processes after the idle window;
* CPU time and context switches per minute over an idle window (nothing
  happens, nobody touches the pointer) and over a window holding one reminder
  (the pointer moves once a second, so Workrave, which counts only active
  time, reaches its break too).

Then budge alone, with a 3-second interval, for timing accuracy: the bench
answers each reminder with ``skip`` over the control socket and notes when
it sent the request and when the reply came; the next reminder is due one
interval after the daemon handled it, so its lateness lies between
``arrival - (reply + interval)`` and ``arrival - (sent + interval)``. The
larger (worse) bound is reported, and a reminder is counted early only when
it arrived before ``sent + interval``, i.e. certainly early.

Run it with ``bash bench/run`` (installs what it needs first). It prints a
Markdown table and writes it, with a JSON file of every figure, to
``bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

import proctree  # noqa: E402
from desktop_session import DesktopSession  # noqa: E402
from processes import end_process  # noqa: E402

MIB = 1024


@dataclass
class Program:
    key: str
    label: str
    argv: list[str]
    prepare: Callable[[Path, dict[str, str]], dict[str, str]]
    tray: bool = True


@dataclass
class Result:
    key: str
    label: str
    version: str
    dock_s: float | None = None
    rss_mib: float = 0.0
    pss_mib: float = 0.0
    threads: int = 0
    processes: int = 0
    idle_seconds: float = 0.0
    idle_cpu_ms_per_min: float = 0.0
    idle_switches_per_min: float = 0.0
    reminder_seconds: float = 0.0
    reminder_cpu_ms_per_min: float = 0.0
    reminder_switches_per_min: float = 0.0
    reminder_seen: str = ""
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- programs

def _budge_config(interval: str, backend: str) -> str:
    # Nobody sits at the benchmark's desktop: without a long natural_break,
    # budge would see a break after five minutes and stop reminding.
    return (f'interval = "{interval}"\nactive_hours = "00:00-23:59"\n'
            'active_days = "mon-sun"\nnatural_break = "12h"\n'
            f'[tray]\nbackend = "{backend}"\n')


def budge_program(key: str, label: str, backend: str, interval: str) -> Program:
    def prepare(home: Path, env: dict[str, str]) -> dict[str, str]:
        config = home / "budge.toml"
        config.write_text(_budge_config(interval, backend))
        return {"BUDGE_HOME": str(home / "budge"), "BUDGE_CONFIG": str(config)}

    argv = [str(Path(sys.executable).with_name("budge")), "run"]
    if backend == "none":
        argv.append("--no-tray")
    return Program(key, label, argv, prepare, tray=backend != "none")


def workrave_program(micro_break_s: int) -> Program:
    def prepare(home: Path, env: dict[str, str]) -> dict[str, str]:
        # GSettings' keyfile backend: settings in a plain file, no dconf service.
        keyfile = home / ".config" / "glib-2.0" / "settings" / "keyfile"
        keyfile.parent.mkdir(parents=True)
        keyfile.write_text(
            "[org/workrave/timers/micro-pause]\n"
            f"limit={micro_break_s}\nauto-reset=10\n"
            "[org/workrave/timers/rest-break]\nlimit=2700\n")
        return {"GSETTINGS_BACKEND": "keyfile"}

    return Program("workrave", "Workrave", ["workrave"], prepare)


def safeeyes_program(interval_min: int) -> Program:
    def prepare(home: Path, env: dict[str, str]) -> dict[str, str]:
        # What Safe Eyes copies on its first run, with a shorter break interval.
        source = Path("/usr/lib/python3/dist-packages/safeeyes/config")
        config = json.loads((source / "safeeyes.json").read_text())
        config["short_break_interval"] = interval_min
        config["use_rpc_server"] = False
        target = home / ".config" / "safeeyes"
        (target / "style").mkdir(parents=True)
        (target / "safeeyes.json").write_text(json.dumps(config, indent=2))
        shutil.copy(source / "style" / "safeeyes_style.css", target / "style")
        return {}

    return Program("safeeyes", "Safe Eyes", ["safeeyes"], prepare)


def version_of(program: Program) -> str:
    if program.key.startswith("budge"):
        out = subprocess.run([program.argv[0], "--version"], capture_output=True, text=True)
        return out.stdout.strip()
    package = {"workrave": "workrave", "safeeyes": "safeeyes"}[program.key]
    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                         capture_output=True, text=True)
    return f"{package} {out.stdout.strip()} (Debian)"


# ---------------------------------------------------------------- the X side

class Tray:
    """Counts icons in the tray: XEmbed windows reparented away from the root, and
    StatusNotifierItems registered with the panel's watcher."""

    def __init__(self, display_name: str, bus_address: str) -> None:
        from sni_client import SniClient
        from Xlib import display as xdisplay

        self.display = xdisplay.Display(display_name)
        self.embed_atom = self.display.intern_atom("_XEMBED_INFO")
        self.root = self.display.screen().root
        self.sni = SniClient(bus_address)

    def icons(self) -> int:
        return self.xembed_icons() + len(self.sni.registered_items())

    def xembed_icons(self) -> int:
        from Xlib.error import XError

        count, todo = 0, [(child, False) for child in self.root.query_tree().children]
        while todo:
            window, nested = todo.pop()
            try:
                if nested and window.get_full_property(self.embed_atom, 0) is not None:
                    count += 1
                todo.extend((child, True) for child in window.query_tree().children)
            except XError:
                continue
        return count

    def close(self) -> None:
        self.display.close()
        self.sni.close()


def wait_docked(tray: Tray, before: int, launched: float, timeout: float) -> float | None:
    while time.monotonic() - launched < timeout:
        if tray.icons() > before:
            return time.monotonic() - launched
        time.sleep(0.005)
    return None


def visible_windows(env: dict[str, str], pids: list[int]) -> int:
    count = 0
    for pid in pids:
        out = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(pid)],
                             env=env, capture_output=True, text=True)
        count += len(out.stdout.split())
    return count


class Wiggle:
    """Moves the pointer once a second: a person at work, for activity-based timers."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        step = 0
        while not self.stop.wait(1.0):
            step += 1
            x, y = (300 + (step % 2) * 40, 300 + (step % 3) * 30)
            subprocess.run(["xdotool", "mousemove", str(x), str(y)], env=self.env,
                           capture_output=True)

    def __enter__(self) -> Wiggle:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


# ---------------------------------------------------------------- one program

def measure(program: Program, desktop: DesktopSession, workdir: Path, settle: float,
            idle: float, window: float) -> Result:
    home = workdir / program.key
    home.mkdir()
    env = dict(desktop.env, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local" / "share"),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_STATE_HOME=str(home / ".local/state"))
    env.update(program.prepare(home, env))
    result = Result(program.key, program.label, version_of(program))
    tray = Tray(desktop.env["DISPLAY"], desktop.env["DBUS_SESSION_BUS_ADDRESS"])
    before_icons = tray.icons()
    log = open(workdir / f"{program.key}.log", "wb")  # noqa: SIM115
    launched = time.monotonic()
    proc = subprocess.Popen(program.argv, env=env, stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, cwd=home)
    try:
        if program.tray:
            result.dock_s = wait_docked(tray, before_icons, launched, timeout=settle)
            if result.dock_s is None:
                result.notes.append(f"icon not docked within {settle:.0f} s")
        time.sleep(max(0.0, settle - (time.monotonic() - launched)))
        if proc.poll() is not None:
            raise RuntimeError(f"{program.label} exited with {proc.returncode}; "
                               f"see {workdir / (program.key + '.log')}")
        usage = proctree.Window(proc.pid).measure(idle)
        result.idle_seconds = round(usage.seconds, 1)
        result.idle_cpu_ms_per_min = usage.cpu_ms_per_minute()
        result.idle_switches_per_min = usage.switches_per_minute()
        mem = proctree.memory(proc.pid)
        result.rss_mib = mem.rss_kib / MIB
        result.pss_mib = mem.pss_kib / MIB
        result.threads = mem.threads
        result.processes = mem.processes
        notes_before = len(desktop.notifications())
        windows_before = visible_windows(env, proctree.descendants(proc.pid))
        seen_windows = [windows_before]
        stop = threading.Event()

        def watch() -> None:
            while not stop.wait(1.0):
                seen_windows.append(visible_windows(env, proctree.descendants(proc.pid)))

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        with Wiggle(desktop.env):
            usage = proctree.Window(proc.pid).measure(window)
        stop.set()
        watcher.join()
        result.reminder_seconds = round(usage.seconds, 1)
        result.reminder_cpu_ms_per_min = usage.cpu_ms_per_minute()
        result.reminder_switches_per_min = usage.switches_per_minute()
        arrived = len(desktop.notifications()) - notes_before
        new_windows = max(seen_windows) - windows_before
        seen = []
        if arrived:
            seen.append(f"{arrived} notification(s)")
        if new_windows > 0:
            seen.append(f"{new_windows} window(s)")
        result.reminder_seen = ", ".join(seen) or "none"
    finally:
        end_process(proc, timeout=10)
        log.close()
        tray.close()
        # Let the tray host settle before the next program docks.
        time.sleep(1.0)
    return result


# ---------------------------------------------------------------- lateness

@dataclass
class Lateness:
    interval_s: float
    count: int
    median_ms: float
    worst_ms: float
    best_ms: float
    early: int
    round_trip_ms_median: float
    samples_ms: list[float]


def lateness(desktop: DesktopSession, workdir: Path, count: int, interval: int) -> Lateness:
    from budge.adapters import control
    from budge.adapters.paths import resolve

    home = workdir / "lateness"
    home.mkdir()
    program = budge_program("budge-lateness", "budge", "sni", f"{interval}s")
    env = dict(desktop.env, HOME=str(home))
    env.update(program.prepare(home, env))
    paths = resolve(env)
    log = open(workdir / "lateness.log", "wb")  # noqa: SIM115
    earlier = len(desktop.notifications())
    proc = subprocess.Popen(program.argv, env=env, stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT)
    samples, trips, early = [], [], 0
    try:
        def budge_notes() -> list:  # type: ignore[type-arg]
            return [n for n in desktop.notifications()[earlier:] if n.app == "budge"]

        desktop.wait_for(lambda: len(budge_notes()) >= 2, 30, "budge's first reminder")
        for _ in range(count):
            seen = len(budge_notes())
            sent = time.time()
            reply = control.send(paths.control_address(), paths.key_file, {"cmd": "skip"})
            replied = time.time()
            if not reply or not reply.get("ok", True):
                raise RuntimeError(f"skip was refused: {reply}")
            desktop.wait_for(lambda n=seen: len(budge_notes()) > n, interval + 10,
                             "the next reminder")
            arrived = budge_notes()[seen].at
            if arrived < sent + interval:
                early += 1
            samples.append((arrived - (sent + interval)) * 1000)
            trips.append((replied - sent) * 1000)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
    return Lateness(interval, len(samples), statistics.median(samples), max(samples),
                    min(samples), early, statistics.median(trips), [round(s, 1) for s in samples])


# ---------------------------------------------------------------- report

def ratio(value: float | None, other: float | None) -> str:
    if value is None or other is None:
        return "n/a"
    if other == 0:
        return "0" if value == 0 else "∞"
    return f"{value / other:.2f}"


ROWS: list[tuple[str, str, str]] = [
    ("dock_s", "launch to icon docked (s)", "{:.2f}"),
    ("rss_mib", "RSS after settling (MiB)", "{:.1f}"),
    ("pss_mib", "PSS after settling (MiB)", "{:.1f}"),
    ("threads", "threads", "{}"),
    ("processes", "processes", "{}"),
    ("idle_cpu_ms_per_min", "idle CPU (ms/min)", "{:.2f}"),
    ("idle_switches_per_min", "idle context switches (/min)", "{:.1f}"),
    ("reminder_cpu_ms_per_min", "CPU with one reminder (ms/min)", "{:.1f}"),
    ("reminder_switches_per_min", "context switches with one reminder (/min)", "{:.1f}"),
    ("reminder_seen", "reminder seen in that window", "{}"),
]


def cell(result: Result, key: str, fmt: str) -> str:
    value = getattr(result, key)
    return "n/a" if value is None else fmt.format(value)


def report(results: list[Result], late: Lateness | None, meta: dict[str, str]) -> str:
    lines = [f"Measured {meta['date']} on {meta['machine']}; idle window "
             f"{meta['idle']} s, reminder window {meta['window']} s.", ""]
    lines.append("| | " + " | ".join(r.label for r in results) + " |")
    lines.append("|---|" + "---:|" * len(results))
    for key, name, fmt in ROWS:
        lines.append(f"| {name} | " + " | ".join(cell(r, key, fmt) for r in results) + " |")
    budges = [r for r in results if r.key.startswith("budge") and r.key != "budge-none"]
    peers = [r for r in results if r.key in ("workrave", "safeeyes")]
    if budges and peers:
        lines += ["", "budge's figure divided by the peer's (below 1 means budge costs less):", ""]
        pairs = [(b, p) for b in budges for p in peers]
        lines.append("| | " + " | ".join(f"{b.label} ÷ {p.label}" for b, p in pairs) + " |")
        lines.append("|---|" + "---:|" * len(pairs))
        for key, name, _ in ROWS[:-1]:
            if key == "processes":
                continue
            lines.append(f"| {name} | " + " | ".join(
                ratio(getattr(b, key), getattr(p, key)) for b, p in pairs) + " |")
    if late is not None:
        lines += ["", f"Timing: {late.count} reminders at a {late.interval_s:.0f} s interval, "
                  f"arrival at dunst against due: median {late.median_ms:+.0f} ms, "
                  f"worst {late.worst_ms:+.0f} ms, best {late.best_ms:+.0f} ms, "
                  f"certainly early: {late.early} (control round trip, median "
                  f"{late.round_trip_ms_median:.0f} ms, is included in these upper bounds)."]
    return "\n".join(lines)


def targets(results: list[Result], late: Lateness | None) -> list[str]:
    by = {r.key: r for r in results}
    out = []
    xorg, safe = by.get("budge-xorg"), by.get("safeeyes")
    sni, workrave = by.get("budge-sni"), by.get("workrave")

    def check(name: str, ok: bool, figure: str) -> None:
        out.append(f"- [{'x' if ok else ' '}] {name}: {figure}")

    if sni:
        check("idle RSS ≤ 40 MiB (StatusNotifierItem)", sni.rss_mib <= 40,
              f"{sni.rss_mib:.1f} MiB")
        if workrave:
            check("idle RSS ≤ Workrave's (StatusNotifierItem)", sni.rss_mib <= workrave.rss_mib,
                  f"{sni.rss_mib:.1f} vs {workrave.rss_mib:.1f} MiB")
            check("launch to icon no slower than Workrave's (StatusNotifierItem)",
                  sni.dock_s is not None and workrave.dock_s is not None
                  and sni.dock_s <= workrave.dock_s,
                  f"{_s(sni.dock_s)} vs {_s(workrave.dock_s)}")
        if safe:
            check("idle RSS ≤ 0.55x Safe Eyes' (StatusNotifierItem)",
                  sni.rss_mib <= 0.55 * safe.rss_mib,
                  f"{sni.rss_mib:.1f} vs {safe.rss_mib:.1f} MiB")
        check("0 wake-ups while idle (StatusNotifierItem)", sni.idle_switches_per_min == 0,
              f"{sni.idle_switches_per_min:.1f} context switches/min")

    if xorg:
        check("idle RSS ≤ 40 MiB (xorg)", xorg.rss_mib <= 40, f"{xorg.rss_mib:.1f} MiB")
        if safe:
            check("idle RSS ≤ half of Safe Eyes'", xorg.rss_mib <= safe.rss_mib / 2,
                  f"{xorg.rss_mib:.1f} vs {safe.rss_mib:.1f} MiB")
        check("idle CPU ≤ 1 ms/min", xorg.idle_cpu_ms_per_min <= 1,
              f"{xorg.idle_cpu_ms_per_min:.2f} ms/min")
        check("idle context switches ≤ 2/min", xorg.idle_switches_per_min <= 2,
              f"{xorg.idle_switches_per_min:.1f}/min")
        check("launch to docked ≤ 0.5 s", xorg.dock_s is not None and xorg.dock_s <= 0.5,
              "n/a" if xorg.dock_s is None else f"{xorg.dock_s:.2f} s")
    if late:
        check("never early", late.early == 0, f"{late.early} early")
        check("at most 1 s late", late.worst_ms <= 1000, f"worst {late.worst_ms:+.0f} ms")
    return out


def _s(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.2f} s"


def update_readme(readme: Path, text: str) -> None:
    start, end = "<!-- footprint:start -->", "<!-- footprint:end -->"
    content = readme.read_text()
    head, _, rest = content.partition(start)
    _, _, tail = rest.partition(end)
    if not rest:
        raise SystemExit(f"{readme} has no {start} marker")
    readme.write_text(f"{head}{start}\n{text}\n{end}{tail}")


# ---------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # Past the first-run welcome notification's 30 s: its closing is an event
    # (the notification service tells budge), not idling.
    parser.add_argument("--settle", type=float, default=40, help="seconds after launch")
    parser.add_argument("--idle", type=float, default=60, help="idle window, seconds")
    parser.add_argument("--window", type=float, default=70,
                        help="window holding one reminder, seconds")
    parser.add_argument("--reminders", type=int, default=25, help="for timing accuracy")
    parser.add_argument("--only", default="", help="comma-separated program keys")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--update-readme", action="store_true",
                        help="put the table into bench/README.md, between its markers")
    args = parser.parse_args(argv)

    missing = [tool for tool in ("workrave", "safeeyes") if shutil.which(tool) is None]
    if missing and not args.only:
        print(f"missing: {', '.join(missing)}; run `bash bench/run`, which installs them",
              file=sys.stderr)
        return 2
    # Each program's one reminder falls inside its reminder window.
    reminder_at = args.settle + args.idle + args.window / 2
    workrave_active = int(args.window / 2)
    safeeyes_minutes = max(1, round((reminder_at + 10) / 60))
    workdir = Path(tempfile.mkdtemp(prefix="budge-bench-"))
    results: list[Result] = []
    late = None
    with DesktopSession(workdir / "desktop").start(sni=True) as desktop:
        # Safe Eyes asks the system bus (logind) as it starts; a private bus
        # stands in, and every program gets the same environment.
        desktop.env["DBUS_SYSTEM_BUS_ADDRESS"] = desktop.start_bus(desktop.env, "system-bus")
        programs = [
            budge_program("budge-sni", "budge (StatusNotifierItem)", "sni",
                          f"{int(reminder_at)}s"),
            budge_program("budge-xorg", "budge (xorg)", "xorg", f"{int(reminder_at)}s"),
            budge_program("budge-gtk", "budge (gtk)", "gtk", f"{int(reminder_at)}s"),
            budge_program("budge-none", "budge (no tray)", "none", f"{int(reminder_at)}s"),
            workrave_program(workrave_active),
            safeeyes_program(safeeyes_minutes),
        ]
        chosen = set(filter(None, args.only.split(",")))
        for program in programs:
            if chosen and program.key not in chosen:
                continue
            print(f"measuring {program.label} …", file=sys.stderr, flush=True)
            results.append(measure(program, desktop, workdir, args.settle, args.idle,
                                   args.window))
        if args.reminders and (not chosen or "lateness" in chosen):
            print(f"timing {args.reminders} reminders …", file=sys.stderr, flush=True)
            late = lateness(desktop, workdir, args.reminders, 3)
    meta = {"date": datetime.now().strftime("%Y-%m-%d"),
            "machine": f"{platform.system()} {platform.release()}, "
                       f"{os.cpu_count()} cores, Python {platform.python_version()}",
            "idle": f"{args.idle:.0f}", "window": f"{args.window:.0f}"}
    table = report(results, late, meta)
    checks = targets(results, late)
    text = table + ("\n\nTargets:\n\n" + "\n".join(checks) if checks else "")
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "footprint.md").write_text(text + "\n")
    (args.out / "footprint.json").write_text(json.dumps(
        {"meta": meta, "results": [asdict(r) for r in results],
         "lateness": asdict(late) if late else None}, indent=2) + "\n")
    if args.update_readme:
        update_readme(HERE / "README.md", text)
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nwritten: {args.out / 'footprint.md'}, {args.out / 'footprint.json'}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
