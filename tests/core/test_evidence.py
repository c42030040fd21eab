from __future__ import annotations

import hashlib
import os
from typing import Any

import pytest

from heroes.core import audit, evidence
from heroes.core.db import session_scope
from heroes.core.errors import HeroesError


def test_streaming_hashes_match_hashlib(tmp_path: Any) -> None:
    data = os.urandom(3 * evidence.CHUNK + 17)
    path = tmp_path / "item.bin"
    path.write_bytes(data)
    result = evidence.hash_file(path)
    assert result.size == len(data)
    assert result.md5 == hashlib.md5(data).hexdigest()
    assert result.sha1 == hashlib.sha1(data).hexdigest()
    assert result.sha256 == hashlib.sha256(data).hexdigest()


def test_missing_file_and_folder_are_clear_errors(tmp_path: Any) -> None:
    with pytest.raises(HeroesError, match="No such file"):
        evidence.hash_file(tmp_path / "absent")
    with pytest.raises(HeroesError, match="folder"):
        evidence.hash_file(tmp_path)


def test_custody_record_is_written_through_the_audit_log(heroes_db: Any, tmp_path: Any) -> None:
    path = tmp_path / "export.txt"
    path.write_text("chat export")
    before = evidence.hash_file(path)
    path.write_text("chat export, modified")
    after = evidence.hash_file(path)
    with session_scope() as session:
        record = evidence.record_custody(
            session, "investigator-1", "acquire", str(path), before, after, {"case": "c-1"}
        )
        assert record.audit_entry_id is not None
        assert record.details["changed"] is True
        assert record.sha256_before == before.sha256 and record.sha256_after == after.sha256
    with session_scope() as session:
        assert audit.verify(session).ok
        assert audit.count(session, "custody.acquire") == 1
