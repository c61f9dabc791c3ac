"""budge's one connection to the D-Bus session bus, in pure Python (jeepney).

The tray (StatusNotifierItem and dbusmenu), the notifications and the desktop
senses all go through this module, so nothing budge needs on Linux has to be
compiled.

One connection serves the whole process. A notification service such as
dunst sends its ``ActionInvoked`` and ``NotificationClosed`` signals only to
the connection that sent the notification, and a tray host talks to the
connection that registered the icon, so both must stay open, and one is
enough.

Threads: a receiver thread reads every message as it arrives (an unread
message would sit in memory for the life of the process) and hands replies to
the callers waiting for them. Method calls to objects budge exports and the
signals it subscribed to are run, in order, on one dispatch thread, where a
handler may itself call out over the bus. Both threads sleep in blocking
calls between messages: no timers, no wake-ups while nothing happens.
:meth:`Bus.call`, :meth:`Bus.emit` and the rest may be called from any thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from functools import partial
from typing import Any

log = logging.getLogger("budge")

CALL_TIMEOUT = 2.0  # seconds: nothing on the bus may hold up a reminder for long
DBUS = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")
PROPERTIES = "org.freedesktop.DBus.Properties"


class BusUnavailable(Exception):
    """There is no session bus to talk to, or it cannot be reached."""


class BusError(Exception):
    """A call over the bus failed: an error reply, no reply in time, or a closed bus."""

    def __init__(self, message: str, name: str = "") -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class Call:
    """A method call to one of budge's exported objects."""

    sender: str
    path: str
    interface: str
    member: str
    args: tuple[Any, ...]


class Reply:
    """What an exported object answers: a signature and the values."""

    def __init__(self, signature: str = "", *values: Any) -> None:
        self.signature = signature
        self.values = values


class MethodError(Exception):
    """Raised by a handler to answer a call with a D-Bus error."""

    def __init__(self, name: str, message: str = "") -> None:
        super().__init__(message or name)
        self.name = name


Handler = Callable[[Call], Reply]


@dataclass(frozen=True)
class Signal:
    sender: str
    path: str
    interface: str
    member: str
    args: tuple[Any, ...]


class Subscription:
    def __init__(self, bus: Bus, rule: Any, callback: Callable[[Signal], None]) -> None:
        self._bus = bus
        self.rule = rule
        self.callback = callback

    def cancel(self) -> None:
        self._bus._unsubscribe(self)


