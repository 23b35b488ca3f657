"""Mutation score of the safety-critical code: mutmut over push/, backup.py, connection.py,
compliance/ and the secrets code, against the tests that guard them.

    .venv/bin/pip install -e '.[mutation]'                   # mutmut
    .venv/bin/python bench/mutation.py                       # the whole scope (hours)
    .venv/bin/python bench/mutation.py --only nornir_config/push/state.py --tests tests/push

Runs in a scratch copy of the committed tree (`git archive HEAD`), so the worktree is never
touched. Prints killed/survived/other counts, the score (killed / mutants, a mutant no selected
test reaches counting as not killed), a per-module table and every surviving mutant; `mutmut
show NAME` in the printed folder shows one. Not part of the suite.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCOPE = [
    "nornir_config/push/*",
    "nornir_config/backup.py",
    "nornir_config/connection.py",
    "nornir_config/compliance/*",
    "nornir_config/secrets.py",
]
TESTS = ["tests/push", "tests/safety", "tests/compliance"]
COPY = ["hosts", "templates", "config.yaml", "playbooks", "examples", "bench"]


def scratch_copy(into: Path) -> None:
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "HEAD"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)


# Module groups with the tests that guard them (`--group NAME`), each fast enough per mutant:
# lab tests run in-process against a small session lab, so a mutant costs seconds, not minutes.
INTERRUPT_TESTS = [
    "killed_run_leaves_no_delivery_file_after_recover",
    "recover_saves_a_device_killed_before_it_saved",
    "recover_forward_to_intended",
    "two_pushes_at_once",
    "stale_lock_is_taken_over",
]
GROUPS: dict[str, tuple[list[str], list[str]]] = {
    "push-lab": (
        [
            "nornir_config/push/merge.py",
            "nornir_config/push/replace.py",
            "nornir_config/push/device_replace.py",
            "nornir_config/push/recover.py",
            "nornir_config/push/rollback.py",
        ],
        [
            "tests/safety/test_safety_units.py",
            "tests/safety/test_rollback_units.py",
            "tests/safety/test_promises.py",
            # the small lab's in-process tests only: the 32-device ones drive `communelan`
            # subprocesses mutmut cannot see, and would only slow its clean run
            *(f"tests/safety/test_interrupts.py::test_{name}" for name in INTERRUPT_TESTS),
        ],
    ),
    # the session code: its lab-free units and function-level tests against small labs
    # (a device or two per test, reads that give up after 5 s)
    "conn-lab": (
        [
            "nornir_config/connection.py",
            "nornir_config/push/session.py",
            "nornir_config/push/transfer.py",
            "nornir_config/push/access.py",
            "nornir_config/push/intended.py",
        ],
        [
            "tests/push/test_connection_units.py",
            "tests/push/test_prepare_units.py",
            "tests/push/test_session_lab.py",
        ],
    ),
}


def setup_cfg(
    only: list[str],
    tests: list[str],
    all_lines: bool = False,
    timeout: tuple[float, float] = (3.0, 5.0),
) -> str:
    """mutmut's config. `timeout` is (multiplier, constant): a mutant gets
    2 * multiplier * (its tests' clean time + constant) seconds, then counts as killed by a
    timeout. mutmut's own 15x suits CPU-bound tests; a lab test that hangs waits on a prompt
    (Netmiko's 60 s read timeout), and 15x would cost minutes per such mutant."""
    covered = "false" if all_lines else "true"
    multiplier, constant = timeout
    lines = ["[mutmut]", "source_paths=nornir_config", f"mutate_only_covered_lines={covered}"]
    lines += [f"timeout_multiplier={multiplier}", f"timeout_constant={constant}"]
    lines += ["only_mutate=", *(f"    {p}" for p in only)]
    lines += ["pytest_add_cli_args_test_selection=", *(f"    {t}" for t in tests)]
    lines += ["also_copy=", *(f"    {c}" for c in COPY)]
    return "\n".join(lines) + "\n"


KILLED = {"killed", "timeout", "caught by type check"}
NOT_RUN = {"not checked", "check was interrupted by user", "skipped"}


def score_of(statuses: Iterable[str]) -> tuple[int, int]:
    """(killed, mutants): a mutant no selected test reaches counts against the score; only
    mutants the run never got to (interrupted, skipped) are left out."""
    found = [s for s in statuses if s not in NOT_RUN]
    return sum(s in KILLED for s in found), len(found)


def percent(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.0f}%" if whole else "-"


def module_of(mutant: str) -> str:
    """`nornir_config.push.lock.x_lock_devices__mutmut_3` -> `push/lock.py`."""
    dotted = mutant.rsplit("__mutmut_", 1)[0].rsplit(".", 1)[0]
    return dotted.removeprefix("nornir_config.").replace(".", "/") + ".py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", help="globs of files to mutate (default: all)")
    parser.add_argument("--tests", nargs="+", help="pytest paths to run")
    parser.add_argument(
        "--group", choices=sorted(GROUPS), help="a module group and its tests (see GROUPS)"
    )
    parser.add_argument(
        "--timeout-multiplier",
        type=float,
        default=3.0,
        help="a mutant may take 2 * this * (clean time + constant) s (mutmut's default: 15)",
    )
    parser.add_argument("--timeout-constant", type=float, default=5.0)
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument(
        "--mutants",
        nargs="+",
        default=[],
        help="only these mutants (mutmut's names or globs: 'nornir_config.push.access.*')",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument(
        "--report", type=Path, help="only print the table of a kept scratch folder (a partial run)"
    )
    parser.add_argument(
        "--all-lines",
        action="store_true",
        help="mutate every line, not only those the tests run (unreached ones count as survivors)",
    )
    args = parser.parse_args()

    mutmut = [sys.executable, "-m", "mutmut"]
    if args.report is not None:  # a kept folder, even of a run still going: what it has so far
        report(args.report, mutmut, f"the run in {args.report}")
        return 0
    only, tests = GROUPS[args.group] if args.group else (SCOPE, TESTS)
    args.only, args.tests = args.only or only, args.tests or tests
    work = Path(tempfile.mkdtemp(prefix="communelan-mutation-"))
    scratch_copy(work)
    timeout = (args.timeout_multiplier, args.timeout_constant)
    config = setup_cfg(args.only, args.tests, args.all_lines, timeout)
    (work / "setup.cfg").write_text(config, encoding="utf-8")
    started = time.perf_counter()
    run = subprocess.run(
        [*mutmut, "run", "--max-children", str(args.max_children), *args.mutants], cwd=work
    )
    seconds = time.perf_counter() - started
    scope = f"{', '.join(args.only)} with {' '.join(args.tests)}, in {seconds:.0f} s"
    report(work, mutmut, scope)
    print(f"scratch folder: {work}" if args.keep else "")
    if not args.keep:
        subprocess.run(["rm", "-rf", str(work)], check=False)
    return 0 if run.returncode == 0 else run.returncode


def report(work: Path, mutmut: list[str], scope: str) -> None:
    listed = subprocess.run(
        [*mutmut, "results", "--all", "true"], cwd=work, capture_output=True, text=True
    ).stdout
    statuses: dict[str, str] = {}
    for line in listed.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep:
            statuses[name] = status.strip()
    counts = collections.Counter(statuses.values())
    print(f"\nmutmut over {scope}")
    print(f"mutants: {len(statuses)}; " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())))
    killed, total = score_of(statuses.values())
    print(f"score: {percent(killed, total)} killed ({killed} of {total})")
    print("\n| module | killed / mutants | survived | no test reaches it | not checked yet |")
    print("| --- | --- | --- | --- | --- |")
    by_module: dict[str, list[str]] = collections.defaultdict(list)
    for name, status in statuses.items():
        by_module[module_of(name)].append(status)
    for module, found in sorted(by_module.items()):
        done, of = score_of(found)
        print(
            f"| {module} | {done} / {of} ({percent(done, of)}) | {found.count('survived')} "
            f"| {found.count('no tests')} | {sum(s in NOT_RUN for s in found)} |"
        )
    for name, status in sorted(statuses.items()):
        if status == "survived":
            print(f"survived: {name}")


if __name__ == "__main__":
    sys.exit(main())
