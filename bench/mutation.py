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


def setup_cfg(only: list[str], tests: list[str]) -> str:
    lines = ["[mutmut]", "source_paths=nornir_config", "mutate_only_covered_lines=true"]
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
    parser.add_argument("--only", nargs="+", default=SCOPE, help="globs of files to mutate")
    parser.add_argument("--tests", nargs="+", default=TESTS, help="pytest paths to run")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="communelan-mutation-"))
    scratch_copy(work)
    (work / "setup.cfg").write_text(setup_cfg(args.only, args.tests), encoding="utf-8")
    started = time.perf_counter()
    mutmut = [sys.executable, "-m", "mutmut"]
    run = subprocess.run([*mutmut, "run", "--max-children", str(args.max_children)], cwd=work)
    seconds = time.perf_counter() - started
    listed = subprocess.run(
        [*mutmut, "results", "--all", "true"], cwd=work, capture_output=True, text=True
    ).stdout
    statuses: dict[str, str] = {}
    for line in listed.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep:
            statuses[name] = status.strip()
    counts = collections.Counter(statuses.values())
    print(f"\nmutmut over {', '.join(args.only)} with {' '.join(args.tests)}")
    print(f"mutants: {len(statuses)}; " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())))
    killed, total = score_of(statuses.values())
    print(f"score: {percent(killed, total)} killed ({killed} of {total}) in {seconds:.0f} s")
    print("\n| module | killed / mutants | survived | no test reaches it |")
    print("| --- | --- | --- | --- |")
    by_module: dict[str, list[str]] = collections.defaultdict(list)
    for name, status in statuses.items():
        by_module[module_of(name)].append(status)
    for module, found in sorted(by_module.items()):
        done, of = score_of(found)
        print(
            f"| {module} | {done} / {of} ({percent(done, of)}) | {found.count('survived')} "
            f"| {found.count('no tests')} |"
        )
    for name, status in sorted(statuses.items()):
        if status == "survived":
            print(f"survived: {name}")
    print(f"scratch folder: {work}" if args.keep else "")
    if not args.keep:
        subprocess.run(["rm", "-rf", str(work)], check=False)
    return 0 if run.returncode == 0 else run.returncode


if __name__ == "__main__":
    sys.exit(main())
