"""The repository carries its own documents, and they stay true: links resolve, tables match the rules."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from cogapp import Cog
from fastapi.testclient import TestClient

from backspasm.codes import CONDITION_CODES, FINDING_CODES, SOURCE_REFS
from backspasm.knowledge import load

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [ROOT / "README.md", *DOCS]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = unicodedata.normalize("NFKD", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return {slug(h) for h in re.findall(r"^#{1,6}\s+(.+?)\s*$", text, flags=re.M)}


def relative_links(page: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return [t for t in LINK.findall(text) if not re.match(r"^[a-z][a-z0-9+.-]*:", t)]


def test_the_documents_exist() -> None:
    assert {p.name for p in DOCS} >= {"contract.md", "clinical-basis.md"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves_inside_the_repository(page: Path) -> None:
    links = relative_links(page)
    broken = []
    for target in links:
        path, _, fragment = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        outside = not dest.exists() or ROOT not in dest.parents
        if outside or (fragment and dest.suffix == ".md" and fragment not in anchors(dest)):
            broken.append(target)
    assert broken == [], f"{page.name}: links that do not resolve: {broken}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_document_points_at_files_outside_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "CONTRACT.md" not in text and "PATHWAY.md" not in text


def test_the_readme_links_both_documents() -> None:
    links = relative_links(ROOT / "README.md")
    assert any(link.startswith("docs/contract.md") for link in links)
    assert any(link.startswith("docs/clinical-basis.md") for link in links)


def test_the_generated_tables_match_the_knowledge_base() -> None:
    """`make docs` rewrites them; a rule changed without its document fails here."""
    status = Cog().main(["cog", "--check", "-I", str(ROOT / "scripts"), *map(str, DOCS)])
    assert status == 0, "docs are stale: run `make docs`"


def test_the_contract_document_names_every_finding_and_condition_code() -> None:
    text = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    missing = [c for c in (*FINDING_CODES, *CONDITION_CODES) if f"`{c}`" not in text]
    assert missing == []


def test_the_clinical_basis_names_every_source_ref_and_every_finding() -> None:
    text = (ROOT / "docs" / "clinical-basis.md").read_text(encoding="utf-8")
    assert [r for r in SOURCE_REFS if f"`{r}`" not in text] == []
    assert [c for c in FINDING_CODES if f"`{c}`" not in text] == []
    for src in load().sources.values():
        assert src.title in text and (src.url is None or src.url in text)


def test_every_deviation_from_a_source_is_documented() -> None:
    text = (ROOT / "docs" / "clinical-basis.md").read_text(encoding="utf-8")
    for f in load().findings.values():
        if f.deviation:
            assert f.deviation in text


def test_the_api_description_and_the_report_point_inside_the_repository() -> None:
    from backspasm.web import create_app

    with TestClient(create_app("sqlite://", secret_key="docs")) as client:
        schema = client.get("/api/v1/openapi.json").text
    assert "docs/contract.md" in schema and "CONTRACT.md" not in schema
    report = (ROOT / "src" / "backspasm" / "report" / "templates" / "report.html.j2").read_text(encoding="utf-8")
    assert "docs/clinical-basis.md" in report and "PATHWAY.md" not in report
    for mentioned in re.findall(r"docs/[\w.-]+\.md", schema + report):
        assert (ROOT / mentioned).exists(), mentioned


def test_the_readme_safety_net_example_shows_what_the_engine_says() -> None:
    import json

    from backspasm import assess, parse_assessment

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"\$ echo '(\{[^']*\"locale\": \"en-GB\"[^']*\})' \\\n.*?\n(.*?)```", readme, re.S)
    assert example, "README lost its safety-net example"
    r = assess(parse_assessment(json.loads(example.group(1))))
    emergency = [w.text for w in r.watch_for if w.get("level") == "emergency"]
    assert example.group(2).strip().splitlines() == [r.urgency, *emergency, str(len(r.to_ask))]
