from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.chats import builders


@pytest.fixture
def phone_dump(tmp_path: Path) -> Path:
    """What an examiner gets: an Android msgstore.db with its WAL and wa.db, an iOS ChatStorage,
    a WhatsApp export ZIP with a photo, a Telegram export."""
    root = tmp_path / "seized"
    android = root / "android"
    android.mkdir(parents=True)
    builders.android_current(android / "msgstore.db")
    builders.wa_db(android / "wa.db")
    builders.ios_chatstorage(root / "ChatStorage.sqlite")
    export = root / "WhatsApp Chat with Lucía.zip"
    with zipfile.ZipFile(export, "w") as zf:
        zf.writestr(
            "_chat.txt",
            "[30/03/2024, 23:50:00] Lucía: hola 📷\n"
            "[30/03/2024, 23:51:00] Lucía: <attached: 00000001-PHOTO-2024-03-30.jpg>\n"
            "[31/03/2024, 03:10:00] Me: ¿nos vemos mañana?\nen el parque\n",
        )
        zf.writestr("00000001-PHOTO-2024-03-30.jpg", b"\xff\xd8\xff\xe0 not really a photo")
    (root / "result.json").write_text(
        '{"name": "Sam", "type": "personal_chat", "id": 7, "messages": [{"id": 1, "type": "message", '
        '"date": "2024-03-31T04:00:00", "date_unixtime": "1711850400", "from": "Sam", "from_id": "user7", '
        '"text": "call me on +34 612 34 56 78"}]}',
        encoding="utf-8",
    )
    return root
