"""API keys: `rw_<prefix>_<secret>`. The prefix finds the client; the whole key is compared by its SHA-256 hash."""

import hashlib
import hmac
import secrets

KEY_START = "rw_"


def key_make() -> tuple[str, str, str]:
    """A new key: (the key, shown once; its prefix; its hash, kept)."""
    prefix = secrets.token_hex(6)
    key = f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, key_hash(key)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str | None:
    """The prefix of a key in our form, or None for anything else."""
    if not key.startswith(KEY_START):
        return None
    prefix, _, secret = key[len(KEY_START) :].partition("_")
    return prefix if len(prefix) == 12 and secret else None


def key_matches(key: str, kept_hash: str) -> bool:
    return hmac.compare_digest(key_hash(key), kept_hash)
