"""Locales: which wordings exist, how a request picks one, and the gettext catalogs behind them.

Every user-facing sentence is written once in en-US (the knowledge base, the templates, the
CLI) and used as the gettext message id; a locale is a catalog under `locale/` that
translates the sentences whose wording differs (999 for 911, paracetamol for
acetaminophen, GP and NHS 111 for doctor and urgent care). A third language is one more
catalog, not a code change. Catalogs are read with Babel and compiled in memory once per
process, and only when that locale is used.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from functools import cache
from gettext import NullTranslations
from importlib import resources
from typing import TYPE_CHECKING

from .codes import DEFAULT_LOCALE, LOCALES, LocaleCode

if TYPE_CHECKING:  # Babel is imported when a catalog or a Locale is first needed, not at start-up
    from babel import Locale
    from jinja2 import Environment

DOMAIN = "backspasm"
_BY_LOWER: dict[str, LocaleCode] = {tag.lower(): tag for tag in LOCALES}
# English-speaking territories where 999 reaches the emergency services, so en-GB's "call 999" is right there:
# the UK, Ireland and the Crown Dependencies. Any other English (Australia 000, New Zealand 111, India 112,
# South Africa 10111, ...) gets the default wording rather than a number that would be wrong for certain.
EN_GB_TERRITORIES = frozenset({"GB", "IE", "IM", "JE", "GG"})


class UnknownLocale(ValueError):
    """A locale tag this project has no wording for."""

    def __init__(self, tag: str):
        self.tag = tag
        super().__init__(f"unknown locale {tag!r}; allowed: {', '.join(LOCALES)}")


def normalise(tag: str) -> LocaleCode:
    """A locale tag in any common spelling ('en-gb', 'en_GB', 'en_GB.UTF-8') as its canonical code."""
    key = tag.strip().split(".", 1)[0].split("@", 1)[0].replace("_", "-").lower()
    found = _BY_LOWER.get(key)
    if found is None:
        raise UnknownLocale(tag)
    return found


def best_match(tags: list[str]) -> LocaleCode | None:
    """The first supported locale among `tags` (most preferred first). English from a territory where 999 is the
    emergency number is en-GB; any other English (a bare 'en' too) is the default, en-US."""
    for tag in tags:
        try:
            return normalise(tag)
        except UnknownLocale:
            pass
        from babel import Locale, UnknownLocaleError

        try:
            parsed = Locale.parse(tag.replace("-", "_").split(".", 1)[0])
        except (ValueError, TypeError, UnknownLocaleError):
            continue
        if parsed.language == "en":
            return "en-GB" if (parsed.territory or "") in EN_GB_TERRITORIES else DEFAULT_LOCALE
    return None


def negotiate(accept_language: str | None) -> LocaleCode:
    """The locale an HTTP Accept-Language header prefers (RFC 9110 q-values), else the default."""
    if not accept_language:
        return DEFAULT_LOCALE
    weighted: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept_language.split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag and tag != "*" and q > 0:
            weighted.append((-q, i, tag.strip()))
    return best_match([tag for _, _, tag in sorted(weighted)]) or DEFAULT_LOCALE


def from_environment(environ: Mapping[str, str] | None = None) -> LocaleCode:
    """The locale the machine's language settings ask for (LC_ALL, LC_MESSAGES, LANG), else the default."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value and value not in ("C", "POSIX", "C.UTF-8"):
            return best_match([value]) or DEFAULT_LOCALE
    return DEFAULT_LOCALE


def babel_locale(locale: str) -> Locale:
    """The Babel Locale for formatting dates and numbers."""
    from babel import Locale

    return Locale.parse(normalise(locale).replace("-", "_"))


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalog for `locale` (the identity for en-US, whose sentences are the message ids)."""
    code = normalise(locale)
    if code == DEFAULT_LOCALE:
        return NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    folder = code.replace("-", "_")
    path = resources.files(__package__).joinpath("locale", folder, "LC_MESSAGES", f"{DOMAIN}.po")
    with path.open("rb") as f:
        catalog = read_po(f, locale=folder, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def gettext(locale: str, message: str) -> str:
    """`message` (an en-US sentence) in `locale`'s wording."""
    if locale == DEFAULT_LOCALE:
        return message
    return translations(locale).gettext(message)


def install_jinja(env: Environment) -> None:
    """Translate `env`'s templates with Jinja2's i18n extension: `{% trans %}` and `_()` read the catalog of
    the template variable `locale` (so one environment serves every locale); each sentence on one line."""
    from jinja2 import pass_context
    from jinja2.runtime import Context

    def of(ctx: Context) -> NullTranslations:
        value = ctx.get("locale")
        return translations(value if isinstance(value, str) and value in LOCALES else DEFAULT_LOCALE)

    @pass_context
    def gettext_(ctx: Context, message: str) -> str:
        return of(ctx).gettext(message)

    @pass_context
    def ngettext_(ctx: Context, singular: str, plural: str, n: int) -> str:
        return of(ctx).ngettext(singular, plural, n)

    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(gettext_, ngettext_, newstyle=True)  # type: ignore[attr-defined]


__all__ = [
    "DOMAIN",
    "UnknownLocale",
    "babel_locale",
    "best_match",
    "from_environment",
    "gettext",
    "install_jinja",
    "negotiate",
    "normalise",
    "translations",
]
