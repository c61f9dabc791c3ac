"""How the control socket holds up when many commands arrive at once.

Starts a real daemon (``budge run --no-tray`` in a fresh home), then sends
1, 20 and 200 ``status`` requests at the same instant, the way ``budge status``
sends its own, and times each from the go signal to its answer:

- ``threads``: the clients are threads of this process (the socket, the
  handshake and the daemon's work are what is measured);
- ``processes``: each client is its own interpreter, as when 200 shells run
  ``budge status`` at once. All are started and have imported the client
  before the go signal, so Python's start is not in the figures.

Every answer is counted; a command that got no answer is counted by what it
said (busy, no answer, ...). Writes bench/results/control-load.md and .json.
A benchmark, not a test: the machines are shared and noisy.

    .venv/bin/python bench/control_load.py [--levels 1 20 200] [--rounds 5]
        [--modes threads processes]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
CONFIG = 'active_hours = "00:00-23:59"\nactive_days = "every day"\ninterval = "1h"\n'

# One client process: imports, says it is ready, waits for "go" on stdin, sends.
_CLIENT = """
import json, sys, time
from pathlib import Path
from budge.adapters import control, paths  # what `budge status` has imported by then
print("ready", flush=True)
sys.stdin.readline()
start = time.perf_counter()
try:
    reply = control.send(sys.argv[1], Path(sys.argv[2]), {"cmd": "status"})
    outcome = "answered" if reply and reply.get("ok") else "no reply"
except Exception as error:
    outcome = type(error).__name__
print(json.dumps([time.perf_counter() - start, outcome]), flush=True)
"""


def _one(address: str, key_file: Path) -> tuple[float, str]:
    from budge.adapters import control

    start = time.perf_counter()
    try:
        reply = control.send(address, key_file, {"cmd": "status"})
        outcome = "answered" if reply and reply.get("ok") else "no reply"
    except Exception as error:
        outcome = type(error).__name__
    return time.perf_counter() - start, outcome


def burst_threads(address: str, key_file: Path, clients: int) -> list[tuple[float, str]]:
    results: list[tuple[float, str]] = []
    lock = threading.Lock()
    gate = threading.Barrier(clients)

    def client() -> None:
        gate.wait()
        outcome = _one(address, key_file)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def burst_processes(address: str, key_file: Path, clients: int,
                    env: dict[str, str]) -> list[tuple[float, str]]:
    procs = [subprocess.Popen([sys.executable, "-c", _CLIENT, address, str(key_file)],
                              env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True) for _ in range(clients)]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            assert proc.stdout is not None
            seconds, outcome = json.loads(proc.stdout.readline())
            results.append((float(seconds), str(outcome)))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def summary(mode: str, clients: int, results: list[tuple[float, str]]) -> dict[str, Any]:
    ms = [seconds * 1000 for seconds, _ in results]
    outcomes: dict[str, int] = {}
    for _, outcome in results:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return {"mode": mode, "clients": clients, "commands": len(results),
            "answered": outcomes.get("answered", 0), "outcomes": outcomes,
            "p50_ms": round(statistics.median(ms), 1), "p99_ms": round(percentile(ms, 0.99), 1),
            "max_ms": round(max(ms), 1)}


def wait_running(address_of: Any, key_file: Path, proc: subprocess.Popen[bytes]) -> str:
    from budge.adapters import control

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        address = address_of()
        try:
            if address and control.send(address, key_file, {"cmd": "status"}):
                return str(address)
        except (OSError, EOFError):
            pass
        if proc.poll() is not None:
            raise SystemExit(f"budge stopped with status {proc.returncode}")
        time.sleep(0.1)
    raise SystemExit("budge did not come up within 30 s")


def run(levels: list[int], rounds: int, modes: list[str]) -> list[dict[str, Any]]:
    from budge.adapters.paths import resolve

    rows = []
    with tempfile.TemporaryDirectory(prefix="budge-control-load-") as home:
        Path(home, "config.toml").write_text(CONFIG)
        env = {k: v for k, v in os.environ.items()
               if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS",
                            "BUDGE_CONFIG", "XDG_RUNTIME_DIR")}
        env["BUDGE_HOME"] = home
        paths = resolve(env)
        daemon = subprocess.Popen([sys.executable, "-m", "budge", "run", "--no-tray"], env=env,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            address = wait_running(paths.control_address, paths.key_file, daemon)
            for mode in modes:
                for clients in levels:
                    results: list[tuple[float, str]] = []
                    for _ in range(rounds):
                        if mode == "threads":
                            results += burst_threads(address, paths.key_file, clients)
                        else:
                            results += burst_processes(address, paths.key_file, clients, env)
                    row = summary(mode, clients, results)
                    print(json.dumps(row), flush=True)
                    rows.append(row)
        finally:
            daemon.terminate()
            daemon.wait(timeout=30)
    return rows


def write_report(rows: list[dict[str, Any]], rounds: int) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "control-load.json").write_text(json.dumps(rows, indent=2) + "\n")
    lines = [f"Measured {time.strftime('%Y-%m-%d')} on {platform.system()} "
             f"{platform.release()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()} (load average {os.getloadavg()[0]:.1f} at the "
             f"end: the machine is shared); `status` requests sent at the same instant, "
             f"{rounds} rounds a level; latency from the go signal to the answer.", "",
             "| clients | mode | commands | answered | other outcomes | p50 (ms) | p99 (ms) "
             "| max (ms) |", "|---:|---|---:|---:|---|---:|---:|---:|"]
    for row in rows:
        other = ", ".join(f"{name} {count}" for name, count in row["outcomes"].items()
                          if name != "answered") or "none"
        lines.append(f"| {row['clients']} | {row['mode']} | {row['commands']} | "
                     f"{row['answered']} | {other} | {row['p50_ms']} | {row['p99_ms']} | "
                     f"{row['max_ms']} |")
    (RESULTS / "control-load.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 20, 200])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--modes", nargs="+", default=["threads", "processes"],
                        choices=["threads", "processes"])
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    rows = run(args.levels, args.rounds, args.modes)
    if not args.no_write:
        write_report(rows, args.rounds)


if __name__ == "__main__":
    main()
