"""`lint`: every check over the inventory, the templates and the rendered configs, for CI."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nornir_config.cli.consoles import console
from nornir_config.cli.options import FilterOption
from nornir_config.errors import InputError
from nornir_config.lint.engine import run_lint
from nornir_config.lint.model import Pack
from nornir_config.lint.output import FORMATS, render_report
from nornir_config.lint.packs import select_packs
from nornir_config.settings import run_settings


def lint(
    filters: FilterOption = None,
    rules: Annotated[
        list[str] | None,
        typer.Option(
            "--rules", help="Rule pack name or path to a pack YAML; repeat. Default: all."
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, json, junit or sarif.")] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here (default stdout).")
    ] = None,
    list_rules: Annotated[
        bool, typer.Option("--list-rules", help="List the rules of the selected packs and exit.")
    ] = False,
    today: Annotated[
        str | None,
        typer.Option("--today", help="Date for waiver expiry (YYYY-MM-DD; default today)."),
    ] = None,
) -> None:
    """Lint hosts/, templates/ and every rendered config; exit 1 on any unwaived error."""
    if fmt not in FORMATS:
        raise InputError.one("--format", fmt, "unknown format", f"use one of: {', '.join(FORMATS)}")
    root = run_settings().root
    packs = select_packs(rules or [], root)
    if list_rules:
        if fmt == "json":
            sys.stdout.write(json.dumps(_rules_json(packs), ensure_ascii=False, indent=2) + "\n")
        else:
            _print_rules(packs)
        return
    try:
        day = dt.date.fromisoformat(today) if today else None
    except ValueError:
        raise InputError.one("--today", str(today), "not a date", "use YYYY-MM-DD") from None
    report = run_lint(root, packs, filters or [], today=day)
    text = render_report(report, fmt)
    if output is not None:
        tmp = output.with_name(f".{output.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, output)
        errors = sum(f.counts for f in report.findings)
        console.print(
            f"lint: {len(report.findings)} findings, {errors} errors -> {output}", highlight=False
        )
    else:
        sys.stdout.write(text)
    raise typer.Exit(1 if report.failed else 0)


def _rules_json(packs: list[Pack]) -> list[dict[str, object]]:
    return [
        {
            "pack": p.name,
            "version": p.version,
            "effective": p.effective.isoformat(),
            "path": p.path,
            "rules": [
                {
                    "id": r.id,
                    "severity": r.severity,
                    "title": r.title,
                    "rationale": r.rationale,
                    "references": list(r.references),
                    "kind": r.kind,
                }
                for r in p.rules
            ],
        }
        for p in packs
    ]


def _print_rules(packs: list[Pack]) -> None:
    for pack in packs:
        table = Table(
            title=f"{pack.name} {pack.version} (effective {pack.effective}) - {pack.path}",
            show_lines=True,
        )
        for column in ("id", "severity", "title / rationale", "references"):
            table.add_column(column)
        for rule in pack.rules:
            table.add_row(
                rule.id,
                rule.severity,
                f"{rule.title}\n{rule.rationale}",
                "\n".join(rule.references),
            )
        console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(lint)
