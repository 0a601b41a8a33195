"""Which new passwords are refused: too short, too long, all blank, too few different characters, common, or the email.

The common passwords are a list shipped as data (data/common-passwords.txt); a
password is also common when it is one of them with digits or symbols added at
either end, or spelt with digits for letters (p@ssw0rd).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from ..contract import BadInput

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MIN_DISTINCT = 4
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
_PADDING = "0123456789!@#$%^&*()-_=+.,;:?~`'\"[]{}<>/\\| "


@cache
def common_passwords() -> frozenset[str]:
    text = files("backspasm.web").joinpath("data", "common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    """True for a listed password, or one with padding at either end, or in letter-for-digit spelling."""
    common = common_passwords()
    lowered = password.lower()
    core = lowered.strip(_PADDING)
    candidates = {lowered, core, lowered.translate(_LEET), core.translate(_LEET)}
    candidates |= {c.strip(_PADDING) for c in list(candidates)}
    return any(c in common for c in candidates if c)


def check_new_password(password: object, confirm: object | None = None, email: object = None) -> str:
    """The password, or BadInput naming the field when it is unusable."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise BadInput([("password", f"must be at least {MIN_PASSWORD} characters")])
    if len(password) > MAX_PASSWORD:
        raise BadInput([("password", f"must be at most {MAX_PASSWORD} characters")])
    if not password.strip():
        raise BadInput([("password", "cannot be only spaces")])
    if len(set(password)) < MIN_DISTINCT:
        raise BadInput([("password", f"must use at least {MIN_DISTINCT} different characters")])
    if is_common(password):
        raise BadInput([("password", "is one of the most common passwords, which are tried first; choose another")])
    if isinstance(email, str) and email:
        local = email.split("@", 1)[0].lower()
        if password.lower() == email.lower() or (len(local) >= 4 and local in password.lower()):
            raise BadInput([("password", "must not contain your email address")])
    if confirm is not None and confirm != password:
        raise BadInput([("password_confirm", "does not match the password")])
    return password
