"""Signing and verification of Kraty webhook deliveries.

Kraty signs every webhook ``POST`` with an ``X-Signature`` header of the form
``t=<unix seconds>,v1=<hex>[,v1=<hex>...]``, where each hex value is
HMAC-SHA256(secret, ``b"<t>." + raw body bytes``). During a secret rotation the
header carries one ``v1=`` value per active secret, and a receiver accepts the
delivery if any of them matches.

:func:`verify_webhook` is what receivers call; :func:`sign_webhook` produces the
header value (used by Kraty Local's dispatcher and handy in receiver tests).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

__all__ = ["sign_webhook", "verify_webhook"]

#: How far (in seconds) a signature timestamp may lie in the future of ``now``.
FUTURE_TOLERANCE_SECONDS = 60

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
_SECOND = timedelta(seconds=1)
_WHITESPACE = " \t\r\n"
# ASCII digits only (str.isdigit() would also accept e.g. Arabic-Indic or superscript digits).
# The length cap keeps int() cheap; a longer value can never fall inside the window anyway.
_TIMESTAMP_RE = re.compile(r"[0-9]{1,32}")
_V1_RE = re.compile(r"[0-9a-fA-F]{64}")


def _utc_microseconds(moment: datetime) -> int:
    """Microseconds since the Unix epoch; a naive datetime is taken to be UTC."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (moment - _EPOCH) // _MICROSECOND


def _body_bytes(raw_body: object) -> bytes | None:
    if isinstance(raw_body, str):
        try:
            return raw_body.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates
            return None
    if isinstance(raw_body, (bytes, bytearray, memoryview)):
        return bytes(raw_body)
    return None


def _signature(key: bytes, timestamp: str, body: bytes) -> bytes:
    return hmac.new(key, timestamp.encode("ascii") + b"." + body, hashlib.sha256).digest()


def _parse_header(header: str) -> tuple[str, list[str]] | None:
    """Split a signature header into its ``t`` value and all ``v1`` values.

    Returns ``None`` unless there is exactly one ``t``. Empty parts, parts without
    ``=`` and unknown schemes (``v0=`` ...) are ignored.
    """
    timestamps: list[str] = []
    candidates: list[str] = []
    for part in header.split(","):
        key, sep, value = part.partition("=")
        if not sep:
            continue
        key = key.strip(_WHITESPACE)
        value = value.strip(_WHITESPACE)
        if key == "t":
            timestamps.append(value)
        elif key == "v1":
            candidates.append(value)
    if len(timestamps) != 1:
        return None
    return timestamps[0], candidates


def verify_webhook(
    *,
    raw_body: bytes | str,
    signature_header: str,
    secret: str,
    tolerance_seconds: int = 300,
    now: datetime | None = None,
) -> bool:
    """Return whether ``signature_header`` is a valid, fresh signature of ``raw_body``.

    ``raw_body`` must be the exact bytes received (a ``str`` is encoded as UTF-8).
    The signature timestamp may be at most ``tolerance_seconds`` old and at most
    60 seconds in the future relative to ``now`` (both edges inclusive); ``now``
    defaults to the current time, and a naive ``now`` is interpreted as UTC. A
    negative ``tolerance_seconds`` rejects everything. Every ``v1`` value is
    compared in constant time and any match is accepted (secret rotation).

    Never raises on malformed input: anything unparsable, of the wrong type, or an
    empty secret simply yields ``False``.
    """
    if not isinstance(signature_header, str) or not isinstance(secret, str) or not secret:
        return False
    if isinstance(tolerance_seconds, bool) or not isinstance(tolerance_seconds, (int, float)):
        return False
    if not tolerance_seconds >= 0:  # also rejects NaN
        return False
    body = _body_bytes(raw_body)
    if body is None:
        return False
    try:
        key = secret.encode("utf-8")
    except UnicodeEncodeError:
        return False

    parsed = _parse_header(signature_header)
    if parsed is None:
        return False
    timestamp, candidates = parsed
    if not _TIMESTAMP_RE.fullmatch(timestamp):
        return False

    if now is None:
        now = datetime.now(timezone.utc)
    elif not isinstance(now, datetime):
        return False
    try:
        now_us = _utc_microseconds(now)
    except Exception:  # e.g. overflow, or a tzinfo whose utcoffset() misbehaves
        return False
    age_us = now_us - int(timestamp) * 1_000_000
    if not -FUTURE_TOLERANCE_SECONDS * 1_000_000 <= age_us <= tolerance_seconds * 1_000_000:
        return False

    expected = _signature(key, timestamp, body)
    matched = False
    for candidate in candidates:  # no early exit: check every v1 value
        if _V1_RE.fullmatch(candidate):
            matched |= hmac.compare_digest(expected, bytes.fromhex(candidate))
    return matched


def sign_webhook(
    raw_body: bytes | str,
    secret: str | Sequence[str],
    *,
    timestamp: int | datetime | None = None,
) -> str:
    """Return the ``X-Signature`` header value for ``raw_body``.

    ``secret`` is one secret or a sequence of secrets (during a rotation); the header
    gets one ``v1=`` value per secret, in the given order. ``timestamp`` is Unix
    seconds or a ``datetime`` (naive means UTC; sub-second parts are dropped) and
    defaults to now.

    Raises ``TypeError``/``ValueError`` on invalid arguments; messages never include
    the secret.
    """
    if isinstance(raw_body, str):
        body = raw_body.encode("utf-8")
    elif isinstance(raw_body, (bytes, bytearray, memoryview)):
        body = bytes(raw_body)
    else:
        raise TypeError(f"raw_body must be bytes or str, not {type(raw_body).__name__}")

    secrets: Sequence[object] = [secret] if isinstance(secret, str) else secret
    if isinstance(secrets, (bytes, bytearray)) or not isinstance(secrets, Sequence):
        raise TypeError("secret must be a str or a sequence of str")
    if not secrets:
        raise ValueError("at least one secret is required")
    keys: list[bytes] = []
    for item in secrets:
        if not isinstance(item, str):
            raise TypeError(f"secrets must be str, not {type(item).__name__}")
        if not item:
            raise ValueError("secret must not be empty")
        try:
            keys.append(item.encode("utf-8"))
        except UnicodeEncodeError:
            # `from None`: the original exception carries the secret in its args.
            raise ValueError("secret is not encodable as UTF-8") from None

    if timestamp is None:
        seconds = int(time.time())
    elif isinstance(timestamp, datetime):
        seconds = _utc_microseconds(timestamp) // 1_000_000
    elif isinstance(timestamp, int) and not isinstance(timestamp, bool):
        seconds = timestamp
    else:
        raise TypeError(f"timestamp must be int or datetime, not {type(timestamp).__name__}")
    if seconds < 0:
        raise ValueError("timestamp must not be before the Unix epoch")

    t = str(seconds)
    parts = [f"t={t}"]
    parts.extend(f"v1={_signature(key, t, body).hex()}" for key in keys)
    return ",".join(parts)
