"""`make bench`: run every bench/bench_*.py in turn (pass --quick for a short run); each writes
bench/results/<name>.json. Exits non-zero if any benchmark misses its target or fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    only = [a for a in argv if not a.startswith("-")]
    flags = [a for a in argv if a.startswith("-")]
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        if only and not any(name in script.stem for name in only):
            continue
        print(f"\n=== {script.name} {' '.join(flags)}", flush=True)
        if subprocess.run([sys.executable, str(script), *flags]).returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"\nmissed target or failed: {', '.join(failed)}")
        return 1
    print("\nall benchmarks met their targets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
