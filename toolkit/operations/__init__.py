"""Keeping it running: the heartbeat, systemd's notify protocol, `toolkit status`
and `/healthz`, the notifications (events from the store, messages, the outbox with retries,
apprise), and the engagement insights (counts collected after publishing, rolled up per fact).
It may import every layer below it, never `scheduler` or `surfaces`.
"""
