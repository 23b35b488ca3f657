"""A product function run as a Nornir task on one device of a safety lab, over the product's
own connections (as `push` and `recover` open them), for tests that drive one step of the
push directly instead of a whole run. Any lab with a project `root` (a safety lab, a driver's
office) will do."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from nornir.core.task import Result, Task

from nornir_config.connection import close_all, prepare_connections
from nornir_config.project import open_project
from nornir_config.push.state import DeviceReport
from nornir_config.settings import RunSettings, set_run_settings


class Rooted(Protocol):
    @property
    def root(self) -> Path: ...


def on_device(lab: Rooted, name: str, work: Callable[[Task], DeviceReport]) -> DeviceReport:
    """`work(task)` on the device; its report (a task that raised fails the test)."""
    settings = RunSettings(root=lab.root, lab=True)
    set_run_settings(settings)
    nr = open_project([f"host={name}"]).nr
    prepare_connections(nr, settings)
    try:
        results = nr.run(task=lambda t: Result(host=t.host, result=work(t)), on_failed=True)
    finally:
        close_all(nr)
    report = results[name][0].result
    assert isinstance(report, DeviceReport), results[name][0].exception
    return report


def copy_running(conn: Any, file: str) -> None:
    """`copy running-config FILE` over our own Netmiko session, answering IOS's questions
    (the destination name, and "over write? [confirm]" when the file exists) with Enter."""
    answer = str(conn.send_command_timing(f"copy running-config {file}"))
    for _ in range(3):
        if not re.search(r"\]\?\s*$|\[confirm\]\s*$", answer):
            break
        answer = str(conn.send_command_timing("\n"))
    assert "bytes copied" in answer, answer
