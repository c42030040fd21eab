"""Synthetic report texts for the benchmarks: short sentences written for HEROES, combined at random
with a fixed seed (no real reports, nothing explicit)."""

from __future__ import annotations

import random

OPENINGS = [
    "My neighbour told me that",
    "I think that",
    "Yesterday I saw that",
    "Mi vecina me contó que",
    "Creo que",
    "Ayer vi que",
]
SITUATIONS = [
    "the women in the flat are forced to see clients every night",
    "the workers at the farm are never paid and the boss took their passports",
    "a man keeps messaging my daughter on a game and asks her for photos",
    "someone threatens to share pictures of my son unless he pays",
    "the maid next door is never allowed out",
    "a man drops the children at the station every morning to beg",
    "en el piso obligan a las chicas a atender clientes",
    "los trabajadores de la finca llevan meses sin cobrar",
    "un hombre escribe a mi hija y le pide fotos",
    "amenaza con publicar fotos si no paga",
]
DETAILS = [
    "They live at 12 Oak Street.",
    "Viven en la Calle Mayor 5.",
    "His number is +34 612 345 678.",
    "Su teléfono es 699 111 222.",
    "He uses instagram.com/some.account and @night_owl.",
    "A white van with plate 1234 BCD picks them up at 6pm.",
    "Write to jobs+x@agency.example.",
    "She is 14 years old.",
    "Tiene 15 años.",
    "",
]


def make_texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        parts = [rng.choice(OPENINGS), rng.choice(SITUATIONS) + "."]
        parts += rng.sample(DETAILS, k=rng.randint(1, 4))
        texts.append(" ".join(p for p in parts if p))
    return texts
