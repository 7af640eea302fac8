"""Password rules: one-time passwords, the staff policy, hashing settings and their upgrade.

A one-time password (mật khẩu một lần) is printed on a login slip and typed on a phone, so it is
short and drawn from an alphabet without look-alikes (no 0/O, 1/l/I). It is hashed like any
password, with a cheaper scrypt setting (`OTP_HASH_METHOD`): it expires after
`OTP_VALID_DAYS` and is replaced at the first sign-in, and bulk creation hashes tens of
thousands of them (docs/accounts.md has the figures).
"""

import secrets
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # lower case: no shift key on a phone
STAFF_ROLES = ("admin", "trainer", "viewer")
STAFF_MIN_LENGTH = 10
TRAINEE_MIN_LENGTH = 8
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


def one_time_password() -> str:
    """A random one-time password of `OTP_LENGTH` characters from `ALPHABET`."""
    length = current_app.config["OTP_LENGTH"]
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords (lower case), read once per process."""
    lines = _COMMON_FILE.read_text(encoding="utf-8").split()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def problem(password: str, role: str) -> str | None:
    """Why `password` may not be chosen by a user of `role` (None when it may)."""
    minimum = STAFF_MIN_LENGTH if role in STAFF_ROLES else TRAINEE_MIN_LENGTH
    if len(password) < minimum:
        return _("Mật khẩu phải có ít nhất %(n)s ký tự.", n=minimum)
    if password.lower() in common_passwords():
        return _("Mật khẩu này quá phổ biến, dễ bị đoán. Hãy chọn mật khẩu khác.")
    return None


def hash_method() -> str:
    """The hashing setting for chosen passwords (werkzeug method string)."""
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")


@cache
def _prefix(method: str) -> str:
    # The method with werkzeug's defaults filled in, as it is written at the head of a hash.
    return generate_password_hash("", method=method).split("$", 1)[0]


def needs_rehash(password_hash: str, method: str | None = None) -> bool:
    """True when `password_hash` was made with other settings than `method` (default: the
    current chosen-password setting)."""
    return password_hash.split("$", 1)[0] != _prefix(method or hash_method())


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(8), method=method)


def check_dummy(password: str) -> None:
    """Spend the time of checking a chosen password, for an unknown or inactive username."""
    check_password_hash(_dummy_hash(hash_method()), password)


def hash_one_time(passwords: list[str]) -> list[str]:
    """Hashes of one-time passwords (`OTP_HASH_METHOD`), on a thread per core: scrypt in
    hashlib releases the interpreter lock."""
    method = current_app.config["OTP_HASH_METHOD"]

    def one(password: str) -> str:
        return generate_password_hash(password, method=method)

    if len(passwords) < 8:
        return [one(p) for p in passwords]
    with ThreadPoolExecutor(max_workers=current_app.config["OTP_HASH_THREADS"]) as pool:
        return list(pool.map(one, passwords))
