"""Keep the gettext catalogs in step with the sentences they translate.

    python scripts/catalog.py extract   # write src/backspasm/locale/backspasm.pot
    python scripts/catalog.py update    # merge the template into every locale's .po
    python scripts/catalog.py check     # exit 1 when the template or a catalog is stale

Message ids are the en-US sentences: every user-facing sentence of the knowledge base,
every `_("...")` in the Python sources, and every `{% trans %}` / `_()` in the templates.
A new locale is `mkdir -p src/backspasm/locale/xx_YY/LC_MESSAGES` and an `update`.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "backspasm"
LOCALE_DIR = PACKAGE / "locale"
TEMPLATE = LOCALE_DIR / "backspasm.pot"
DOMAIN = "backspasm"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
# The templates' environments set the i18n policy "trimmed": each {% trans %} block is one line.
TEMPLATE_OPTIONS = {pattern: {"extensions": "jinja2.ext.i18n", "trimmed": "true", "trim_blocks": "true",
                              "lstrip_blocks": "true"} for pattern in ("**.html", "**.j2")}
METHODS = [
    ("**.py", "python"),
    ("web/templates/**.html", "jinja2"),
    ("report/templates/**.j2", "jinja2"),
]


def _knowledge() -> Iterator[tuple[str, str]]:
    sys.path.insert(0, str(ROOT / "src"))
    from backspasm.knowledge import all_texts

    for text in all_texts():
        yield text, "knowledge/*.yaml"


def _sources() -> Iterator[tuple[str, str]]:
    for filename, lineno, message, _comments, _context in extract_from_dir(
        PACKAGE, METHODS, keywords=KEYWORDS, options_map=TEMPLATE_OPTIONS
    ):
        if isinstance(message, tuple):
            message = message[0]
        if message:
            yield message, f"{filename}:{lineno}"


def template() -> Catalog:
    """The message template: every sentence that a locale may translate."""
    cat = Catalog(project="backspasm", domain=DOMAIN, charset="utf-8", fuzzy=False, copyright_holder="the backspasm authors")
    for message, where in (*_knowledge(), *_sources()):
        entry = cat.get(message)
        if entry is None:
            path, _, line = where.partition(":")
            cat.add(message, locations=[(path, int(line) if line else None)])
    return cat


def _render(cat: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, cat, omit_header=False, sort_output=False, width=100, include_lineno=False, ignore_obsolete=True)
    return buf.getvalue()


def catalogs() -> list[Path]:
    return sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def merged(po: Path, tmpl: Catalog) -> Catalog:
    """A locale's catalog updated to the template: translations kept, stale ids dropped."""
    with po.open("rb") as f:
        cat = read_po(f, locale=po.parent.parent.name, domain=DOMAIN)
    cat.update(tmpl, no_fuzzy_matching=True)
    cat.obsolete.clear()
    return cat


def stale() -> list[str]:
    """What `extract` and `update` would change, as lines for a person."""
    tmpl = template()
    problems = []
    if not TEMPLATE.exists() or _strip_dates(TEMPLATE.read_bytes()) != _strip_dates(_render(tmpl)):
        problems.append(f"{TEMPLATE.relative_to(ROOT)} is out of date: run `python scripts/catalog.py extract`")
    for po in catalogs():
        if _strip_dates(po.read_bytes()) != _strip_dates(_render(merged(po, tmpl))):
            problems.append(f"{po.relative_to(ROOT)} is out of date: run `python scripts/catalog.py update`")
    return problems


def _strip_dates(data: bytes) -> bytes:
    return b"\n".join(line for line in data.splitlines() if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date')))


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
        TEMPLATE.write_bytes(_render(template()))
        return 0
    if command == "update":
        tmpl = template()
        for po in catalogs():
            po.write_bytes(_render(merged(po, tmpl)))
        return 0
    if command == "check":
        problems = stale()
        for line in problems:
            print(line, file=sys.stderr)
        return 1 if problems else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
