"""The stage rule on the research streams: does the second way to warn keep the English
held-out figures where they are? For each PJ predator, PJ decoy and NPS stream, replays the
shipped model and the stage rule message by message and reports, per source, how many streams
ever warn by the model alone (the figures of RESULTS.md) and by model + stage rule, and how many
predator messages are read before the warning. The text model saw these streams in training,
so the model-only rates are in-sample; the change the stage rule makes is the point.

    python benchmarks/grooming/bench_stage_rule.py [--min-risk 0.1 0.3 ...]
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import replace

from _shared import corpus_or_exit, log

from heroes.grooming.cues import default_cues
from heroes.grooming.features import Featurizer
from heroes.grooming.model import default_model
from heroes.grooming.stream import AuthorScorer, Hysteresis, StageHysteresis


def main() -> None:
    values = [float(v) for v in sys.argv[sys.argv.index("--min-risk") + 1 :]] if "--min-risk" in sys.argv else []
    base = default_model()
    models = [base] + [replace(base, stage_rule=replace(base.stage_rule, min_risk=v)) for v in values]
    sys.argv[1:] = []  # the data folder argument of corpus_or_exit: the default
    corpus = corpus_or_exit()
    cues, fz = default_cues(), Featurizer(base.text.n_features)
    stats: dict[tuple[int, str], list[tuple[int | None, int | None]]] = {}
    for k, s in enumerate(corpus.streams):
        if k % 100 == 0:
            log(f"stream {k}/{len(corpus.streams)}")
        msgs = [(fz.counts(t), cues.find(t)) for t in s.messages]
        for mi, m in enumerate(models):
            sc, hy, st = AuthorScorer(m), Hysteresis(m.policy), StageHysteresis(m)
            first_model = first_any = None
            for i, (counts, hits) in enumerate(msgs):
                r = sc.risk(sc.features(counts, hits))
                ev, n = sc.stage_evidence()
                w_model = hy.update(r)
                w_stage = st.update_stages(ev, n, r)
                if w_model and first_model is None:
                    first_model = i
                if (w_model or w_stage) and first_any is None:
                    first_any = i
            stats.setdefault((mi, s.source), []).append((first_model, first_any))
    for mi, m in enumerate(models):
        print(f"stage rule raise_at {m.stage_rule.raise_at}, min_risk {m.stage_rule.min_risk}")
        for src in ("pj-predator", "pj-decoy", "nps"):
            rows = stats[(mi, src)]
            wm = [a for a, _ in rows if a is not None]
            wa = [b for _, b in rows if b is not None]
            line = (
                f"  {src}: {len(rows)} streams; warned model only {len(wm)} ({len(wm) / len(rows):.2%}), "
                f"with stage rule {len(wa)} ({len(wa) / len(rows):.2%})"
            )
            if src == "pj-predator":
                med = (statistics.median(wm) + 1, statistics.median(wa) + 1)
                line += f"; messages to the warning median {med[0]:.0f} -> {med[1]:.0f}"
            print(line)


if __name__ == "__main__":
    main()
