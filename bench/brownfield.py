"""Brownfield benchmark: the first push of the whole corpus (merge, then replace) on the lab.

    .venv/bin/python bench/brownfield.py

Boots every tests/brownfield/corpus config on a lab device, plus one greenfield office of the
default models (factory day-0 configs), all in one lab, and pushes the intended configs once
by merge and once by replace (a fresh lab each). Prints, per device: the outcome, the lines
sent, the seconds, and the ratio to the greenfield device of the same role measured in the
same run; then how many converged (a second push sends 0 lines). Figures only, no targets.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nornir_config.lab.testing import stop_lab  # noqa: E402
from nornir_config.secrets import write_secrets_file  # noqa: E402
from tests.brownfield.conftest import BrownLab, start_brown_lab  # noqa: E402
from tests.conftest import TEST_SECRETS  # noqa: E402

GREENFIELD = ("green-mot-91008-rt01", "green-mot-91008-sw01")


def role(name: str) -> str:
    return "router" if "-rt" in name else "switch"


def lines_sent(report: object) -> int:
    """Merge: the commands sent; replace: the lines of NAPALM's candidate diff (+/-)."""
    commands = getattr(report, "commands", [])
    if commands:
        return len(commands)
    diff = str(getattr(report, "diff", ""))
    return sum(
        1 for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
    )


def one_method(method: str, tmp: Path) -> None:
    brown: BrownLab = start_brown_lab(tmp / method, greenfield=GREENFIELD)
    try:
        first = brown.push(method)
        second = brown.push(method)
    finally:
        stop_lab(brown.lab)
    baseline = {role(g): first.reports[g].seconds for g in GREENFIELD}
    print(f"\n== {method}: first push of {len(brown.configs)} corpus devices")
    print(f"{'device':26} {'outcome':16} {'lines':>6} {'seconds':>8} {'x green':>8}")
    for name in [*GREENFIELD, *sorted(brown.configs)]:
        r = first.reports[name]
        ratio = r.seconds / baseline[role(name)] if baseline[role(name)] else float("nan")
        print(f"{name:26} {r.outcome.value:16} {lines_sent(r):6d} {r.seconds:8.2f} {ratio:8.2f}")
    corpus = sorted(brown.configs)
    converged = [
        n
        for n in corpus
        if first.reports[n].outcome.value == "changed"
        and second.reports[n].outcome.value == "unchanged"
    ]
    brown_seconds = [first.reports[n].seconds for n in corpus]
    print(
        f"{method}: {len(converged)}/{len(corpus)} converged (second push sends 0 lines); "
        f"median {statistics.median(brown_seconds):.2f} s per brownfield device vs "
        f"router {baseline['router']:.2f} s / switch {baseline['switch']:.2f} s greenfield; "
        f"median {statistics.median(lines_sent(first.reports[n]) for n in corpus):.0f} lines"
    )
    failed = {n: first.reports[n].reason for n in corpus if n not in converged}
    for name, why in failed.items():
        print(f"  not converged: {name}: {why[:160]}")


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-brownfield-"))
    secrets = write_secrets_file(tmp / "secrets.yaml", TEST_SECRETS)
    os.environ["COMMUNELAN_SECRETS_FILE"] = str(secrets)
    for method in ("merge", "replace"):
        one_method(method, tmp)


if __name__ == "__main__":
    main()
