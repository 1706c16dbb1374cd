"""A loopback TCP proxy that breaks the connection the way networks do, for end-to-end tests.

`refuse()` closes the listening socket and every open connection, so the next connect gets a real
"connection refused" (ECONNREFUSED) until `resume()` listens on the same port again.
`lose_answer_to(marker)` lets the next request whose bytes contain `marker` reach the server,
waits for the server's answer, and then closes the client's connection without passing it on:
the server did the work, the client never hears of it.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading


class FaultyProxy:
    """Forwards 127.0.0.1:`port` to `target`; see the module's docstring for the faults."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._conns: list[socket.socket] = []
        self._lose: bytes | None = None
        self.lost = 0  # answers dropped
        self._listener = self._listen(0)
        self.port = self._listener.getsockname()[1]
        self._start_accepting()

    @property
    def url(self) -> str:
        """The proxy's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def _listen(self, port: int) -> socket.socket:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(16)
        return s

    def _start_accepting(self) -> None:
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by refuse() or close()
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._conns += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        dropping = False
        try:
            while True:
                ready, _, _ = select.select([client, upstream], [], [], 30)
                if not ready:
                    continue
                for src in ready:
                    data = src.recv(65536)
                    if not data:
                        return
                    if src is client:
                        with self._lock:
                            if self._lose is not None and self._lose in data:
                                self._lose, dropping = None, True
                        upstream.sendall(data)
                    elif dropping:  # the server answered: the client never hears it
                        self.lost += 1
                        return
                    else:
                        client.sendall(data)
        except OSError:
            return
        finally:
            for s in (client, upstream):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def lose_answer_to(self, marker: str) -> None:
        """Drop the answer to the next request that contains `marker` (e.g. a method's NSID)."""
        with self._lock:
            self._lose = marker.encode()

    def refuse(self) -> None:
        """Stop listening and cut every connection: connecting is refused until `resume()`."""
        with contextlib.suppress(OSError):  # wakes the accepting thread (close alone does not)
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def resume(self) -> None:
        """Listen on the same port again."""
        self._listener = self._listen(self.port)
        self._start_accepting()

    def close(self) -> None:
        """Stop for good."""
        self.refuse()
