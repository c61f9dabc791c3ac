"""The guide page: written by `budge guide`, paced at the movement's counts, and
checked in a real headless Chromium (Debian's ``chromium``): it moves, its
count ticks, it stands still for reduced motion, and it asks the network for
nothing."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from bus_standins import Panel, Watcher, ready
from PIL import Image, ImageChops
from processes import budge, clean_env, fake_opener, home_on_bus, running_daemon, wait_for

from budge.adapters.config import load_builtin
from budge.core.guide import DEFAULT_COUNTS, counts, page
from budge.core.movements import Movement

CATALOG = {m.id: m for m in load_builtin()}
# The figure's square on a 600 px wide window: below the title and the cue.
FIGURE_AREA = (60, 130, 540, 570)


def test_the_counts_come_from_the_movements_words() -> None:
    assert counts(CATALOG["neck-tilt"]) == (8, 10, 12)
    # A breath in "for a count of 4" is not the release; "out for 10, then 12" follow.
    assert counts(CATALOG["long-exhale"]) == (8, 10, 12)
    assert counts(CATALOG["side-breath"]) == (8, 10, 12)  # "a count of 8, 10, then 12"
    assert counts(CATALOG["ankle-circle"]) == (8,)  # "a count of 8 each way"
    assert counts(CATALOG["far-look"]) == DEFAULT_COUNTS  # names no count


def test_the_page_is_self_contained_and_escapes_what_it_shows() -> None:
    tilt = CATALOG["neck-tilt"]
    text = page(tilt)
    assert "default-src 'none'" in text
    # The steps, the why and the gentler form are printed; both forms' poses are inside.
    assert all(step.replace("'", "&#x27;") in text for step in tilt.steps)
    assert tilt.why in text and "Show the gentler form" in text
    assert '"gentler": [' in text and '"usual": [' in text
    for outside in ("src=", "href=", "<link", "<iframe", "fetch(", "XMLHttpRequest",
                    "WebSocket", "<form", "import("):
        assert outside not in text, outside
    hostile = Movement(id="mine", name="</script><script>alert(1)</script>", region="neck",
                       position="either", seconds=30, cue="a </script> cue", steps=("<b>x</b>",),
                       why="why", gentler="less")
    shown = page(hostile)
    assert "<script>alert(1)" not in shown and "<b>x</b>" not in shown
    assert shown.count("</script>") == 2  # its own two scripts' ends, nothing else


def test_budge_guide_writes_the_page_and_prints_its_path(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    result = budge(clean_env(home), "guide", "chin-nod", "--print-path")
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path == home / "data" / "guide" / "chin-nod.html"
    assert path.read_text(encoding="utf-8") == page(CATALOG["chin-nod"])
    missing = budge(clean_env(home), "guide", "no-such", "--print-path")
    assert missing.returncode == 2 and "budge suggest --list" in missing.stderr


def chromium() -> str:
    found = shutil.which("chromium")
    assert found, "Debian's chromium is needed (.ci/debian-packages.txt lists it)"
    return found


@contextmanager
def listening() -> Iterator[tuple[int, list[bytes]]]:
    """A port that notes the first bytes of every connection: a proxy no request
    should ever reach."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    seen: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                try:
                    seen.append(conn.recv(200))
                except OSError:
                    seen.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], seen
    finally:
        server.close()
        thread.join(5)


def browse(page_path: Path, out: Path, budget_ms: int, *extra: str,
           dump: bool = False) -> str:
    """The page after ``budget_ms`` of virtual time: a screenshot into ``out``, or its DOM."""
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
               "--no-first-run", "--disable-background-networking", "--disable-sync",
               "--disable-component-update", "--disable-default-apps",
               f"--user-data-dir={out.parent / 'profile'}", "--window-size=600,900",
               f"--virtual-time-budget={budget_ms}", *extra,
               "--dump-dom" if dump else f"--screenshot={out}", page_path.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90,
                          stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


# Where Chromium itself calls (its clock, its components), whatever page it shows.
_CHROMIUMS_OWN = (b".google.com", b".googleapis.com", b".gvt1.com", b".gstatic.com")


def _chromiums_own(request: bytes) -> bool:
    first = request.split(b"\r\n", 1)[0]
    target = first.split(b" ")[1] if first.count(b" ") >= 2 else b""
    host = target.split(b"//", 1)[-1].split(b"/", 1)[0].split(b":", 1)[0]
    return any(host.endswith(own) for own in _CHROMIUMS_OWN)


