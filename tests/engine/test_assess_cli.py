"""The CLI speaks the contract: JSON in and out, exit 2 with a named field on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backspasm.cli import app

runner = CliRunner()


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args), input=stdin)
    return r.exit_code, r.stdout, r.stderr


def test_one_object_in_one_result_out() -> None:
    code, out, _ = invoke("assess", "--json", "-", stdin='{"hours_since_onset": 2, "pain": 2}')
    assert code == 0
    assert json.loads(out)["urgency"] == "self_care"


def test_an_array_in_an_array_out_in_order() -> None:
    batch = [{"hours_since_onset": 2, "pain": p} for p in (2, 8, 3)]
    code, out, _ = invoke("assess", "--json", "-", stdin=json.dumps(batch))
    assert code == 0
    assert [r["urgency"] for r in json.loads(out)] == ["self_care", "soon", "self_care"]


def test_an_empty_array_gives_an_empty_array() -> None:
    code, out, _ = invoke("assess", "--json", "-", stdin="[]")
    assert (code, json.loads(out)) == (0, [])


def test_reads_a_file(tmp_path: Path) -> None:
    f = tmp_path / "a.json"
    f.write_text('{"hours_since_onset": 60, "pain": 8}')
    code, out, _ = invoke("assess", "--json", str(f))
    assert code == 0 and json.loads(out)["urgency"] == "soon"


@pytest.mark.parametrize(
    ("stdin", "words"),
    [
        ('{"hours_since_onset": 2, "pain": 11}', "pain"),
        ('{"hours_since_onset": 2, "pain": 2, "finding": ["fever"]}', "finding"),
        ('[{"hours_since_onset": 2, "pain": 2}, {"hours_since_onset": 2}]', "[1].pain"),
        ("not json", "not valid JSON"),
        ("", "not valid JSON"),
    ],
)
def test_bad_input_exits_2_with_the_field_on_stderr_and_nothing_on_stdout(stdin: str, words: str) -> None:
    code, out, err = invoke("assess", "--json", "-", stdin=stdin)
    assert code == 2
    assert out == ""
    assert words in err


def test_a_missing_file_is_bad_input() -> None:
    code, out, err = invoke("assess", "--json", "/nonexistent/a.json")
    assert (code, out) == (2, "")
    assert "no such file" in err


def test_interactive_without_a_terminal_says_what_to_do() -> None:
    code, _out, err = invoke("assess", stdin="")
    assert code == 2 and "--json" in err


@pytest.mark.parametrize("code", ["fever", "nsaid", "manual_therapy", "posture", "pregnancy"])
def test_explain_knows_every_kind_of_code(code: str) -> None:
    status, out, _ = invoke("explain", code)
    assert status == 0 and "Source" in out


def test_explain_an_unknown_code_exits_2() -> None:
    status, _, err = invoke("explain", "nonsense")
    assert status == 2 and "unknown code" in err


def test_knowledge_prints_every_finding_with_a_source() -> None:
    status, out, _ = invoke("knowledge", "--json")
    data = json.loads(out)
    assert status == 0
    assert len(data["findings"]) == 24 and all(f["source"]["ref"] for f in data["findings"])


def test_knowledge_table_names_sources_by_title_and_address_never_by_ref() -> None:
    r = runner.invoke(app, ["knowledge"], env={"COLUMNS": "400"})
    assert r.exit_code == 0 and "https://www.nhs.uk/conditions/back-pain/" in r.stdout
    assert "article:when-to-consult" not in r.stdout and "guideline:" not in r.stdout


def test_the_installed_command_runs_as_a_process() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "backspasm", "assess", "--json", "-"],
        input='{"hours_since_onset": 10, "pain": 6, "findings": ["chest_pain"]}',
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["plan"][0]["code"] == "call_emergency"


def test_help_does_not_import_the_heavy_libraries() -> None:
    code = (
        "import sys; from backspasm.cli import app; "
        "heavy = [m for m in ('spacy', 'sqlalchemy', 'fastapi', 'medspacy', 'fhir') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""


def test_the_package_exports_the_assess_function_even_after_its_module_is_imported() -> None:
    code = "import backspasm.engine, backspasm.cli.assess_cmd; import backspasm; print(callable(backspasm.assess))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "True"


def test_no_submodule_shadows_a_public_name() -> None:
    import pkgutil

    import backspasm

    submodules = {m.name for m in pkgutil.iter_modules(backspasm.__path__)}
    assert not submodules & set(backspasm.__all__)


@pytest.mark.parametrize("args", [["fhir", "questionnaire"], ["export"]])
def test_an_unwritable_output_path_is_bad_input(args: list[str]) -> None:
    status, out, err = invoke(*args, "--out", "/nonexistent-dir/x.json")
    assert status == 2 and out == ""
    assert "cannot write /nonexistent-dir/x.json" in err
