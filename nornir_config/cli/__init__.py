"""The `communelan` command line: one typer app, each command group in its own module."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from nornir_config.cli.consoles import err_console
from nornir_config.errors import InputError
from nornir_config.settings import RunSettings, set_run_settings

app = typer.Typer(
    name="communelan",
    help="Render, lint, push and audit the commune office LANs of the province.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module registers its commands on `app` through `register(app)`.
COMMAND_MODULES: tuple[str, ...] = (
    "nornir_config.cli.sot",
    "nornir_config.cli.lint",
    "nornir_config.cli.compliance",
    "nornir_config.cli.lab",
    "nornir_config.cli.push",
    "nornir_config.cli.recover",
    "nornir_config.cli.change",
    "nornir_config.cli.init",
)


@app.callback()
def _global_options(
    root: Annotated[
        Path | None,
        typer.Option(
            "--root",
            envvar="COMMUNELAN_ROOT",
            help="Project folder holding hosts/, templates/ and config.yaml (default: current).",
        ),
    ] = None,
    lab: Annotated[
        bool,
        typer.Option(
            "--lab",
            envvar="COMMUNELAN_LAB",
            help="Talk to the device lab (.lab/) instead of the management addresses.",
        ),
    ] = False,
) -> None:
    set_run_settings(RunSettings(root=(root or Path.cwd()).resolve(), lab=lab))


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    """Console entry point: bad input is one line per problem and exit code 2, never a traceback.

    Usage errors are typer's own (exit 2); everything else the commands raise is caught here.
    """
    # Nornir logs task failures itself; the commands report them, so keep its logger quiet.
    nornir_logger = logging.getLogger("nornir")
    nornir_logger.addHandler(logging.NullHandler())
    nornir_logger.propagate = False
    try:
        app()
    except InputError as exc:
        for problem in exc.problems:
            err_console.print(f"[red]error:[/red] {escape(str(problem))}", highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        trouble = environment_problem(exc)
        if trouble is not None:
            err_console.print(f"[red]error:[/red] {trouble}", markup=True, highlight=False)
            sys.exit(2)
        if os.environ.get("COMMUNELAN_DEBUG"):
            raise
        err_console.print(f"[red]internal error:[/red] {type(exc).__name__}: {exc}", markup=True)
        err_console.print("rerun with COMMUNELAN_DEBUG=1 for the traceback")
        sys.exit(3)


def environment_problem(exc: BaseException) -> str | None:
    """Bad input that surfaces as a library's exception: a broken YAML file (config.yaml)
    or a path that cannot be read or written (--out/--repo naming a file, no permission)."""
    import yaml

    mark = getattr(exc, "problem_mark", None)
    # PyYAML's errors, and ruamel.yaml's (Nornir reads config.yaml with it)
    if isinstance(exc, yaml.YAMLError) or (mark is not None and hasattr(mark, "name")):
        where = f"{mark.name}:{mark.line + 1}" if mark else "YAML"
        reason = getattr(exc, "problem", None) or "broken YAML"
        return f"{where}: YAML: {reason}; fix: correct the syntax"
    if isinstance(
        exc, NotADirectoryError | IsADirectoryError | PermissionError | FileExistsError
    ) and getattr(exc, "filename", None):
        return (
            f"{exc.filename}: path: cannot be used ({exc.strerror}); "
            "fix: give a writable folder that is not a file"
        )
    return None
