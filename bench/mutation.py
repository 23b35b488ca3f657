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
import json
import os
import random
import re
import shutil
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
]
# test_drivers.py's replace faults (their ids), each on a device's own replace
REPLACE_FAULTS = [
    "replace-refused",
    "replace-failed",
    "replace-half",
    "replace-ignored",
    "replace-flash-full",
    "replace-cut",
]
GROUPS: dict[str, tuple[list[str], list[str]]] = {
    "push-lab": (
        [
            "nornir_config/push/merge.py",
            "nornir_config/push/replace.py",
            "nornir_config/push/device_replace.py",
            "nornir_config/push/recover.py",
            "nornir_config/push/rollback.py",
            "nornir_config/push/revert.py",
        ],
        [
            "tests/safety/test_safety_units.py",
            "tests/safety/test_rollback_units.py",
            "tests/push/test_merge_units.py",
            "tests/push/test_verified_units.py",
            "tests/safety/test_promises.py",
            "tests/safety/test_merge_lab.py",
            "tests/safety/test_recover_lab.py",
            "tests/safety/test_recover_ciphers.py",  # a VRP office: device ciphers
            "tests/safety/test_revert_lab.py",
            "tests/safety/test_replace_lab.py",
            "tests/safety/test_rollback_lab.py",
            "tests/push/test_revert_lines.py",
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
    # the device's own replace (Huawei VRP, H3C Comware): each test builds its own small office
    "vendor-replace": (
        ["nornir_config/push/device_replace.py"],
        [
            "tests/push/test_drivers.py::test_replace_dry_run_then_replace_then_noop",
            "tests/push/test_access.py::test_a_device_replace_locking_the_noc_out_is_rolled_back",
            "tests/push/test_drivers.py::test_a_refused_pre_change_copy_stops_the_replace_before_its_candidate",
            "tests/push/test_drivers.py::test_a_candidate_the_device_will_not_delete_is_named_after_a_residual",
            "tests/push/test_drivers.py::test_a_replace_the_device_will_not_save_is_put_back_and_flagged",
            "tests/push/test_drivers.py::test_a_failure_after_the_device_replace_names_its_step",
            *(
                f"tests/push/test_drivers.py::test_fault_leaves_the_device_as_before[{d}-{f}]"
                for d in ("huawei_vrp", "hp_comware")
                for f in REPLACE_FAULTS
            ),
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
        "--group",
        nargs="+",
        choices=sorted(GROUPS),
        help="module groups and their tests (see GROUPS), several in one run",
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
        "--rerun",
        type=Path,
        help="re-run a kept folder's survivors against the committed tests (`--tests`: only "
        "these, e.g. the new ones); a mutant they kill is recorded as killed",
    )
    parser.add_argument(
        "--update",
        type=Path,
        help="bring a kept folder to the committed tree and run mutmut there again: only the "
        "mutants of functions that changed (and the new tests' stats) are run",
    )
    parser.add_argument(
        "--untested",
        action="store_true",
        help="with --rerun: also the mutants no test reached (new tests may reach them)",
    )
    parser.add_argument(
        "--match", help="with --rerun: only the mutants whose name matches this regex"
    )
    parser.add_argument(
        "--sample",
        type=int,
        help="run only this many mutants of each module, drawn at random (--seed): a score "
        "estimate when the lab tests make a full run too long (implies --all-lines)",
    )
    parser.add_argument("--seed", type=int, default=18)
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
    if args.update is not None:
        started = time.perf_counter()
        code = update(args.update, mutmut, args.max_children)
        seconds = time.perf_counter() - started
        report(args.update, mutmut, f"the run in {args.update}, updated in {seconds:.0f} s")
        return code
    if args.rerun is not None:
        timeout = (args.timeout_multiplier, args.timeout_constant)
        if not rerun(args.rerun, args.tests, args.untested, args.match, timeout):
            return 1
        report(args.rerun, mutmut, f"the run in {args.rerun}, survivors re-run")
        return 0
    only, tests = (SCOPE, TESTS)
    if args.group:
        only = [m for g in args.group for m in GROUPS[g][0]]
        tests = [t for g in args.group for t in GROUPS[g][1]]
    args.only, args.tests = args.only or only, args.tests or tests
    work = Path(tempfile.mkdtemp(prefix="communelan-mutation-"))
    scratch_copy(work)
    timeout = (args.timeout_multiplier, args.timeout_constant)
    all_lines = args.all_lines or args.sample is not None  # the sample's names: every line's
    config = setup_cfg(args.only, args.tests, all_lines, timeout)
    (work / "setup.cfg").write_text(config, encoding="utf-8")
    chosen = sample(work, args.only, args.sample, args.seed) if args.sample is not None else []
    started = time.perf_counter()
    command = [*mutmut, "run", "--max-children", str(args.max_children), *args.mutants, *chosen]
    run = subprocess.run(command, cwd=work)
    seconds = time.perf_counter() - started
    scope = f"{', '.join(args.only)} with {' '.join(args.tests)}, in {seconds:.0f} s"
    report(work, mutmut, scope)
    print(f"scratch folder: {work}" if args.keep else "")
    if not args.keep:
        subprocess.run(["rm", "-rf", str(work)], check=False)
    return 0 if run.returncode == 0 else run.returncode


SAMPLE_NAMES = """
import io, sys
from pathlib import Path
from mutmut.__main__ import get_mutant_name, write_all_mutants_to_file
for name in sys.argv[1:]:
    path = Path(name)
    made = write_all_mutants_to_file(out=io.StringIO(), source=path.read_text(), filename=path)
    print("\\n".join(get_mutant_name(path, m) for m in made.mutant_names))
"""


def sample(work: Path, only: list[str], per_module: int, seed: int) -> list[str]:
    """`per_module` mutant names of each module, drawn at random: mutmut's own names (it
    numbers the mutants of each function), listed by its own generator in the scratch copy."""
    files = sorted({str(p.relative_to(work)) for pattern in only for p in work.glob(pattern)})
    pick = random.Random(seed)
    chosen: list[str] = []
    for file in files:
        listed = subprocess.run(
            [sys.executable, "-c", SAMPLE_NAMES, file],
            cwd=work,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        chosen += sorted(pick.sample(listed, min(per_module, len(listed))))
    print(f"sample: {len(chosen)} mutants of {len(files)} modules (seed {seed})")
    return chosen


def update(work: Path, mutmut: list[str], max_children: int) -> int:
    """The committed tree over a kept run, then mutmut again in it.

    mutmut re-mutates a file whose source is newer than its mutants and resets the results
    of the functions whose code changed (their hash); every other result stands. A module it
    does not mutate is copied only once, so the changed ones are copied here."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "HEAD"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(work)], input=archive, check=True)
    mutants = work / "mutants"
    now = time.time()
    for source in (work / "nornir_config").rglob("*"):
        if not source.is_file():
            continue
        target = mutants / source.relative_to(work)
        meta = target.with_name(target.name + ".meta")
        if meta.exists():  # mutated: newer than its mutants, so mutmut mutates it again
            os.utime(source, (now, now))
        elif not target.exists() or target.read_bytes() != source.read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    run = subprocess.run([*mutmut, "run", "--max-children", str(max_children)], cwd=work)
    return run.returncode


def rerun(
    work: Path,
    tests: list[str] | None,
    untested: bool,
    match: str | None,
    timeout: tuple[float, float],
) -> bool:
    """Each survivor of a kept run, re-run by itself against the tests committed now; False
    when those tests fail without a mutant (nothing is recorded then).

    mutmut does not run a mutant again once it has a result, and a full run pays the lab
    tests' fixed start again; here the committed `tests/` replace the folder's, and each
    survivor runs in its own pytest with `MUTANT_UNDER_TEST` naming it (what mutmut's
    trampolines read). A mutant gets the time mutmut would give it (`setup_cfg`), from the
    selection's own clean run, so a slow selection is not cut off and counted as a kill. A
    kill is written into mutmut's own results (`.meta`), so `--report` counts it;
    `rerun.log` in the folder says which tests killed what."""
    mutants = work / "mutants"
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "HEAD", "tests"], capture_output=True, check=True
    ).stdout
    for into in (work, mutants):
        subprocess.run(["rm", "-rf", str(into / "tests")], check=True)
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    selection = tests or _configured_tests(work)
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", "--rootdir=."]
    started = time.perf_counter()
    clean = subprocess.run(  # no mutant named: every trampoline runs the original
        [*command, *selection], cwd=mutants, env={**os.environ, "MUTANT_UNDER_TEST": ""}
    )
    if clean.returncode != 0:
        print(f"the tests fail without a mutant (exit {clean.returncode}): nothing re-run")
        return False
    multiplier, constant = timeout
    limit = 2 * multiplier * (time.perf_counter() - started + constant)
    print(f"clean run of the selection: a mutant may take {limit:.0f} s", flush=True)
    retried = {0} | ({5, 33} if untested else set())
    log = (work / "rerun.log").open("a", encoding="utf-8")
    for meta in sorted(mutants.rglob("*.py.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        codes: dict[str, int | None] = data["exit_code_by_key"]
        for name, code in sorted(codes.items()):
            if code not in retried or (match and not re.search(match, name)):
                continue
            env = {**os.environ, "MUTANT_UNDER_TEST": name}
            started = time.perf_counter()
            try:
                done = subprocess.run(
                    [*command, *selection],
                    cwd=mutants,
                    env=env,
                    capture_output=True,
                    timeout=limit,
                )
                result = 1 if done.returncode in (1, 3) else code
            except subprocess.TimeoutExpired:  # a mutant stuck on a prompt: killed by it
                result = 36
            seconds = time.perf_counter() - started
            log.write(f"{name}: {code} -> {result} ({seconds:.1f} s) {' '.join(selection)}\n")
            log.flush()
            print(f"{name}: {'killed' if result != code else 'still survives'}", flush=True)
            if result != code:
                codes[name] = result
                meta.write_text(json.dumps(data, indent=4), encoding="utf-8")
    log.close()
    return True


def _configured_tests(work: Path) -> list[str]:
    """The test selection of the kept run's setup.cfg."""
    lines = (work / "setup.cfg").read_text(encoding="utf-8").splitlines()
    start = lines.index("pytest_add_cli_args_test_selection=") + 1
    chosen = []
    for line in lines[start:]:
        if not line.startswith("    "):
            break
        chosen.append(line.strip())
    return chosen


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
