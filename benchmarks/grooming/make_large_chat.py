"""Generate large, ordinary (non-sexual) WhatsApp-format chat exports for speed benchmarks.

.venv/bin/python benchmarks/grooming/make_large_chat.py OUT.txt --mb 19 [--seed 0]

The text is everyday family/school/work talk written for this benchmark, combined at random
(seeded, so the same size gives the same file), with a few participants, emoji, media lines and
continuation lines, like a real export.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

PEOPLE = ["Sam", "Alex", "Mum", "Jordan", "Grandpa Joe"]
OPENERS = [
    "hey",
    "ok",
    "so",
    "morning",
    "right",
    "yes",
    "no worries",
    "haha",
    "well",
    "listen",
    "btw",
    "oh",
]
PHRASES = [
    "how was school today",
    "did you finish the maths homework",
    "the bus was late again this morning",
    "can you pick up some bread and milk on the way back",
    "football practice moved to thursday at five",
    "I left my jacket at the library",
    "what time is dinner tonight",
    "the dog needs a walk before it rains",
    "grandma says thanks for the photos",
    "we are out of coffee",
    "the meeting ran over so I will be home late",
    "remember the dentist appointment on friday",
    "the wifi is slow again, can you restart the router",
    "my phone battery is almost dead",
    "are we still going to the beach on saturday",
    "the science project is due next week",
    "I scored two goals in the match",
    "the teacher said the trip is confirmed",
    "can you send me the shopping list",
    "the train is cancelled so I am taking the bus",
    "do not forget your swimming kit",
    "the cake turned out great",
    "I watched the new episode last night",
    "the garden needs watering",
    "what do you want for your birthday",
    "la reunión de padres es el martes",
    "¿has hecho los deberes de inglés?",
    "mañana vamos al parque con los primos",
]
CLOSERS = ["", "", "", " 😊", " 👍", " !!", " lol", " thanks", " see you later", " ok?"]


def make_chat(target_bytes: int, seed: int = 0) -> bytes:
    rnd = random.Random(seed)
    out: list[str] = []
    size = 0
    minute = 0
    day = 1
    month = 1
    year = 2023
    while size < target_bytes:
        minute += rnd.randint(0, 7)
        if minute >= 24 * 60:
            minute -= 24 * 60
            day += 1
            if day > 28:
                day, month = 1, month + 1
                if month > 12:
                    month, year = 1, year + 1
        who = rnd.choice(PEOPLE)
        head = f"[{day:02d}/{month:02d}/{year}, {minute // 60:02d}:{minute % 60:02d}:{rnd.randint(0, 59):02d}] {who}: "
        r = rnd.random()
        if r < 0.03:
            body = "<Media omitted>"
        else:
            parts = [rnd.choice(PHRASES) for _ in range(rnd.choice((1, 1, 1, 2, 3)))]
            body = rnd.choice(OPENERS) + " " + ", ".join(parts) + rnd.choice(CLOSERS)
            if r > 0.97:
                body += "\n" + rnd.choice(PHRASES)  # a continuation line
        line = head + body
        out.append(line)
        size += len(line.encode()) + 1
    return ("\n".join(out) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.write_bytes(make_chat(int(args.mb * 1_000_000), args.seed))


if __name__ == "__main__":
    main()
