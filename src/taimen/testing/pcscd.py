"""Start, stop and check pcscd with vsmartcard's vpcd driver (for the end-to-end tests and CI).

``python3 -m taimen.testing.pcscd start`` (or ``scripts/start-pcscd.sh``) makes sure pcscd runs and shows the
vpcd readers, starting it when needed (root only: it needs /run/pcscd). Without systemd — containers, CI —
nothing else starts it. Several test runs may call this at once: starting is serialised by a file lock.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

RUN_DIR = Path("/run/pcscd")
PID_FILE = RUN_DIR / "pcscd.pid"
READER_CONF_DIR = Path("/etc/reader.conf.d")
VPCD_DRIVER = "libifdvpcd.so"
VPCD_READER_PREFIX = "Virtual PCD"
LOCK_DIR = Path(os.environ.get("TAIMEN_PCSC_LOCK_DIR", "/tmp/taimen-pcsc"))


class PcscdError(RuntimeError):
    """pcscd is not usable and could not be made usable."""


def lock_dir() -> Path:
    LOCK_DIR.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):
        LOCK_DIR.chmod(0o1777)  # shared by every developer on the machine, like /tmp
    return LOCK_DIR


@contextmanager
def file_lock(name: str, *, shared: bool = False, timeout: float = 600.0) -> Iterator[None]:
    """An fcntl lock on LOCK_DIR/name held across processes (waits up to ``timeout`` seconds)."""
    path = lock_dir() / name
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise PcscdError(f"waited {timeout:.0f} s for the lock {path}") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing drops the lock


def vpcd_configured() -> bool:
    """Is a reader.conf entry for the vpcd driver installed (Debian package vsmartcard-vpcd)?"""
    if not READER_CONF_DIR.is_dir():
        return False
    for conf in READER_CONF_DIR.iterdir():
        try:
            if VPCD_DRIVER in conf.read_text(errors="replace"):
                return True
        except OSError:
            continue
    return False


def vpcd_readers() -> list[str] | None:
    """The vpcd readers pcscd shows, or None when pcscd does not answer."""
    from smartcard import scard

    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return None
    try:
        hresult, names = scard.SCardListReaders(context, [])
        if hresult != scard.SCARD_S_SUCCESS:
            names = []
        return [n for n in names if n.startswith(VPCD_READER_PREFIX)]
    finally:
        scard.SCardReleaseContext(context)


def pid() -> int | None:
    """The pid of the running pcscd (from its pid file), or None."""
    try:
        value = int(PID_FILE.read_bytes().strip(b"\0 \n\t\r"))
    except (OSError, ValueError):
        return None
    return value if _alive(value) else None


def _wait(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return bool(predicate())  # type: ignore[operator]


def start(timeout: float = 10.0) -> None:
    """Start pcscd as a daemon and wait until it lists the vpcd readers."""
    if not vpcd_configured():
        raise PcscdError(
            f"no reader.conf entry for {VPCD_DRIVER} in {READER_CONF_DIR}: install the Debian package vsmartcard-vpcd"
        )
    if os.geteuid() != 0:
        raise PcscdError("pcscd is not running and only root can start it: run `sudo scripts/start-pcscd.sh`")
    RUN_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)
    if pid() is None:
        # Left by a pcscd that was killed: pcscd refuses to start while they name a pid that still exists
        # (a zombie not yet reaped counts), so clear them.
        for stale in (PID_FILE, RUN_DIR / "pcscd.comm"):
            stale.unlink(missing_ok=True)
    try:
        # Daemon mode: the parent returns once the daemon is initialised.
        done = subprocess.run(["pcscd"], capture_output=True, text=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise PcscdError("pcscd is not installed: apt-get install pcscd vsmartcard-vpcd") from None
    if not _wait(lambda: bool(vpcd_readers()), timeout):
        raise PcscdError(
            f"pcscd did not come up with the vpcd readers within {timeout:.0f} s "
            f"(exit {done.returncode}; {done.stderr.strip() or 'no output'})"
        )


def stop(timeout: float = 10.0) -> None:
    """Stop the running pcscd (SIGTERM, then SIGKILL) and wait until it has gone."""
    running = pid()
    if running is None:
        return
    os.kill(running, signal.SIGTERM)
    if not _wait(lambda: not _alive(running), timeout):
        os.kill(running, signal.SIGKILL)
        _wait(lambda: not _alive(running), 2.0)


def _alive(p: int) -> bool:
    try:
        os.kill(p, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still "exists"; pcscd daemonises, so it is never our child.
    try:
        return Path(f"/proc/{p}/stat").read_text().split()[2] != "Z"
    except OSError as exc:
        return exc.errno != errno.ENOENT


def ensure_running(timeout: float = 10.0) -> list[str]:
    """Make sure pcscd answers with the vpcd readers (starting it if needed); return their names."""
    names = vpcd_readers()
    if names:
        return names
    with file_lock("start.lock", timeout=60.0):
        names = vpcd_readers()
        if names:
            return names
        if names is not None:
            raise PcscdError(
                "pcscd runs but shows no 'Virtual PCD' reader: is vsmartcard-vpcd installed? "
                "restart pcscd after installing it"
            )
        start(timeout)
        return vpcd_readers() or []


def restart(timeout: float = 10.0) -> None:
    with file_lock("start.lock", timeout=60.0):
        stop(timeout)
        start(timeout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m taimen.testing.pcscd", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("start", "stop", "restart", "status"), nargs="?", default="start")
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            names = ensure_running(args.timeout)
        elif args.action == "stop":
            stop(args.timeout)
            print("pcscd stopped")
            return 0
        elif args.action == "restart":
            restart(args.timeout)
            names = vpcd_readers() or []
        else:
            names = vpcd_readers() or []
            if not names:
                print("pcscd is not running or shows no vpcd reader", file=sys.stderr)
                return 1
    except PcscdError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"pcscd running (pid {pid()}), vpcd readers: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
