"""Fault files: `device name or glob: {fault: value}` in YAML, checked before the lab starts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from nornir_config.errors import InputError, Problem
from nornir_config.lab.spec import DeviceFaults

_TYPES: dict[str, tuple[type, ...]] = {
    "refuse_connections": (bool,),
    "reject_credentials": (bool,),
    "latency": (int, float),
    "drop_after": (int,),
    "reject_commands": (list, str),
    "fail_replace": (bool,),
    "flash_full": (bool,),
    "ignore_commands": (list, str),
    "fail_replace_partial": (int,),
    "drop_after_replace": (int,),
    "rtt": (int, float),
}


def fault_problem(where: str, item: str, key: str, value: Any) -> Problem | None:
    """What is wrong with one fault setting (unknown, wrong type, a regex that does not
    compile), or None."""
    if key not in _TYPES:
        known = ", ".join(DeviceFaults.names())
        return Problem(where, item, "unknown fault", f"use one of {known}")
    if (
        not isinstance(value, _TYPES[key])
        or (bool in _TYPES[key]) != isinstance(value, bool)
        or (isinstance(value, int | float) and value < 0)
    ):
        wanted = "/".join(t.__name__ for t in _TYPES[key])
        return Problem(where, item, f"must be {wanted} (0 or more), not {value!r}")
    if key in ("reject_commands", "ignore_commands"):
        patterns: list[Any] = value if isinstance(value, list) else [value]
        for pattern in patterns:
            try:
                re.compile(str(pattern))
            except re.error as exc:
                return Problem(where, item, f"regex {pattern!r} does not compile: {exc}")
    return None


def load_faults(path: Path) -> dict[str, dict[str, Any]]:
    """Read and check a fault file; every problem is reported, each naming file and item."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError.one(
            str(path), "faults", f"cannot be read: {exc}", "fix the YAML"
        ) from None
    if not isinstance(data, dict):
        raise InputError.one(
            str(path), "faults", "must map device names to faults", "e.g. R1: {latency: 0.5}"
        )
    problems: list[Problem] = []
    for device, faults in data.items():
        if not isinstance(faults, dict):
            problems.append(Problem(str(path), str(device), "must be a mapping of faults"))
            continue
        for key, value in faults.items():
            problem = fault_problem(str(path), f"{device}.{key}", key, value)
            if problem is not None:
                problems.append(problem)
    if problems:
        raise InputError(problems)
    return {str(k): dict(v) for k, v in data.items()}
