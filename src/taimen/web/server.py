"""Running the app: bind 127.0.0.1 first (so the Host check and the URL know the real port), then uvicorn.

Uvicorn's access log is off: a launch code travels in a query string, and nothing about a customer's visit
belongs in a log. The browser is opened with a one-time launch code; a second screen needs a new one, printed
when the clerk presses Enter in taimen's terminal or when the process receives SIGUSR1.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sys
import threading
import webbrowser
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from taimen.web.app import Settings, create_app
from taimen.web.loopback import is_loopback
from taimen.web.security import Guard

LOOPBACK = "127.0.0.1"


def bind(host: str = LOOPBACK, port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def _config(app: FastAPI) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=2,
        ws="none",
        server_header=False,
        date_header=False,
    )


class _Server(uvicorn.Server):
    """Ends the live event streams as soon as shutdown starts (else uvicorn waits for them)."""

    def __init__(self, config: uvicorn.Config, on_exit: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_exit = on_exit

    def handle_exit(self, sig: int, frame: object) -> None:
        self._on_exit()
        super().handle_exit(sig, frame)  # type: ignore[arg-type]


@dataclass
class Running:
    origin: str  # http://127.0.0.1:PORT
    guard: Guard
    app: FastAPI
    server: uvicorn.Server
    thread: threading.Thread | None = None

    def launch_url(self, path: str = "/") -> str:
        """A URL with a fresh one-time launch code (one browser, once)."""
        return f"{self.origin}{path}?code={self.guard.new_code()}"

    def stop(self) -> None:
        self.app.state.taimen.hub.close()
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(10)


def build(
    settings_for_port: Callable[[int], Settings], host: str = LOOPBACK, port: int = 0
) -> tuple[socket.socket, Running]:
    if not is_loopback(host):
        raise ValueError(f"{host} is not a loopback address; the counter app serves this machine only")
    sock = bind(host, port)
    real_port = sock.getsockname()[1]
    settings = settings_for_port(real_port)
    guard = settings.guard or Guard(port=real_port)
    settings.guard = guard
    app = create_app(settings)
    server = _Server(_config(app), app.state.taimen.hub.close)
    url_host = f"[{host}]" if ":" in host else host
    return sock, Running(f"http://{url_host}:{real_port}", guard, app, server)


@contextlib.contextmanager
def running_in_thread(settings_for_port: Callable[[int], Settings]) -> Iterator[Running]:
    """The app on a free loopback port in a background thread (tests, embedding)."""
    sock, run = build(settings_for_port)

    def target() -> None:
        asyncio.run(run.server.serve(sockets=[sock]))

    run.thread = threading.Thread(target=target, name="taimen-web", daemon=True)
    run.thread.start()
    for _ in range(500):
        if run.server.started:
            break
        threading.Event().wait(0.01)
    try:
        yield run
    finally:
        run.stop()
        sock.close()


def serve_forever(
    settings_for_port: Callable[[int], Settings],
    *,
    host: str = LOOPBACK,
    port: int = 0,
    open_browser: bool = True,
    announce: Callable[[str, bool], None] | None = None,
) -> int:
    """Serve until Ctrl-C. ``announce(url, opened)`` tells the clerk where the app is: the launch URL when no
    browser was opened for it, else only the address. Every Enter on a terminal stdin, and every SIGUSR1,
    announces a new launch URL for another screen."""
    sock, run = build(settings_for_port, host, port)
    say = announce or (lambda u, _opened: print(u, flush=True))
    if open_browser:
        say(run.origin, True)
        url = run.launch_url()  # only the browser gets this one
        threading.Timer(0.5, lambda: webbrowser.open(url, new=1)).start()
    else:
        say(run.launch_url(), False)

    def another(*_: object) -> None:
        say(run.launch_url(), False)

    previous = signal.signal(signal.SIGUSR1, another) if hasattr(signal, "SIGUSR1") else None
    if sys.stdin is not None and sys.stdin.isatty():
        threading.Thread(target=_on_enter, args=(another,), name="taimen-new-code", daemon=True).start()
    try:
        asyncio.run(run.server.serve(sockets=[sock]))
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        if previous is not None:
            signal.signal(signal.SIGUSR1, previous)
    return 0 if run.server.started else 1


def _on_enter(another: Callable[[], None]) -> None:
    for _line in sys.stdin:
        another()


def warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
