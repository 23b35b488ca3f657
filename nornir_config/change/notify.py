"""Deliver watch notifications: a JSON POST to a webhook, a mail through an SMTP server.

Delivery is at least once per channel: a notification stays in the outbox (saved) until
every channel took it. A channel that fails is retried with a doubling pause, then left for
the next round (and skipped for the rest of this one, so a down server costs one retry
series per round, not one per event).
"""

from __future__ import annotations

import json
import smtplib
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from nornir_config.change.state import Notification, WatchState
from nornir_config.connection import why
from nornir_config.sot.schema import WatchEmail

TIMEOUT = 10.0  # seconds per attempt


class Channel(Protocol):
    name: str

    def send(self, note: Notification) -> None:
        """Deliver one notification, or raise."""


@dataclass
class Webhook:
    url: str
    name: str = "webhook"

    def send(self, note: Notification) -> None:
        body = json.dumps(note.payload(), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            if not 200 <= answer.status < 300:
                raise OSError(f"webhook answered HTTP {answer.status}")


@dataclass
class Email:
    settings: WatchEmail
    password: str = ""
    name: str = "email"

    def send(self, note: Notification) -> None:
        message = EmailMessage()
        message["Subject"] = f"[communelan] {note.summary}"
        message["From"] = self.settings.sender
        message["To"] = ", ".join(self.settings.to)
        message["X-Communelan-Event"] = note.id
        message.set_content(
            f"{note.summary}\n\n{note.detail}\n\ndevice: {note.device}\nevent: {note.key}\n"
            f"at: {note.at}\nreport: {note.report}\n"
        )
        with smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port, timeout=TIMEOUT) as s:
            if self.settings.starttls:
                s.starttls()
            if self.settings.username:
                s.login(self.settings.username, self.password)
            s.send_message(message)


@dataclass(frozen=True)
class Retry:
    attempts: int = 3
    pause: float = 1.0  # seconds before the 2nd attempt; doubles, capped at 60
    sleep: Callable[[float], None] = time.sleep


def deliver(
    state: WatchState,
    channels: list[Channel],
    save: Callable[[], object],
    retry: Retry = Retry(),
) -> dict[str, str]:
    """Send the outbox, oldest first; returns channel -> why it is failing (if any)."""
    by_name = {c.name: c for c in channels}
    failing: dict[str, str] = {}
    for note in list(state.outbox):
        for name in list(note.channels):
            channel = by_name.get(name)
            if channel is None:  # a channel no longer configured: nothing to send to
                note.channels.remove(name)
                continue
            if name in failing:
                continue
            error = _attempt(channel, note, retry)
            if error:
                failing[name] = error
            else:
                note.channels.remove(name)
        if not note.channels:
            state.mark_sent(note)
        save()
    return failing


def _attempt(channel: Channel, note: Notification, retry: Retry) -> str:
    """'' when sent, else why the last attempt failed."""
    error = ""
    for attempt in range(retry.attempts):
        if attempt:
            retry.sleep(min(retry.pause * 2 ** (attempt - 1), 60.0))
        try:
            channel.send(note)
            return ""
        except Exception as exc:  # refused, timeout, HTTP error, SMTP error: retry
            error = f"{channel.name}: {why(exc)}"
    return error
