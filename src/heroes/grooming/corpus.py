"""Reading the research data in ../shared/data/chats (development only; never shipped)."""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from heroes.chats.parsers.safexml import parse_xml

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "chats"
_SPEAKER = re.compile(r"(?:^|\s)([0-9a-f]{32}):\s")


@dataclass
class Stream:
    """Every message one author wrote in one chat, in order."""

    id: str
    group: str  # the chat it belongs to: folds never split a chat
    source: str  # pj-predator, pj-decoy, nps
    label: int
    messages: list[str]


@dataclass
class Segment:
    id: str
    text: str
    label: int


@dataclass
class Corpus:
    streams: list[Stream]
    segments: list[Segment]
    checksum: str


def data_dir(path: Path | None = None) -> Path:
    return (path or DEFAULT_DATA_DIR).resolve()


def load_corpus(root: Path | None = None) -> Corpus:
    root = data_dir(root)
    if not (root / "pj").is_dir():
        raise FileNotFoundError(f"no chat training data in {root}")
    digest = hashlib.sha256()
    streams: list[Stream] = []
    for side, label in (("predator", 1), ("decoy", 0)):
        for f in sorted((root / "pj" / side).glob("*.txt")):
            raw = f.read_bytes()
            digest.update(f"{side}/{f.name}".encode() + hashlib.sha256(raw).digest())
            lines = [ln.strip() for ln in raw.decode("utf-8", "replace").splitlines()]
            msgs = [ln for ln in lines if ln]
            if msgs:
                group = f.stem.split("_")[0]
                streams.append(Stream(f"{side}/{f.stem}", group, f"pj-{side}", label, msgs))
    for f in sorted((root / "nps").glob("*.xml")):
        raw = f.read_bytes()
        digest.update(f"nps/{f.name}".encode() + hashlib.sha256(raw).digest())
        by_user: dict[str, list[str]] = {}
        for post in parse_xml(raw, str(f)).iter("Post"):
            if post.get("class") == "System":
                continue
            text = (post.text or "").strip()
            if text:
                by_user.setdefault(post.get("user", "?"), []).append(text)
        for user, msgs in by_user.items():
            streams.append(Stream(f"nps/{user}", f"nps-{f.stem}", "nps", 0, msgs))
    segments: list[Segment] = []
    seg_path = root / "vtpan_segments.csv"
    if seg_path.exists():
        raw = seg_path.read_bytes()
        digest.update(b"vtpan" + hashlib.sha256(raw).digest())
        with seg_path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                segments.append(Segment(row["id"], row["text"], int(row["label"])))
    return Corpus(streams, segments, digest.hexdigest())


def segment_turns(text: str) -> list[tuple[str, str]]:
    """Split a speaker-merged segment ("<id>: words <id>: words") into (speaker, text) turns;
    text without speaker ids is one turn of an unknown speaker."""
    marks = list(_SPEAKER.finditer(text))
    if not marks:
        return [("?", text.strip())] if text.strip() else []
    turns = []
    head = text[: marks[0].start()].strip()
    if head:
        turns.append(("?", head))
    for m, nxt in zip(marks, [*marks[1:], None], strict=True):
        body = text[m.end() : nxt.start() if nxt else len(text)].strip()
        if body:
            turns.append((m.group(1), body))
    return turns
