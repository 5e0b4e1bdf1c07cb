"""A send's overall deadline: a timer that shuts the connection's socket when the time is up.

Socket timeouts bound each read and write, not the whole exchange: a robot answering one byte at a time, or a
mail server taking just under the timeout for every command, would hold one send for minutes — longer than the
dispatcher's lease on the message, after which another dispatcher sends it again. Shutting the socket wakes the
blocked read or write at once, whichever thread it is in, and the send fails.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from types import TracebackType

SocketOf = Callable[[], socket.socket | None]


class Deadline:
    """``with Deadline(seconds, socket_of) as deadline: …`` — if ``seconds`` pass before the block ends, the socket
    ``socket_of()`` returns then is shut, and so is one that appears later (see :meth:`enforce`)."""

    def __init__(self, seconds: float, socket_of: SocketOf) -> None:
        self.seconds = seconds
        self.expired = False
        self._socket_of = socket_of
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._timer.cancel()

    def enforce(self) -> None:
        """Shut the current socket if the time is already up: call it when a connection has just been made."""
        with self._lock:
            if self.expired:
                shut(self._socket_of())

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            shut(self._socket_of())


def shut(sock: socket.socket | None) -> None:
    """Shut ``sock`` for reading and writing; nothing if it is gone or already closed."""
    if sock is None:
        return
    try:  # the plain socket's shutdown: a TLS socket's own would drop its TLS state under the blocked reader
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass
