"""PINs: kept only as a salted scrypt hash (standard library), compared in constant time.

Stored text: `scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>`, so the cost can be raised later and old
hashes still check."""

from __future__ import annotations

import hashlib
import hmac
import os

PIN_MIN = 4
PIN_MAX = 32
_N, _R, _P = 2**14, 8, 1


def clean_pin(pin: str) -> str:
    """The PIN as typed, or ValueError (Chinese) if it is too short, too long or has spaces."""
    if not isinstance(pin, str):
        raise ValueError("PIN 必须是文字")
    if len(pin) < PIN_MIN:
        raise ValueError(f"PIN 至少 {PIN_MIN} 位")
    if len(pin) > PIN_MAX:
        raise ValueError(f"PIN 最多 {PIN_MAX} 位")
    if any(ch.isspace() or not ch.isprintable() for ch in pin):
        raise ValueError("PIN 不能包含空格或控制字符")
    return pin


def hash_pin(pin: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(clean_pin(pin).encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    """True if `pin` hashes to `stored`; False for a wrong PIN or a stored value that is not ours."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = bytes.fromhex(digest)
        got = hashlib.scrypt(
            pin.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, AttributeError, TypeError):
        return False
    return hmac.compare_digest(got, expected)
