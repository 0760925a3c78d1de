"""Signatures of saved reports: Ed25519 (RFC 8032, via ``cryptography``), with a key kept outside the report folder.

What is signed: each report's ``manifest.json`` (which holds the sha256 of report.json, report.html and
report.pdf), each review entry of ``reviews.jsonl`` (whose hash covers the previous entry, so the chain starts
at the signed manifest) and each line of ``registry.jsonl``. Each signature covers a domain-separation prefix
(``privacylift <kind> v1``) and the exact bytes.

Why Ed25519 and not an HMAC with the store's secret: an HMAC key verifies *and* signs, so every board member
able to check a report could also forge one; and checking a report would need the pseudonymization secret,
which together with the database reverses low-entropy pseudonyms (phone numbers). With Ed25519 the board checks
with the **public** key only, which cannot sign and reveals nothing about the data.

Keys
----
- The private key: the file named by ``PRIVACYLIFT_SIGNING_KEY``, else ``$XDG_CONFIG_HOME/privacylift/
  report-signing.key`` (``~/.config/…``): created on first use (mode 0600, folder 0700), refused when others can
  read it, and refused when it sits inside the reports folder (a forger with the folder would have the key).
- The trusted public key, which :func:`analysis.report.verify_report` checks against: ``--public-key`` (hex) or
  ``PRIVACYLIFT_SIGNING_PUBLIC_KEY``; else the one derived from the private key file, when this machine has it.
  Never a key found in the report folder: a forger would simply put theirs there.

>>> import tempfile, os, pathlib
>>> os.environ[SIGNING_KEY_ENV] = str(pathlib.Path(tempfile.mkdtemp()) / "k")
>>> sig = sign("manifest", b"{}")
>>> verify(trusted_public_key(), "manifest", b"{}", sig["signature"]), verify(trusted_public_key(), "manifest", b"{ }", sig["signature"])
(True, False)
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from analysis.pseudonym import create_key_file

__all__ = [
    "ALGORITHM", "SIGNING_KEY_ENV", "PUBLIC_KEY_ENV", "SigningKeyError", "signing_key_path", "sign", "verify",
    "trusted_public_key", "public_key_hex", "key_id", "check_key_outside",
]

ALGORITHM = "Ed25519"
SIGNING_KEY_ENV = "PRIVACYLIFT_SIGNING_KEY"
PUBLIC_KEY_ENV = "PRIVACYLIFT_SIGNING_PUBLIC_KEY"
_KINDS = ("manifest", "review", "registry")


class SigningKeyError(ValueError):
    """The signing key cannot be used (unreadable, readable by others, inside the reports folder, malformed)."""


def signing_key_path() -> Path:
    """Where the private signing key is (see the module docstring)."""
    named = os.environ.get(SIGNING_KEY_ENV)
    if named:
        return Path(named).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "privacylift" / "report-signing.key"


def _crypto():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    return Ed25519PrivateKey, Ed25519PublicKey


def _raw_public(public) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_hex(public) -> str:
    """The 32-byte public key as 64 hex characters (what a board is given to check reports with)."""
    return _raw_public(public).hex()


def key_id(public) -> str:
    """A short name of a public key: the first 16 hex characters of the sha256 of its bytes."""
    return hashlib.sha256(_raw_public(public)).hexdigest()[:16]


def _load_private(path: Path):
    private_cls, _ = _crypto()
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SigningKeyError(f"The report signing key {path} can be read by other users (mode {stat.S_IMODE(mode):o});"
                              f" make it private with `chmod 600 {path}`.")
    text = path.read_text(encoding="ascii").strip()
    try:
        return private_cls.from_private_bytes(bytes.fromhex(text))
    except ValueError:
        raise SigningKeyError(f"The report signing key {path} must hold 32 bytes as 64 hex characters.") from None


def _private_key(create: bool = True):
    path = signing_key_path()
    if path.exists():
        return _load_private(path)
    if not create:
        return None
    private_cls, _ = _crypto()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = private_cls.generate()
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    if not create_key_file(path, key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())):
        return _load_private(path)  # created by another process meanwhile
    return key


def check_key_outside(folder: str | Path) -> None:
    """Refuse to sign with a key kept inside ``folder`` (the reports folder): whoever can change the reports
    there could then sign their changes."""
    path = signing_key_path().resolve()
    if path.is_relative_to(Path(folder).resolve()):
        raise SigningKeyError(f"The report signing key {path} is inside the reports folder {folder}: anyone who can "
                              f"change the reports could sign them. Keep it elsewhere ({SIGNING_KEY_ENV}).")


def _message(kind: str, data: bytes) -> bytes:
    if kind not in _KINDS:
        raise ValueError(f"Unknown kind of signed data {kind!r}.")
    return f"privacylift {kind} v1\n".encode("ascii") + data


def sign(kind: str, data: bytes) -> dict[str, str]:
    """Sign ``data`` (of ``kind`` manifest, review or registry) with the private key (created on first use)."""
    key = _private_key(create=True)
    return {"algorithm": ALGORITHM, "key_id": key_id(key.public_key()),
            "signature": key.sign(_message(kind, data)).hex()}


def trusted_public_key(explicit: str | None = None):
    """The public key reports are checked against: ``explicit`` hex, else ``PRIVACYLIFT_SIGNING_PUBLIC_KEY``,
    else the private key file's; None when none is available."""
    _, public_cls = _crypto()
    text = explicit or os.environ.get(PUBLIC_KEY_ENV)
    if text:
        try:
            return public_cls.from_public_bytes(bytes.fromhex(text.strip()))
        except ValueError:
            raise SigningKeyError("A report public key must be 64 hex characters (32 bytes of an Ed25519 key). "
                                  f"Got {len(text.strip())} characters instead.") from None
    private = _private_key(create=False)
    return private.public_key() if private is not None else None


def verify(public, kind: str, data: bytes, signature_hex: str) -> bool:
    """Whether ``signature_hex`` is ``public``'s signature of ``data``."""
    from cryptography.exceptions import InvalidSignature

    try:
        public.verify(bytes.fromhex(str(signature_hex)), _message(kind, data))
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False
