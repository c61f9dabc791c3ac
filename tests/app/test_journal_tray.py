"""The journal in the tray menu: "How did the last one feel?" and "How is your
body today?", in-process with pystray's menu objects, then end to end through
the StatusNotifierItem stand-in panel of tests/bus_standins.py, clicked over
dbusmenu."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path
from typing import Any

from bus_standins import NotificationService, Panel, Watcher, questions, ready
from processes import home_on_bus, running_daemon, stored, wait_for
from samples import snapshot

from budge.app.tray import LAST_FELT_QUESTION, PystrayTray, ease_label, felt_label
from budge.core.journal import BODY_QUESTION

FEELING_LABELS = ["Easier", "Same", "Tighter"]
EASE_LABELS = ["10 · at ease", *(str(n) for n in range(9, -1, -1))]


def item(tray: PystrayTray, prefix: str) -> Any:
    return next(i for i in tray._icon.menu.items if i.text.startswith(prefix))


def felt_rows(home: Path) -> list[tuple[str, str]]:
    return stored(home, "SELECT movement, detail FROM events WHERE kind = 'felt' ORDER BY rowid")


def body_rows(home: Path) -> list[int]:
    return [json.loads(detail)["ease"] for (detail,) in
            stored(home, "SELECT detail FROM events WHERE kind = 'body' ORDER BY rowid")]


def test_the_items_follow_the_last_done_and_answer_what_they_named(
        harness, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = harness()
    tray = PystrayTray(h.app, "dummy", tmp_path / "config.toml", tmp_path / "card.png",
                       on_quit=lambda: None)
    body = item(tray, BODY_QUESTION)
    assert body.visible  # always there, and asked nowhere by the menu itself
    assert [c.text for c in body.submenu.items] == EASE_LABELS
    assert not any(c.checked for c in body.submenu.items)
    felt = item(tray, LAST_FELT_QUESTION)
    assert not felt.visible  # nothing done yet: nothing to ask about

    h.app.done()
    first = h.app.snapshot.last_done
    assert first is not None and felt.visible
    assert felt.text == f"How did the last one feel? · {first.name}"
    assert [c.text for c in felt.submenu.items] == FEELING_LABELS
    assert all(c.radio for c in felt.submenu.items) and not any(
        c.checked for c in felt.submenu.items)
    tighter = felt.submenu.items[2]
    tighter(tray._icon)
    ((movement, detail),) = felt_rows(h.home)
    (done_id,) = stored(h.home, "SELECT id FROM events WHERE kind = 'done'")[0]
    assert (movement, detail) == (first.id, f"tighter:{done_id}")
    assert [c.checked for c in felt.submenu.items] == [False, False, True]

    # A menu that named the first movement answers about it, even after another
    # was done since it was drawn.
    h.app.skip()  # the next movement is another one
    assert felt.text.endswith(first.name)
    h.app.done()
    second = h.app.snapshot.last_done
    assert second is not None and second.id != first.id
    felt.submenu.items[0](tray._icon)
    assert felt_rows(h.home)[-1][0] == first.id
    assert felt_rows(h.home)[-1][1].startswith("easier:")
    assert felt.text.endswith(second.name)  # drawn again: the latest, not yet answered
    assert not any(c.checked for c in felt.submenu.items)

    # The body's ease: the day's last choice stands, and is the one checked.
    body.submenu.items[3](tray._icon)  # 7
    body.submenu.items[0](tray._icon)  # 10
    assert body_rows(h.home) == [7, 10]
    assert [c.text for c in body.submenu.items if c.checked] == ["10 · at ease"]


def test_labels() -> None:
    assert ease_label(10) == "10 · at ease" and ease_label(0) == "0"
    assert felt_label(snapshot()) == "How did the last one feel?"
    assert felt_label(snapshot(last_done=snapshot().current)) == (
        "How did the last one feel? · Neck tilts")


def children(panel: Panel, label: str) -> dict[str, dict[str, Any]]:
    return {c["label"]: c for c in panel.find(label)["children"]}


def click(panel: Panel, node: dict[str, Any]) -> None:
    panel.bus.call(panel.service, "/MenuBar", "com.canonical.dbusmenu", "Event", "isvu",
                   node["id"], "clicked", ("i", 0), 0)


def test_through_the_panel_the_answers_are_stored_and_close_the_question(
        tmp_path: Path, bus_address: str) -> None:
    home, env = home_on_bus(tmp_path, bus_address, 'interval = "1h"\n[journal]\nask = "always"\n')
    with (closing(Watcher(bus_address)) as watcher,
          closing(NotificationService(bus_address)) as service,
          running_daemon(env, "-v") as daemon):
        assert watcher.registered.wait(15), daemon.output()
        panel = Panel(bus_address, watcher.items[0][1])
        ready(panel)
        daemon.wait_line("budge started", 15)  # the notifier is in place, and Quit works
        ids = [n["id"] for n in panel.layout()["children"]]
        felt = panel.find(LAST_FELT_QUESTION)
        assert felt["props"]["visible"] is False  # nothing done yet
        assert panel.find(BODY_QUESTION)["props"]["visible"] is True
        ease = children(panel, BODY_QUESTION)
        assert list(ease) == EASE_LABELS
        assert all(c["props"]["toggle-type"] == "radio" for c in ease.values())
        assert not any(c["props"]["toggle-state"] for c in ease.values())

        # The body's ease, from the menu: stored, and checked in place.
        before = len(panel.signals)
        click(panel, ease["6"])
        wait_for(lambda: body_rows(home) == [6], 10, "the ease stored")
        wait_for(lambda: children(panel, BODY_QUESTION)["6"]["props"]["toggle-state"] == 1, 10,
                 "6 checked")
        assert "LayoutUpdated" not in panel.names()[before:]

        # Done: the question item appears (by visibility, the ids stay), naming it.
        before = len(panel.signals)
        panel.click("Done")
        wait_for(lambda: panel.find(LAST_FELT_QUESTION)["props"]["visible"], 10,
                 "the question item")
        (done_id, movement), = stored(home, "SELECT id, movement FROM events WHERE kind = "
                                            "'done'")
        felt = panel.find(LAST_FELT_QUESTION)
        assert felt["label"].startswith("How did the last one feel? · ")
        assert [n["id"] for n in panel.layout()["children"]] == ids
        assert "LayoutUpdated" not in panel.names()[before:]
        # The notification asks too; an answer in the tray closes it.
        question = wait_for(lambda: questions(service), 10, "the question")[0]
        assert question["id"] in service.on_screen
        choices = children(panel, LAST_FELT_QUESTION)
        assert list(choices) == FEELING_LABELS
        click(panel, choices["Same"])
        wait_for(lambda: felt_rows(home), 10, "the answer stored")
        assert felt_rows(home) == [(movement, f"same:{done_id}")]
        wait_for(lambda: question["id"] in service.closed, 10,
                 "the question answered in the tray to close")
        wait_for(lambda: children(panel, LAST_FELT_QUESTION)["Same"]["props"]["toggle-state"]
                 == 1, 10, "Same checked")
        assert daemon.proc.poll() is None
