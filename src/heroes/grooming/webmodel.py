"""The model and the cues as one JSON document for the in-browser check (static/engine.js).

The browser recomputes exactly what `StreamAnalyser` computes: the same hashed features, the
same float32 weights (sent as little-endian base64), the same stacker, hysteresis and stage
rule, the same cue patterns. Nothing is sent back: the page analyses the chat where it is.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict
from functools import lru_cache

import numpy as np

from heroes.grooming.cues import CueSet, default_cues
from heroes.grooming.language_model import language_markers
from heroes.grooming.model import GroomingModel, default_model

BUNDLE_VERSION = 1


def _f32(values: np.ndarray) -> str:
    return base64.b64encode(values.astype("<f4").tobytes()).decode("ascii")


def bundle(model: GroomingModel, cues: CueSet) -> dict[str, object]:
    """Everything the browser scorer needs; languages other than the page's are kept (a chat
    can mix them)."""
    return {
        "bundle_version": BUNDLE_VERSION,
        "model_version": "-".join(
            [str(model.metadata.get("sha256", ""))[:12]]
            + [f"{k}{str(v.metadata.get('sha256', ''))[:8]}" for k, v in model.languages.items()]
        ),
        "n_features": model.text.n_features,
        "text": {"coef": _f32(model.text.coef_), "idf": _f32(model.text.idf_), "intercept": model.text.intercept_},
        "stacker": {"coef": [float(c) for c in model.stacker.coef_], "intercept": model.stacker.intercept_},
        "policy": asdict(model.policy),
        "stream": asdict(model.stream),
        "stage_rule": asdict(model.stage_rule),
        # The learned scores of other languages (sparse float32 students) and the words that
        # tell which language a person writes (English first: it wins ties).
        "languages": [
            {
                "lang": lm.lang,
                "indices": base64.b64encode(lm.indices.astype("<i4").tobytes()).decode("ascii"),
                "values": _f32(lm.values),
                "intercept": lm.intercept,
                "policy": asdict(lm.policy),
                "min_risk": lm.min_risk,
            }
            for lm in model.languages.values()
        ],
        "markers": [{"lang": k, "words": list(v)} for k, v in language_markers().items()],
        "stages": [
            {
                "id": s.id,
                "order": s.order,
                "name": s.name,
                "parent": s.parent,
                "child": s.child,
                "description": s.description,
            }
            for s in sorted(cues.stages.values(), key=lambda s: s.order)
        ],
        "advice": cues.advice,
        "cues": [
            {
                "id": c.id,
                "stage": c.stage,
                "weight": c.weight,
                "child": c.explain_child,
                "adult": c.explain_adult,
                "patterns": {lang: [p.pattern for p in pats] for lang, pats in c.patterns.items()},
            }
            for c in cues.cues
        ],
    }


@lru_cache(maxsize=1)
def bundle_json() -> tuple[bytes, str]:
    """The shipped bundle as bytes, and its ETag."""
    data = json.dumps(bundle(default_model(), default_cues()), ensure_ascii=False, separators=(",", ":")).encode()
    return data, hashlib.sha256(data).hexdigest()[:16]