def figure_of(path: Path) -> Image.Image:
    return Image.open(path).convert("RGB").crop(FIGURE_AREA)


# Chromium's anti-aliasing of the same drawing varies by a few levels from one
# run to the next; the figure moving changes pixels by far more.
NOISE = 16


def moved(early: Image.Image, later: Image.Image) -> bool:
    """Whether the figure differs between two screenshots by more than noise."""
    difference = ImageChops.difference(early, later).convert("L")
    return difference.point(lambda level: 255 if level > NOISE else 0).getbbox() is not None


def count_in(dom: str) -> str:
    start = dom.index('id="count"')
    return dom[dom.index(">", start) + 1:dom.index("</p>", start)]


@pytest.fixture
def tilt_page(tmp_path: Path) -> Path:
    path = tmp_path / "neck-tilt.html"
    path.write_text(page(CATALOG["neck-tilt"]), encoding="utf-8")
    return path


def test_the_figure_moves_and_the_count_ticks_in_a_browser(tilt_page: Path,
                                                          tmp_path: Path) -> None:
    with listening() as (port, seen):
        proxy = (f"--proxy-server=127.0.0.1:{port}", "--proxy-bypass-list=<-loopback>")
        # 2 beats of readying, 2 out, then the count of 8 back: 1 of 8 at 4.5 s.
        early = browse(tilt_page, tmp_path / "early.png", 4500, *proxy)
        browse(tilt_page, tmp_path / "later.png", 9000, *proxy)
        assert count_in(browse(tilt_page, tmp_path / "x", 4500, *proxy, dump=True)) == "1 of 8"
        assert count_in(browse(tilt_page, tmp_path / "x", 9000, *proxy, dump=True)) == "6 of 8"
        del early
        # Nothing was asked of the network, but for Chromium's own calls home.
        # Chromium also opens spare connections it closes unused: they ask nothing.
        assert [data for data in seen if data and not _chromiums_own(data)] == []
    assert moved(figure_of(tmp_path / "early.png"), figure_of(tmp_path / "later.png")), \
        "the figure did not move"


def test_with_reduced_motion_the_figure_stands_still(tilt_page: Path, tmp_path: Path) -> None:
    still = "--force-prefers-reduced-motion"
    browse(tilt_page, tmp_path / "early.png", 4500, still)
    browse(tilt_page, tmp_path / "later.png", 9000, still)
    early, later = figure_of(tmp_path / "early.png"), figure_of(tmp_path / "later.png")
    assert not moved(early, later)
    # Still drawn: the start faint, the end solid, in the accent colour.
    assert early.getbbox() is not None and len(set(early.get_flattened_data())) > 3
    # The count goes on.
    assert count_in(browse(tilt_page, tmp_path / "x", 9000, still, dump=True)) == "6 of 8"


def test_the_network_check_would_see_a_request(tmp_path: Path) -> None:
    """The proxy above notices a page that loads something: the check can fail."""
    leaky = tmp_path / "leaky.html"
    leaky.write_text('<img src="http://example.invalid/x.png">', encoding="utf-8")
    with listening() as (port, seen):
        browse(leaky, tmp_path / "leaky.png", 2000, f"--proxy-server=127.0.0.1:{port}")
        assert any(b"example.invalid" in data and not _chromiums_own(data)
                   for data in seen), seen


def test_show_me_in_the_tray_opens_the_current_movements_guide(
        tmp_path: Path, bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "1h"\n')
    record = tmp_path / "opened.txt"
    env["PATH"] = f"{fake_opener(tmp_path / 'bin', record)}:{env['PATH']}"
    with (closing(Watcher(bus_address)) as watcher,
          running_daemon(env, "-v") as daemon):
        assert watcher.registered.wait(15), daemon.output()
        panel = Panel(bus_address, watcher.items[0][1])
        ready(panel)
        labels = [n["label"] for n in panel.layout()["children"] if n["props"]["visible"]]
        assert labels[-5:] == ["Show me", "Streaks and stats", "Start at login", "Open config",
                               "Quit"]
        shown = panel.find("Up next: ")["label"].removeprefix("Up next: ")
        panel.click("Show me")
        wait_for(record.exists, 20, "the guide to be opened")
    opened = Path(record.read_text().splitlines()[0])
    assert opened.parent == home / "data" / "guide"
    movement = CATALOG[opened.stem]
    assert shown.startswith(movement.name)
    assert opened.read_text(encoding="utf-8") == page(movement)
