"""Extract a package's translatable strings and update its catalogues.

    .venv/bin/python scripts/messages.py core       # src/heroes/core -> src/heroes/core/locale
    .venv/bin/python scripts/messages.py fakejobs   # src/heroes/fakejobs -> .../fakejobs/locale
    .venv/bin/python scripts/messages.py fakejobs --lang pt   # start a new language

New messages appear in locale/<lang>/LC_MESSAGES/messages.po with an empty msgstr; translate them.
tests/core/test_i18n.py fails while any message lacks a translation.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYBABEL = str(Path(sys.executable).parent / "pybabel")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("package", help="core or a tool name")
    parser.add_argument("--lang", action="append", help="language(s) to update (default: every existing one, or es)")
    args = parser.parse_args()
    source = ROOT / "src" / "heroes" / args.package
    locale = source / "locale"
    languages = args.lang or sorted(p.name for p in locale.glob("*") if p.is_dir()) or ["es"]
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        subprocess.run(
            [
                PYBABEL,
                "-q",
                "extract",
                "-F",
                str(ROOT / "babel.cfg"),
                "-k",
                "_l",
                "--no-location",
                "--sort-output",
                "-o",
                str(pot),
                str(source.relative_to(ROOT)),
            ],
            check=True,
            cwd=ROOT,
        )
        for lang in languages:
            po = locale / lang / "LC_MESSAGES" / "messages.po"
            action = "update" if po.exists() else "init"
            command = [PYBABEL, "-q", action, "-i", str(pot), "-d", str(locale), "-l", lang, "-D", "messages"]
            if action == "update":
                command += ["--no-fuzzy-matching", "--ignore-obsolete"]
            subprocess.run(command, check=True)
            print(f"{po.relative_to(ROOT)} {action}d")


if __name__ == "__main__":
    main()
