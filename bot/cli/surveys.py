"""``feedbackbot surveys``: list the surveys this deployment sends, and check a survey file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bot.cli.common import console, errors, fail, settings_or_exit
from surveys.catalog import Catalog, Origin, builtin_entries, load_catalog, read_file
from surveys.definitions import Question, QuestionType, Survey
from surveys.errors import Problem, SurveyFileError

app = typer.Typer(
    help="Survey definitions: built-in and custom (SURVEYS_FILE).", no_args_is_help=True
)


def print_problems(problems: list[Problem]) -> None:
    """One ``FILE:LINE: key.path: message`` line per problem, then how many there were."""
    for problem in problems:
        console.print(str(problem), markup=False, highlight=False, soft_wrap=True)
    count = len(problems)
    errors.print(
        f"{count} problem{'s' if count != 1 else ''} found.",
        style="bold red",
        highlight=False,
    )


def catalog_or_exit(surveys_file: Path | None, code: int) -> Catalog:
    """The catalog; a bad ``SURVEYS_FILE`` prints its problems and exits with ``code``."""
    try:
        return load_catalog(surveys_file)
    except SurveyFileError as error:
        for problem in error.problems:
            errors.print(str(problem), style="red", markup=False, highlight=False, soft_wrap=True)
        fail(
            f"SURVEYS_FILE {surveys_file} has {len(error.problems)} problem(s); fix them first.",
            code,
        )


def _describe(question: Question) -> str:
    kind = str(question.type)
    if question.type is QuestionType.RATING and question.scale:
        kind = f"{question.scale.min}-{question.scale.max}"
    elif question.type is QuestionType.CHOICE:
        kind = "/".join(c.key for c in question.choices)
    extras = [kind]
    if question.dimension:
        extras.append(str(question.dimension))
    if question.condition:
        extras.append(f"if {question.condition}")
    if question.optional:
        extras.append("optional")
    return f"{question.key} ({', '.join(extras)})"


def _table(rows: list[tuple[Survey, str]], title: str) -> Table:
    table = Table(title=title, title_justify="left", show_lines=True)
    table.add_column("Key", style="bold cyan", no_wrap=True)
    table.add_column("Version", no_wrap=True)
    table.add_column("Title")
    table.add_column("Questions")
    table.add_column("Source")
    for survey, source in rows:
        table.add_row(
            survey.key,
            survey.version,
            survey.title["en"],
            "\n".join(_describe(q) for q in survey.questions),
            source,
        )
    return table


@app.command("list")
def list_surveys() -> None:
    """Show every survey (built-in and from SURVEYS_FILE) with its version and questions."""
    settings = settings_or_exit()
    catalog = catalog_or_exit(settings.surveys_file, code=1)
    rows = [(entry.survey, str(entry.origin)) for entry in catalog.entries]
    console.print(_table(rows, f"{len(rows)} surveys"))
    if settings.surveys_file is None:
        console.print("No SURVEYS_FILE set: built-in surveys only.", style="dim", highlight=False)


@app.command()
def validate(
    file: Annotated[
        Path, typer.Argument(help="The survey YAML file to check.", show_default=False)
    ],
) -> None:
    """Check a survey file: each problem is printed as FILE:LINE: key.path: message (exit 1)."""
    result = read_file(file)
    if result.problems:
        print_problems(result.problems)
        raise typer.Exit(1)
    builtin = {entry.survey.key for entry in builtin_entries()}
    rows = [
        (
            s,
            str(Origin.OVERRIDE if s.key in builtin else Origin.CUSTOM)
            + f", line {result.lines[s.key]}",
        )
        for s in result.surveys
    ]
    questions = sum(len(s.questions) for s in result.surveys)
    console.print(
        f"{file}: OK, {len(rows)} survey{'s' if len(rows) != 1 else ''} "
        f"with {questions} question{'s' if questions != 1 else ''}.",
        style="bold green",
        highlight=False,
        soft_wrap=True,
    )
    console.print(_table(rows, "Surveys in this file"))
