"""A fixed, varied set of texts for checking that the encoder's vectors keep their exact bits.

The shipped models of other tools (fake jobs, Spanish grooming) were trained on these vectors and
their retraining is checked byte for byte, so a faster forward pass must give the same float32
bits as before, whatever batch a text is encoded in."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import numpy as np

WRITTEN = Path(__file__).parents[2] / "src" / "heroes" / "reports" / "data" / "written_cases.jsonl"

_SENTENCES = (
    "the boss keeps our passports in his safe and we owe him for the ticket",
    "la niña de 13 años pide en el semáforo ahora mismo esta noche en el piso",
    "my son is 10 coach touched him school year 9 tonight hotel room 212",
    "trabajan sin contrato y no pueden salir deuda 8.000 euros menor de edad",
)
_WORDS = [word for sentence in _SENTENCES for word in sentence.split()]


def texts() -> list[str]:
    """About 420 texts: written cases, generated mixes, and edge cases (empty, one piece, long,
    repeated words, symbols, other scripts)."""
    cases = [json.loads(line)["text"] for line in WRITTEN.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = cases[::2]
    rng = random.Random(2026)
    for n in (1, 2, 3, 4, 5, 7, 9, 12, 20, 40, 80):
        for _ in range(3):
            out.append(" ".join(rng.choice(_WORDS) for _ in range(n)))
    out += [
        "",
        " ",
        "x",
        "¿?",
        "Hola.",
        "HELP NOW!!! 112",
        "😀😀 ñandú Ærøskøbing ＦＵＬＬ width\tand\nnew lines",
        "Пожалуйста, помогите. 请帮助我们。",
        "word " * 600,
        "El jefe guarda los pasaportes en la caja fuerte y no nos paga. " * 40,
        "a b c d e f g h i j k l m n o p q r s t u v w x y z",
        "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15",
    ]
    return out


def digest(vectors: np.ndarray) -> str:
    assert vectors.dtype == np.float32
    return hashlib.sha256(np.ascontiguousarray(vectors).tobytes()).hexdigest()