class Bus:
    """A connection to a message bus, with its receiver and dispatch threads."""

    def __init__(self, address: str) -> None:
        try:
            from jeepney.io.threading import open_dbus_connection
        except ImportError as error:  # a dependency of budge on Linux
            raise BusUnavailable("the jeepney package is not installed") from error
        try:
            self._conn = open_dbus_connection(address, auth_timeout=CALL_TIMEOUT)
        except Exception as error:
            raise BusUnavailable(f"can't reach the session bus ({error})") from error
        self.address = address
        self.unique_name: str = self._conn.unique_name
        self._lock = threading.Lock()
        self._waiting: dict[int, Future[Any]] = {}
        self._objects: dict[str, Handler] = {}
        self._subscriptions: list[Subscription] = []
        self._work: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self.closed = False
        self._receiver = threading.Thread(target=self._receive, name="budge-bus", daemon=True)
        self._dispatcher = threading.Thread(target=self._dispatch, name="budge-bus-dispatch",
                                            daemon=True)
        self._receiver.start()
        self._dispatcher.start()

    # calling out

    def call(self, destination: str, path: str, interface: str, member: str,
             signature: str = "", *args: Any, timeout: float = CALL_TIMEOUT) -> tuple[Any, ...]:
        """Call a method and wait for its reply; raises :class:`BusError`."""
        from jeepney import DBusAddress, MessageType, new_method_call

        message = new_method_call(DBusAddress(path, destination, interface), member,
                                  signature or None, args)
        future: Future[Any] = Future()
        with self._lock:
            if self.closed:
                raise BusError("the bus connection is closed")
            serial = next(self._conn.outgoing_serial)
            self._waiting[serial] = future
        try:
            self._conn.send(message, serial=serial)
            reply = future.result(timeout=timeout)
        except FutureTimeout:
            raise BusError(f"{destination} did not answer {member} in time") from None
        except BusError:
            raise
        except Exception as error:
            raise BusError(f"{member} could not be sent ({error})") from error
        finally:
            with self._lock:
                self._waiting.pop(serial, None)
        if reply.header.message_type is MessageType.error:
            name = _field(reply, "error_name") or "error"
            detail = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
            raise BusError(f"{name}: {detail}".rstrip(": "), name)
        return tuple(reply.body)

    def get_property(self, destination: str, path: str, interface: str, name: str,
                     timeout: float = CALL_TIMEOUT) -> Any:
        (variant,) = self.call(destination, path, PROPERTIES, "Get", "ss", interface, name,
                               timeout=timeout)
        return variant[1]

    def has_owner(self, name: str) -> bool:
        return bool(self.call(*DBUS, "NameHasOwner", "s", name)[0])

    def name_owner(self, name: str) -> str:
        """The unique name of the connection that owns ``name`` now; "" for none."""
        try:
            return str(self.call(*DBUS, "GetNameOwner", "s", name)[0])
        except BusError as error:
            if error.name == "org.freedesktop.DBus.Error.NameHasNoOwner":
                return ""
            raise

    def request_name(self, name: str) -> bool:
        """Own a well-known name (not queued, not replacing); True when owned."""
        (result,) = self.call(*DBUS, "RequestName", "su", name, 4)  # DO_NOT_QUEUE
        return result in (1, 4)  # primary owner, or already the owner

    def release_name(self, name: str) -> None:
        self.call(*DBUS, "ReleaseName", "s", name)

    # signals

    def emit(self, path: str, interface: str, member: str, signature: str = "",
             *args: Any, destination: str | None = None) -> None:
        """Send a signal: to everyone listening, or to ``destination`` alone."""
        from jeepney import DBusAddress, HeaderFields, new_signal

        if self.closed:
            return
        message = new_signal(DBusAddress(path, interface=interface), member, signature or None,
                             args)
        if destination is not None:
            message.header.fields[HeaderFields.destination] = destination
        try:
            self._conn.send(message)
        except Exception as error:
            log.debug("signal %s not sent: %s", member, error)

    def subscribe(self, callback: Callable[[Signal], None], *, interface: str,
                  member: str | None = None, sender: str | None = None,
                  path: str | None = None, arg0: str | None = None) -> Subscription:
        """Call ``callback`` on the dispatch thread for every matching signal."""
        from jeepney import MatchRule

        rule = MatchRule(type="signal", interface=interface, member=member, sender=sender,
                         path=path)
        if arg0 is not None:
            rule.add_arg_condition(0, arg0)
        subscription = Subscription(self, rule, callback)
        with self._lock:
            self._subscriptions.append(subscription)
        self.call(*DBUS, "AddMatch", "s", rule.serialise())
        return subscription

    def _unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            if subscription not in self._subscriptions:
                return
            self._subscriptions.remove(subscription)
        if not self.closed:
            try:
                self.call(*DBUS, "RemoveMatch", "s", subscription.rule.serialise())
            except BusError as error:
                log.debug("match not removed: %s", error)

    def watch_name(self, name: str, callback: Callable[[str], None]) -> Subscription:
        """Call ``callback(new_owner)`` whenever ``name`` changes hands ("" when gone)."""
        return self.subscribe(lambda signal: callback(signal.args[2]),
                              interface=DBUS[2], member="NameOwnerChanged", sender=DBUS[0],
                              arg0=name)

    # serving

    def export(self, path: str, handler: Handler) -> None:
        """Answer method calls to ``path`` with ``handler``, on the dispatch thread."""
        with self._lock:
            self._objects[path] = handler

    def close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
            waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            future.set_exception(BusError("the bus connection was closed"))
        self._work.put(None)
        with contextlib.suppress(Exception):
            self._conn.close()  # wakes the receiver, which then ends
        for thread in (self._receiver, self._dispatcher):
            if thread is not threading.current_thread():
                thread.join(timeout=2)

    # the two threads

    def _receive(self) -> None:
        from jeepney import MessageType

        while True:
            try:
                message = self._conn.receive()
            except Exception as error:
                if not self.closed:
                    log.warning("the session bus connection ended (%s)", error or
                                type(error).__name__)
                    threading.Thread(target=self.close, daemon=True).start()
                return
            kind = message.header.message_type
            if kind in (MessageType.method_return, MessageType.error):
                with self._lock:
                    future = self._waiting.pop(_field(message, "reply_serial"), None)
                if future is not None:
                    future.set_result(message)
            elif kind is MessageType.method_call:
                self._work.put(partial(self._answer, message))
            elif kind is MessageType.signal:
                with self._lock:
                    matched = [s for s in self._subscriptions if s.rule.matches(message)]
                for subscription in matched:
                    self._work.put(partial(subscription.callback, _signal(message)))

    def _dispatch(self) -> None:
        while (work := self._work.get()) is not None:
            try:
                work()
            except Exception:
                log.exception("a D-Bus handler failed")

    def _answer(self, message: Any) -> None:
        from jeepney import MessageFlag, new_error, new_method_return

        path = _field(message, "path")
        interface = _field(message, "interface") or ""
        member = _field(message, "member")
        handler = self._objects.get(path)
        if interface == "org.freedesktop.DBus.Peer":
            handler = _peer
        try:
            if handler is None:
                raise MethodError("org.freedesktop.DBus.Error.UnknownObject", f"no object {path}")
            reply = handler(Call(_field(message, "sender") or "", path, interface, member,
                                 tuple(message.body)))
            answer = new_method_return(message, reply.signature or None, reply.values)
        except MethodError as error:
            answer = new_error(message, error.name, "s", (str(error),))
        except Exception as error:
            log.exception("answering %s.%s failed", interface, member)
            answer = new_error(message, "org.freedesktop.DBus.Error.Failed", "s", (str(error),))
        if message.header.flags & MessageFlag.no_reply_expected:
            return
        try:
            self._conn.send(answer)
        except Exception as error:
            log.debug("reply to %s not sent: %s", member, error)


