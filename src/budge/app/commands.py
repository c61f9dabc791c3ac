"""Commands as data: what ``budge <command>`` sends and how an App carries it out.

The same dispatch serves the running daemon (over the control channel) and
the command line when no daemon runs, so both behave the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from budge.app.application import App


def dispatch(app: App, request: dict[str, Any]) -> dict[str, Any]:
    command = request.get("cmd")
    if command == "status":
        return {"ok": True, "status": app.status().to_json()}
    if command == "done":
        reply = app.done()
    elif command == "skip":
        reply = app.skip()
    elif command == "snooze":
        seconds = request.get("seconds")
        reply = app.snooze(timedelta(seconds=int(seconds)) if seconds else None)
    elif command == "pause":
        if request.get("tomorrow"):
            reply = app.pause_until_tomorrow()
        else:
            reply = app.pause(datetime.fromisoformat(str(request["until"])))
    elif command == "resume":
        reply = app.resume()
    elif command == "rest":
        reply = app.set_day(str(request.get("mode", "rest")))
    elif command == "reload":
        reply = app.reload()
    elif command == "refresh":
        reply = app.refresh()
    elif command == "felt":
        movement = request.get("movement")
        reply = app.felt(str(request.get("feeling", "")),
                         str(movement) if movement is not None else None)
    elif command == "body":
        note = request.get("note")
        reply = app.body(request.get("ease"),  # type: ignore[arg-type]  # checked by App.body
                         note if isinstance(note, str) else None)
    else:
        return {"ok": False, "message": f"unknown command {command!r}"}
    message = reply.message
    if reply.ok and app.store.write_error is not None:
        message += (f" (Not on disk yet: {app.store.write_error}. budge keeps it and saves it "
                    "as soon as it can.)")
    answer = {"ok": reply.ok, "message": message, "status": app.status().to_json()}
    if reply.usage:
        answer["usage"] = True
    return answer
