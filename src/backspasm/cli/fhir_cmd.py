"""`backspasm fhir`: the intake Questionnaire, assessing a QuestionnaireResponse, exporting an episode.

FHIR R4 JSON in and out. Bad input exits 2 with each problem and its FHIRPath
location on standard error, and nothing on standard output.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from .common import fail, read_source, write_output

OutOpt = Annotated[str, typer.Option("--out", "-o", metavar="FILE", help="Write to FILE ('-' for standard output).")]


def _write(data: dict[str, Any], out: str) -> None:
    write_output(out, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _fhir_fail(exc: Any) -> None:
    lines = [f"{i.expression}: {i.message}" if i.expression else i.message for i in exc.issues]
    fail("bad input:\n  " + "\n  ".join(lines))


def assess_file(path: str, out: str = "-") -> None:
    """QuestionnaireResponse (or Parameters holding one) in, Bundle out."""
    from ..contract import BadInput, loads_strict
    from ..interop.assess import assess_response
    from ..interop.fhir import FhirError, Issue

    raw = read_source(path)
    try:
        try:
            data = loads_strict(raw)
        except BadInput as e:  # a repeated key
            raise FhirError([Issue(msg) for _, msg in e.errors]) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise FhirError([Issue(f"input is not valid JSON: {e}")]) from None
        except RecursionError:
            raise FhirError([Issue("input is nested too deeply")]) from None
        bundle = assess_response(data)
    except FhirError as e:
        _fhir_fail(e)
    _write(bundle, out)


def register(app: typer.Typer) -> None:
    """Add the `fhir` group to the root app."""
    fhir = typer.Typer(help="FHIR R4: the intake Questionnaire, assess a QuestionnaireResponse, export an episode.",
                       no_args_is_help=True)

    @fhir.command("questionnaire")
    def questionnaire_cmd(out: OutOpt = "-") -> None:
        """Print the intake as a FHIR R4 Questionnaire (generated from the knowledge base)."""
        from ..interop.questionnaire import questionnaire

        _write(questionnaire(), out)

    @fhir.command("assess")
    def assess_cmd(
        json_path: Annotated[str, typer.Option("--json", metavar="FILE",
                                               help="A QuestionnaireResponse from FILE, '-' for stdin.")],
        out: OutOpt = "-",
    ) -> None:
        """Assess a QuestionnaireResponse: a Bundle with the RiskAssessment, CarePlan and pain Observation."""
        assess_file(json_path, out)

    @fhir.command("export")
    def export_cmd(
        episode: Annotated[int, typer.Option("--episode", "-e", help="The diary episode's id.")],
        out: OutOpt = "-",
    ) -> None:
        """Write a diary episode as a FHIR Bundle: pain ratings, signs, conditions, medicines, latest triage and plan."""
        from ..contract import BadInput
        from ..diary.store import open_store
        from ..interop.export import episode_bundle

        try:
            store = open_store()
        except Exception as e:  # a database we cannot open is an environment problem, not bad input
            fail(f"cannot open the diary database: {type(e).__name__}: {e}", code=1)
        try:
            user = store.local_user()
            if store.get_episode(user.id, episode) is None:
                fail(f"bad input:\n  episode: no episode {episode}; `backspasm episodes` lists them")
            try:
                data = episode_bundle(store, user.id, episode)
            except BadInput as e:
                from .common import bad_input

                bad_input(e)
        finally:
            store.close()
        _write(data, out)

    app.add_typer(fhir, name="fhir")
