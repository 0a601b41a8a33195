"""Locales: the catalogs are current, en-GB says what a UK reader expects, tags are negotiated, dates are the locale's."""

from __future__ import annotations

import importlib.util
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backspasm import clock, i18n
from backspasm.knowledge import all_texts

ROOT = Path(__file__).resolve().parents[2]
US_ONLY = re.compile(r"911|acetaminophen|urgent.care|emergency department|doctor's office|physical therap|\bfever\b", re.I)


def _catalog_tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("catalog", ROOT / "scripts" / "catalog.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_catalogs_hold_every_sentence_and_nothing_stale() -> None:
    assert _catalog_tool().stale() == []


@pytest.mark.parametrize("sentence", [t for t in all_texts() if US_ONLY.search(t)])
def test_every_us_only_sentence_has_an_en_gb_wording_without_us_terms(sentence: str) -> None:
    gb = i18n.gettext("en-GB", sentence)
    assert gb != sentence, f"no en-GB wording for {sentence!r}"
    assert not US_ONLY.search(gb), gb


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en-US"),
        ("", "en-US"),
        ("en-GB,en;q=0.8", "en-GB"),
        ("en-US,en-GB;q=0.5", "en-US"),
        ("fr-FR,en-GB;q=0.3", "en-GB"),
        ("de-DE", "en-US"),
        ("en-IE", "en-GB"),
        ("en-IM", "en-GB"),
        ("en-JE", "en-GB"),
        ("en-GG", "en-GB"),
        # 999 is not the emergency number there: the default wording, never en-GB's "call 999".
        ("en-AU", "en-US"),
        ("en-NZ", "en-US"),
        ("en-IN", "en-US"),
        ("en-ZA", "en-US"),
        ("en-AU,en;q=0.8", "en-US"),
        ("en", "en-US"),
        ("en-gb;q=0.9, en-us;q=0.95", "en-US"),
        ("en-GB;q=0", "en-US"),
        ("*", "en-US"),
    ],
)
def test_accept_language_picks_the_best_supported_locale(header: str | None, expected: str) -> None:
    assert i18n.negotiate(header) == expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [({"LANG": "en_GB.UTF-8"}, "en-GB"), ({"LANG": "en_US.UTF-8"}, "en-US"), ({"LANG": "C.UTF-8"}, "en-US"),
     ({"LC_ALL": "en_GB.UTF-8", "LANG": "en_US.UTF-8"}, "en-GB"), ({}, "en-US"), ({"LANG": "fr_FR.UTF-8"}, "en-US"),
     ({"LANG": "en_IE.UTF-8"}, "en-GB"), ({"LANG": "en_AU.UTF-8"}, "en-US"), ({"LANG": "en_NZ.UTF-8"}, "en-US")],
)
def test_the_machine_language_sets_the_default_locale(env: dict[str, str], expected: str) -> None:
    assert i18n.from_environment(env) == expected


@pytest.mark.parametrize(
    ("locale", "plain", "with_year"),
    [("en-US", "Thu, Nov 26, 2:00\u202fPM", "Thu, Nov 26, 2026, 2:00\u202fPM"),
     ("en-GB", "Thu 26 Nov, 14:00", "Thu, 26 Nov 2026, 14:00")],
)
def test_one_formatter_writes_every_moment_the_locales_way(locale: str, plain: str, with_year: str) -> None:
    at = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    assert clock.moment(at, locale) == plain and clock.moment(at, locale, year=True) == with_year
    # The diary's times in a zone are the same words, after the change of zone.
    assert clock.when(datetime(2026, 11, 26, 19, 0, tzinfo=UTC), "America/New_York", locale) == plain