def _peer(call: Call) -> Reply:
    if call.member == "Ping":
        return Reply()
    if call.member == "GetMachineId":
        try:
            with open("/etc/machine-id") as file:
                return Reply("s", file.read().strip())
        except OSError as error:
            raise MethodError("org.freedesktop.DBus.Error.Failed", str(error)) from error
    raise MethodError("org.freedesktop.DBus.Error.UnknownMethod", call.member)


def _field(message: Any, name: str) -> Any:
    from jeepney import HeaderFields

    return message.header.fields.get(getattr(HeaderFields, name))


def _signal(message: Any) -> Signal:
    return Signal(_field(message, "sender") or "", _field(message, "path") or "",
                  _field(message, "interface") or "", _field(message, "member") or "",
                  tuple(message.body))


def unknown_method(call: Call) -> MethodError:
    return MethodError("org.freedesktop.DBus.Error.UnknownMethod",
                       f"no method {call.interface}.{call.member}")


# The process's one session connection, opened when first needed.

_session: Bus | None = None
_session_lock = threading.Lock()


def session(env: dict[str, str] | None = None) -> Bus:
    """The session bus connection of this process, opened on first use.

    Raises :class:`BusUnavailable` when there is no session bus. A connection
    that has ended is replaced by a new one at the next call.
    """
    global _session
    address = (env if env is not None else os.environ).get("DBUS_SESSION_BUS_ADDRESS")
    if not address:
        raise BusUnavailable("no session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
    with _session_lock:
        if _session is not None and not _session.closed and _session.address == address:
            return _session
        stale, _session = _session, Bus(address)
    if stale is not None:
        stale.close()
    return _session


def close_session() -> None:
    global _session
    with _session_lock:
        bus, _session = _session, None
    if bus is not None:
        bus.close()
