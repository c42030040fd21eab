"""RIMA benchmarks: parse speed and memory per format on generated databases, agreement with iLEAPP.

    PYTHONPATH=src python benchmarks/rima/bench.py                 # 1,000,000 messages per format
    PYTHONPATH=src python benchmarks/rima/bench.py --n 100000 --formats android,ios

Databases and exports are generated in a temporary folder (never in the repository). Each
measurement runs in a fresh process: messages/second through the parser's `stream`, and the
growth of the process's peak resident memory while parsing. Baselines measured in the same run:
a bare SQLite cursor over the message table (the floor any parser pays) for speed, and the same
rows read with fetchall() (what a parser that loads the table would hold) for memory.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # tests.chats.builders: the same schema builders the tests use

from tests.chats import builders  # noqa: E402

FORMATS = {
    # name: (file name, builder, table for the raw-cursor baseline or None for text)
    "android": ("msgstore.db", lambda p, rows: builders.android_current(p, rows=rows, recent=[]), "message"),
    "ios": ("ChatStorage.sqlite", lambda p, rows: builders.ios_chatstorage(p, rows=rows, recent=[]), "ZWAMESSAGE"),
    "sms-android": ("mmssms.db", lambda p, rows: builders.android_sms(p, rows=rows), "sms"),
    "sms-ios": ("sms.db", lambda p, rows: builders.ios_sms(p, rows=rows), "message"),
    "whatsapp-txt": ("chat.txt", None, None),
    "telegram": ("result.json", None, None),
}


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def write_text_export(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for m in builders.generated(n):
            local = m.at.strftime("%d/%m/%Y, %H:%M:%S")
            out.write(f"[{local}] {m.sender or 'Me'}: {m.text}\n")


def write_telegram(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"name": "Sam", "type": "personal_chat", "id": 1, "messages": [\n')
        for i, m in enumerate(builders.generated(n)):
            row = {
                "id": i + 1,
                "type": "message",
                "date": m.at.replace(tzinfo=None).isoformat(),
                "date_unixtime": str(int(m.at.timestamp())),
                "from": m.sender or "Me",
                "from_id": f"user{m.sender or 0}",
                "text": m.text,
            }
            out.write(("," if i else "") + json.dumps(row, ensure_ascii=False) + "\n")
        out.write("]}\n")


def build(fmt: str, n: int, folder: Path) -> Path:
    name, builder, _ = FORMATS[fmt]
    path = folder / fmt / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "whatsapp-txt":
        write_text_export(path, n)
    elif fmt == "telegram":
        write_telegram(path, n)
    else:
        assert builder is not None
        builder(path, builders.generated(n))
    return path


def worker(mode: str, fmt: str, path: Path) -> dict[str, float]:
    """Runs in its own process: one measurement."""
    from heroes.chats import Message, find_parser

    start_rss = _rss_kib("VmRSS")
    t0 = time.perf_counter()
    count = 0
    if mode == "parse":
        parser = find_parser(path)
        assert parser is not None, path
        for item in parser.stream(path, []):
            if isinstance(item, Message):
                count += 1
    elif mode == "cursor":
        conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
        for _row in conn.execute(f"SELECT * FROM {FORMATS[fmt][2]}"):
            count += 1
    elif mode == "fetchall":
        conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
        count = len(conn.execute(f"SELECT * FROM {FORMATS[fmt][2]}").fetchall())
    elif mode == "acquire":  # the whole acquisition: copy, hash, parse, write messages.jsonl, seal
        from heroes.rima.package import acquire

        with tempfile.TemporaryDirectory(prefix="rima-pkg-") as out:
            manifest = acquire([path], Path(out) / "pkg", case="bench", examiner="bench")
            count = manifest["messages"]
    elif mode == "lines":
        with open(path, encoding="utf-8") as handle:
            for _line in handle:
                count += 1
    seconds = time.perf_counter() - t0
    return {
        "count": count,
        "seconds": seconds,
        "per_second": count / seconds if seconds else 0.0,
        "peak_growth_mib": (_rss_kib("VmHWM") - start_rss) / 1024,
    }


def measure(mode: str, fmt: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", mode, fmt, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"},
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def ileapp_agreement(shared: Path) -> dict[str, object]:
    """Our WhatsApp iOS parse of iLEAPP's test database against iLEAPP's own expected output."""
    from heroes.chats import Message, find_parser

    folder = shared / "forensics/chats/ileapp_whatsapp_ios"
    expected = json.loads(next((folder / "expected").glob("whatsApp.whatsAppMessages.*.json")).read_text("utf-8"))
    cols = expected["headers"]
    theirs = [dict(zip(cols, row, strict=True)) for row in expected["data"]]
    path = folder / "ChatStorage.sqlite"
    parser = find_parser(path)
    assert parser is not None
    ours = [m for m in parser.stream(path, []) if isinstance(m, Message)]

    def key_theirs(r: dict[str, object]) -> tuple[int, str, str]:
        local = r["Sender Name"] == "Local User"
        return int(str(r["Timestamp"])), "me" if local else str(r["From ID"] or ""), str(r["Message"] or "")

    def key_ours(m: Message) -> tuple[int, str, str]:
        assert m.time_utc is not None
        return int(m.time_utc.timestamp()), "me" if m.from_me else (m.sender_id or m.conversation), m.text

    a, b = Counter(key_theirs(r) for r in theirs), Counter(key_ours(m) for m in ours)
    times_a, times_b = Counter(k[0] for k in a.elements()), Counter(k[0] for k in b.elements())
    senders_a, senders_b = Counter(k[1] for k in a.elements()), Counter(k[1] for k in b.elements())
    return {
        "ileapp_messages": len(theirs),
        "our_messages": len(ours),
        "same_times": sum((times_a & times_b).values()),
        "same_senders": sum((senders_a & senders_b).values()),
        "same_time_sender_text": sum((a & b).values()),
        "only_ileapp": sorted(set(a) - set(b))[:5],
        "only_ours": sorted(set(b) - set(a))[:5],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--small", type=int, default=100_000, help="second size, to show memory stays flat")
    ap.add_argument("--worker", nargs=3)
    ap.add_argument("--acquire", action="store_true", help="also time a whole acquisition of the Android database")
    args = ap.parse_args()
    if args.worker:
        mode, fmt, path = args.worker
        print(json.dumps(worker(mode, fmt, Path(path))))
        return
    print(f"# RIMA parse benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs")
    print("| format | messages | parse msg/s | baseline msg/s | peak RSS growth parsing | baseline held |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory(prefix="rima-bench-") as tmp:
        for fmt in args.formats.split(","):
            for n in (args.small, args.n):
                folder = Path(tmp) / str(n)
                t = time.perf_counter()
                path = build(fmt, n, folder)
                built = time.perf_counter() - t
                parsed = measure("parse", fmt, path)
                assert parsed["count"] == n, (fmt, parsed)
                text = FORMATS[fmt][2] is None
                base_speed = measure("lines" if text else "cursor", fmt, path)
                held = "-" if text else f"{measure('fetchall', fmt, path)['peak_growth_mib']:.0f} MiB (fetchall)"
                base = "lines read" if text else "bare cursor"
                print(
                    f"| {fmt} | {n:,} | {parsed['per_second']:,.0f} | {base_speed['per_second']:,.0f} ({base}) | "
                    f"{parsed['peak_growth_mib']:.0f} MiB | {held} |",
                    flush=True,
                )
                print(
                    f"<!-- {fmt} n={n}: generated in {built:.0f} s, {path.stat().st_size / 2**20:.0f} MiB -->",
                    flush=True,
                )
                if args.acquire and fmt == "android" and n == args.n:
                    whole = measure("acquire", fmt, path)
                    print(
                        f"| android, whole acquisition | {n:,} | {whole['per_second']:,.0f} | - | "
                        f"{whole['peak_growth_mib']:.0f} MiB | - |",
                        flush=True,
                    )
                path.unlink()
    shared = ROOT.parent / "shared" / "data"
    if (shared / "forensics/chats").is_dir():
        print("\n# Agreement with iLEAPP (WhatsApp iOS, josh_ios15_ffs ChatStorage.sqlite)")
        print(json.dumps(ileapp_agreement(shared), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
