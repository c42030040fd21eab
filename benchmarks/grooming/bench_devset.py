"""The 1:1 development sets (English and Spanish, see make_devset.py): how many grooming chats
warn and how early, how many ordinary chats warn, per language, beside two baselines measured in
the same run: the analyser without the learned scores of other languages (as before issue 14's
second round: the stage rule gated by the English model's risk at 0.2) and the model-only warning
(the stage rule switched off).

    python benchmarks/grooming/bench_devset.py [--details] [--old-cues FILE] [--sets en es es2 es3]

--old-cues FILE adds a row for the analyser with an earlier cues.yaml (for instance
`git show <commit>:src/heroes/grooming/data/cues.yaml > /tmp/cues.yaml`), to measure a change
of the cues against what it replaced in the same run.
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import replace
from pathlib import Path

import yaml

from heroes.grooming.analysis import analyse
from heroes.grooming.cues import CueSet
from heroes.grooming.model import GroomingModel, default_model
from heroes.grooming.parsers import parse_file

DEVSET = Path(__file__).parent / "devset"


def run(model: GroomingModel, lang: str, details: bool, cues: CueSet | None = None) -> dict[str, object]:
    import json

    warned_g, pos, n_g, warned_o, n_o, false = 0, [], 0, 0, 0, []
    levels: dict[tuple[str, str], int] = {}
    for path in sorted((DEVSET / lang).glob("*.json")):
        label = json.loads(path.read_text("utf-8"))["label"]
        conv = parse_file(path)[0]
        rep = analyse(conv, model=model, cues=cues)
        levels[(label, rep.level)] = levels.get((label, rep.level), 0) + 1
        if label == "grooming":
            n_g += 1
            if rep.alert_at is not None:
                warned_g += 1
                pos.append((rep.alert_at + 1) / rep.messages)
            elif details:
                print("  missed", path.name)
        else:
            n_o += 1
            if rep.alert_at is not None:
                warned_o += 1
                false.append(path.stem)
    return {
        "grooming warned": f"{warned_g}/{n_g} ({warned_g / n_g:.0%})",
        "median position of the warning": f"{statistics.median(pos):.0%}" if pos else "-",
        "ordinary warned": f"{warned_o}/{n_o} ({warned_o / n_o:.1%})",
        "false warnings": ", ".join(false) or "-",
        "levels": ", ".join(f"{k[0]}:{k[1]}={v}" for k, v in sorted(levels.items())),
    }


def main() -> None:
    details = "--details" in sys.argv
    ours = default_model()
    before = replace(ours, languages={}, stage_rule=replace(ours.stage_rule, min_risk=0.2))
    model_only = replace(ours, languages={}, stage_rule=replace(ours.stage_rule, raise_at=1e9))
    old_cues = None
    if "--old-cues" in sys.argv:
        at = sys.argv.index("--old-cues")
        old_cues = CueSet(yaml.safe_load(Path(sys.argv[at + 1]).read_text("utf-8")))
        del sys.argv[at : at + 2]
    sets = sys.argv[sys.argv.index("--sets") + 1 :] if "--sets" in sys.argv else ["en", "es", "es2", "es3"]
    for lang in sets:
        print(f"## {lang}")
        runs = (
            ("ours (model + learned language score + stage rule)", ours),
            ("baseline: no learned language score, stage rule gated by the English risk at 0.2", before),
            ("baseline: model-only warning", model_only),
        )
        with_cues: list[tuple[str, GroomingModel, CueSet | None]] = [(n, m, None) for n, m in runs]
        if old_cues is not None:
            with_cues.insert(1, ("baseline: the same analyser with the earlier cues (--old-cues)", ours, old_cues))
        for name, m, c in with_cues:
            print(f"  {name}")
            for k, v in run(m, lang, details, c).items():
                print(f"    {k}: {v}")


if __name__ == "__main__":
    main()
