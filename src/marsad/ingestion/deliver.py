"""Alerts out: send the outbox (`marsad deliver`, and the watcher after each pass) by webhook and email.

Delivery is at least once. An alert is marked sent only after the receiver took it (a 2xx answer; the SMTP
server accepting the message), in its own transaction after the send, so a crash between the two sends it again
on the next run and loses nothing; the receiver drops repeats by the alert's ``key``. Every attempt is kept
(``delivery_attempts``). A failure is retried with exponential backoff and jitter (``backoff``), the attempt
count and next time in the outbox; a run keeps retrying what comes due within ``max_wait`` seconds, later runs
the rest, and after ``max_attempts`` an alert is marked failed (kept, shown on the watchlists page).

Webhooks are JSON POSTs of the alert body with ``X-Marsad-Signature: sha256=<hex>``, the HMAC-SHA256 of the raw
body under the watchlist's secret, and the key in ``X-Marsad-Key`` / ``Idempotency-Key``. They go through the
fetcher's address guard: a private or loopback target is refused (and stays pending, no attempt counted) unless
allowed; so is an email alert while no SMTP server is configured. Email goes
through the SMTP server of ``MARSAD_SMTP_URL`` (``smtp://[user:password@]host[:port]``, ``smtps://`` for TLS,
``?starttls=1``), from ``MARSAD_SMTP_FROM``, one message per alert or digest, its ``Message-ID`` made from the key.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import random
import smtplib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from marsad.errors import ConfigError, FetchError
from marsad.ingestion.alerts import AlertStore, make_digests
from marsad.sources.guard import check_address, guarded_transport, is_ip_literal, system_resolve
from marsad.sources.options import FetchOptions
from marsad.times import parse_utc, to_iso, utc_now
from marsad.version import __version__

T = TypeVar("T")
Runner = Callable[..., Awaitable[Any]]
"""``await db(call, *args)``: how store calls are run (directly, or on the watcher's store thread)."""
SIGNATURE_HEADER = "X-Marsad-Signature"


@dataclass(frozen=True, slots=True)
class DeliverOptions:
    """How alerts are sent."""

    allow_private: bool = False
    allow_loopback: bool = False
    timeout: float = 10.0                   # seconds for one webhook POST or SMTP conversation
    max_attempts: int = 10                  # then the alert is marked failed
    backoff_base: float = 1.0               # before retry n: base * 2**(n-1), capped, times a jitter in [0.5, 1)
    backoff_cap: float = 3600.0
    max_wait: float = 30.0                  # a run waits for retries due within this many seconds (0: none)
    batch: int = 100
    smtp_url: str | None = field(default_factory=lambda: os.environ.get("MARSAD_SMTP_URL") or None)
    smtp_from: str = field(default_factory=lambda: os.environ.get("MARSAD_SMTP_FROM") or "marsad@localhost")

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.timeout <= 0 or self.backoff_base < 0 or self.max_wait < 0:
            raise ConfigError("deliver options: max_attempts >= 1, timeout > 0, backoff_base and max_wait >= 0")


@dataclass(slots=True)
class DeliverReport:
    """What one delivery run did."""

    sent: int = 0
    failed_attempts: int = 0
    gave_up: int = 0
    refused: int = 0
    digests: int = 0
    pending: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON."""
        return {"sent": self.sent, "failed_attempts": self.failed_attempts, "gave_up": self.gave_up,
                "refused": self.refused, "digests": self.digests, "pending": self.pending,
                "errors": self.errors[:20]}


def sign(secret: str, body: bytes) -> str:
    """The signature header value: ``sha256=`` and the hex HMAC-SHA256 of the raw body under the secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """True when ``header`` is the signature of ``body`` (what a receiver checks; constant time)."""
    return hmac.compare_digest(sign(secret, body), header.strip())


def backoff(attempts: int, options: DeliverOptions, rand: Callable[[], float] = random.random) -> float:
    """Seconds before the next try after ``attempts`` failed ones: exponential, capped, with jitter."""
    return min(options.backoff_cap, options.backoff_base * 2 ** max(0, attempts - 1)) * (0.5 + 0.5 * rand())


async def _direct(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return call(*args, **kwargs)


class Refused(Exception):
    """The webhook's host is a private or loopback address and that was not allowed."""


class Deliverer:
    """Sends due alerts of one store. ``transport`` replaces the network for webhooks (the address check still
    applies to every host); ``db`` runs store calls (the watcher passes its store thread)."""

    def __init__(self, store: AlertStore, options: DeliverOptions | None = None, *,
                 transport: httpx.AsyncBaseTransport | None = None, db: Runner | None = None,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self.options = options or DeliverOptions()
        o = self.options
        self._fetch = FetchOptions(allow_private=o.allow_private, allow_loopback=o.allow_loopback)
        self._db: Runner = db or _direct
        self._clock = clock
        self._secrets: dict[str, str | None] = {}
        self._client = httpx.AsyncClient(
            transport=transport or guarded_transport(self._fetch, self._resolve, None),
            follow_redirects=False, trust_env=False, timeout=httpx.Timeout(o.timeout),
            headers={"User-Agent": f"Marsad/{__version__} (alerts)", "Content-Type": "application/json"})

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def _resolve(self, host: str) -> list[str]:
        """Every address of ``host``, each checked by the fetcher's address guard."""
        host = host.strip("[]").lower()
        addresses = [host] if is_ip_literal(host) else list(dict.fromkeys(await system_resolve(host)))
        for ip in addresses:
            check_address(ip, self._fetch)
        return addresses

    async def run(self) -> DeliverReport:
        """Make the digests that are due, then send every due alert; retries due within ``max_wait`` are waited
        for, the rest left to a later run."""
        report = DeliverReport()
        report.digests = await self._db(make_digests, self.store)
        skipped: set[int] = set()             # refused this run: not retried, not waited for
        while True:
            now = self._clock()
            rows = await self._db(self.store.due_alerts, to_iso(now), limit=self.options.batch + len(skipped))
            due = [a for a in rows if a["id"] not in skipped][: self.options.batch]
            if due:
                for alert in due:
                    await self._deliver(alert, report, skipped)
                continue
            waiting = [a for a in await self._db(self.store.due_alerts, "9999", limit=len(skipped) + 1)
                       if a["id"] not in skipped]
            if not waiting:
                break
            next_at = parse_utc(waiting[0]["next_attempt_at"]) or self._clock()
            wait = (next_at - self._clock()).total_seconds()
            if wait > self.options.max_wait:
                break
            await asyncio.sleep(max(0.0, wait))
        report.pending = len(await self._db(self.store.due_alerts, "9999", limit=100_000))
        return report

    async def _deliver(self, alert: dict[str, Any], report: DeliverReport, skipped: set[int]) -> None:
        """One attempt at one alert, recorded after it ended."""
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            if alert["channel"] == "webhook":
                status = await self._webhook(alert)
                ok = 200 <= status < 300
                if not ok:
                    error = f"HTTP {status}"
            else:
                status = await asyncio.to_thread(self._email, alert)
                ok = True
        except (Refused, ConfigError) as exc:     # this run's settings, not the receiver: no attempt is counted
            skipped.add(alert["id"])
            report.refused += 1
            report.errors.append(f"{alert['watchlist']}: {exc}")
            return
        except (httpx.HTTPError, OSError, smtplib.SMTPException, FetchError) as exc:
            ok, error = False, f"{type(exc).__name__}: {exc}"[:500]
            if isinstance(exc, smtplib.SMTPResponseException):
                status = exc.smtp_code
        seconds = time.perf_counter() - started
        attempts = int(alert["attempts"]) + 1
        next_at = None
        if not ok and attempts < self.options.max_attempts:
            next_at = to_iso(self._clock() + timedelta(seconds=backoff(attempts, self.options)))
        await self._db(self.store.record_attempt, alert["id"], ok=ok, status=status, error=error, seconds=seconds,
                       next_attempt_at=next_at)
        if ok:
            report.sent += 1
        else:
            report.failed_attempts += 1
            report.errors.append(f"{alert['watchlist']} → {alert['target']}: {error}")
            if next_at is None:
                report.gave_up += 1

    async def _secret(self, name: str) -> str | None:
        if name not in self._secrets:
            row = await self._db(self.store.get_watchlist, name)
            self._secrets[name] = row["secret"] if row else None
        return self._secrets[name]

    async def _webhook(self, alert: dict[str, Any]) -> int:
        """POST the body, signed; the HTTP status."""
        body = str(alert["body"]).encode("utf-8")
        headers = {"X-Marsad-Key": alert["key"], "Idempotency-Key": alert["key"]}
        secret = await self._secret(alert["watchlist"])
        if secret:
            headers[SIGNATURE_HEADER] = sign(secret, body)
        try:
            response = await self._client.post(alert["target"], content=body, headers=headers)
        except FetchError as exc:
            if exc.reason == "refused_address":
                raise Refused(f"{exc} (pass --allow-loopback or --allow-private to send to it)") from None
            raise
        return response.status_code

    def _email(self, alert: dict[str, Any]) -> int:
        """Send one message through the configured SMTP server; its reply code."""
        url = self.options.smtp_url
        if not url:
            raise ConfigError("an email alert needs an SMTP server: set MARSAD_SMTP_URL (smtp://host:port)")
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError(f"MARSAD_SMTP_URL must be smtp://host[:port] or smtps://..., not {url!r}")
        message = email_message(alert, sender=self.options.smtp_from)
        smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
        with smtp_class(parts.hostname, port, timeout=self.options.timeout) as smtp:
            if parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true", "yes"):
                smtp.starttls()
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            smtp.send_message(message)
            code, _ = smtp.noop()
        return int(code)


def email_message(alert: dict[str, Any], *, sender: str) -> EmailMessage:
    """The email of one alert (or digest): a readable text and the alert's JSON after it."""
    payload = json.loads(alert["body"])
    message = EmailMessage()
    name = payload.get("watchlist", alert["watchlist"])
    if "articles" in payload:
        arts = payload["articles"]
        subject = f"مرصد — {name}: {len(arts)} مقالات ({payload.get('digest')} {payload['window']['start']})"
    else:
        arts = [payload["article"]]
        subject = f"مرصد — {name}: {arts[0].get('title') or ''}"
    message["Subject"] = subject[:250]
    message["From"] = sender
    message["To"] = alert["target"]
    message["Message-ID"] = f"<{alert['key']}@marsad>"
    message["X-Marsad-Key"] = alert["key"]
    lines = []
    for a in arts:
        lines += [a.get("title") or "", " · ".join(str(x) for x in (a.get("source"), a.get("published_at")) if x),
                  a.get("url") or "", ""]
    message.set_content("\n".join(lines) + "\n" + json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return message


def deliver(store: AlertStore, options: DeliverOptions | None = None, *,
            transport: httpx.AsyncBaseTransport | None = None) -> DeliverReport:
    """Send what is due now (``marsad deliver``)."""
    async def main() -> DeliverReport:
        deliverer = Deliverer(store, options, transport=transport)
        try:
            return await deliverer.run()
        finally:
            await deliverer.aclose()

    return asyncio.run(main())


__all__ = ["SIGNATURE_HEADER", "DeliverOptions", "DeliverReport", "Deliverer", "backoff", "deliver",
           "email_message", "sign", "verify"]
