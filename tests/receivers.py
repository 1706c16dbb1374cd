"""Local channels for the notification tests: an SMTP server (aiosmtpd) and a webhook receiver.

Both listen on 127.0.0.1 on a free port and keep what they receive; the webhook can be switched
down (answers 503) or made to hold each request until the test releases it.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpReceiver:
    """An aiosmtpd server keeping each message as (subject, plain-text body)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[str, str]] = []
        self.port = free_port()
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
                part = msg.get_body(preferencelist=("plain",))
                receiver.messages.append((str(msg["subject"]), part.get_content()))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def url(self) -> str:
        """The apprise URL of this server (no TLS, no login)."""
        return (f"mailto://127.0.0.1:{self.port}?from=scheduler@example.org"
                "&to=leads@example.org&mode=insecure&user=&pass=")

    def stop(self) -> None:
        """Stop listening."""
        self.controller.stop()


class WebhookReceiver:
    """A JSON webhook (apprise `json://`): keeps each body; `up` False answers 503."""

    def __init__(self, token: str = "s3cr3t-hook-token") -> None:
        self.messages: list[dict] = []
        self.up = True
        self.hold: threading.Event | None = None  # set: requests wait until it is set
        self.arrived = threading.Event()
        self.token = token
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.arrived.set()
                if receiver.hold is not None:
                    receiver.hold.wait(20)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if not receiver.up:
                    self.send_response(503)
                    self.end_headers()
                    return
                receiver.messages.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)  # stop() waits at most one poll
        self.thread.start()

    @property
    def url(self) -> str:
        """The apprise URL of this receiver (its path holds a secret token)."""
        return f"json://127.0.0.1:{self.server.server_port}/{self.token}"

    def stop(self) -> None:
        """Stop listening."""
        self.server.shutdown()
        self.server.server_close()
