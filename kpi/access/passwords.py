"""Passwords: argon2id hashes (argon2-cffi's defaults; the salt and the parameters live inside the
hash text), a check that never raises for a wrong password, and the one strength rule users are told.
A password itself is never stored, logged or written to the audit trail."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(hashed: str, password: str) -> bool:
    """Whether `password` is the one `hashed` was made from; False for a wrong password or a hash
    that is not an argon2 hash (a damaged row), never an exception."""
    try:
        return _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(hashed: str) -> bool:
    """Whether a hash was made with weaker parameters than today's (re-hashed at the next sign-in)."""
    try:
        return _hasher.check_needs_rehash(hashed)
    except (InvalidHashError, ValueError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is refused (Chinese), or None."""
    if len(password) < MIN_LENGTH:
        return f"密码太短：至少 {MIN_LENGTH} 个字符"
    if not password.strip():
        return "密码不能全是空格"
    return None
