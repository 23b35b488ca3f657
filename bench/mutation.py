"""Mutation score of the safety-critical code: mutmut over push/, backup.py, connection.py,
compliance/ and the secrets code, against the tests that guard them.

    .venv/bin/pip install -e '.[mutation]'                   # mutmut
    .venv/bin/python bench/mutation.py                       # the whole scope (hours)
    .venv/bin/python bench/mutation.py --only nornir_config/push/state.py --tests tests/push

Runs in a scratch copy of the committed tree (`git archive HEAD`), so the worktree is never
touched. Prints killed/survived/other counts, the score (killed / mutants tried) and every
surviving mutant; `mutmut show NAME` in the printed folder shows one. Not part of the suite.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import time
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
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    tried = killed + counts.get("survived", 0)
    print(f"\nmutmut over {', '.join(args.only)} with {' '.join(args.tests)}")
    print(f"mutants: {len(statuses)}; " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())))
    score = 100.0 * killed / tried if tried else 0.0
    print(f"score: {score:.1f}% killed ({killed} of {tried} tried) in {seconds:.0f} s")
    for name, status in sorted(statuses.items()):
        if status == "survived":
            print(f"survived: {name}")
    print(f"scratch folder: {work}" if args.keep else "")
    if not args.keep:
        subprocess.run(["rm", "-rf", str(work)], check=False)
    return 0 if run.returncode == 0 else run.returncode


if __name__ == "__main__":
    sys.exit(main())
