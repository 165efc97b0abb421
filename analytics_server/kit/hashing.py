"""Hashes used for ids and dictionary look-ups."""

from __future__ import annotations

import hashlib
import secrets
import zlib


def crc32(text: str) -> int:
    """CRC32 of a UTF-8 string, the look-up hash of the action dictionary."""
    return zlib.crc32(text.encode("utf-8")) & 0xFFFFFFFF


def visitor_id_from_user_id(user_id: str) -> bytes:
    """8-byte visitor id derived from a User ID (first 16 hex of its SHA-1)."""
    return bytes.fromhex(hashlib.sha1(user_id.encode("utf-8")).hexdigest()[:16])


def random_visitor_id() -> bytes:
    return secrets.token_bytes(8)


def config_id(parts: list[str]) -> bytes:
    """8-byte fingerprint of the configuration parts (md5, first 8 bytes)."""
    return hashlib.md5("".join(parts).encode("utf-8"), usedforsecurity=False).digest()[:8]


def token_hash(token: str) -> str:
    """How API tokens are stored: SHA-256 hex; tokens are random and long, so no salt is needed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
