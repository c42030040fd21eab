"""Start-up of the web app and the CLI, this checkout beside a baseline source tree, in one run.

    .venv/bin/python benchmarks/core/bench_startup.py --baseline /tmp/heroes-before/src

Measures, best of N, alternating the two trees: launch of uvicorn with the app to the first 200 from
/healthz; `heroes --help`; and `import fastapi, uvicorn` alone as the floor. Make a baseline tree with
`git archive <commit> src | tar -x -C /tmp/heroes-before`.

Bytecode is cached (in a temporary PYTHONPYCACHEPREFIX, warmed by one run) as on an installed
machine: with PYTHONDONTWRITEBYTECODE=1 every launch also compiles the sources (about 0.5 s here).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_scale import ROOT, _first_answer, _time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, help="the src folder of the code to compare with")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-bytecode-cache", action="store_true", help="compile the sources on every launch")
    args = parser.parse_args()
    trees = {"this checkout": ROOT / "src"}
    if args.baseline:
        trees["baseline"] = args.baseline
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    workdir = Path(tempfile.mkdtemp(prefix="heroes-startup-"))
    try:
        best: dict[str, dict[str, float]] = {name: {} for name in trees}
        for round_ in range(args.repeat + 1):  # round 0 writes the bytecode caches and is not counted
            for name, src in trees.items():
                env = {**os.environ, "PYTHONPATH": str(src), "HEROES_DATA_DIR": str(workdir / name)}
                if args.no_bytecode_cache:
                    env["PYTHONDONTWRITEBYTECODE"] = "1"
                else:
                    env.pop("PYTHONDONTWRITEBYTECODE", None)
                    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache" / name)
                row = best[name] if round_ else {}
                app = _first_answer(env, workdir)
                row["app"] = min(row.get("app", app), app)
                cli = _time([sys.executable, "-m", "heroes.cli", "--help"], env, repeat=1)
                row["cli"] = min(row.get("cli", cli), cli)
        bare = _time([sys.executable, "-c", "import fastapi, uvicorn"], dict(os.environ), repeat=args.repeat)
        print(f"best of {args.repeat}            app: launch to first /healthz   heroes --help")
        for name, row in best.items():
            print(f"{name:<20} {row['app']:27.2f} s {row['cli']:14.2f} s")
        print(f"import fastapi, uvicorn alone: {bare:.2f} s")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
