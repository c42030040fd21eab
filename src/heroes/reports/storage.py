"""Attachments on disk: checked, encrypted and written beside the report; read back for staff.

Part of the reports library (heroes.reports.service re-exports it)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from heroes.core.crypto import encrypt_bytes
from heroes.core.errors import HeroesError
from heroes.core.settings import get_settings
from heroes.reports.attachments import CleanFile, check_attachment, check_pixel_budget, safe_filename
from heroes.reports.intake import Upload
from heroes.reports.models import Attachment, Report


def attachments_dir() -> Path:
    path = get_settings().ensure_data_dir() / "reports" / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


_NEW_FILES = "heroes.reports.new_files"


@event.listens_for(Session, "after_commit")
def _keep_new_files(session: Session) -> None:
    session.info.pop(_NEW_FILES, None)


@event.listens_for(Session, "after_rollback")
def _remove_new_files(session: Session) -> None:
    """Files written for a transaction that rolled back would belong to no report: remove them."""
    for path in session.info.pop(_NEW_FILES, []):
        path.unlink(missing_ok=True)


def _store_file(session: Session, report: Report, clean: CleanFile, filename: str | None, added_by: str) -> Attachment:
    storage_name = f"{uuid.uuid4().hex}.bin"
    target = attachments_dir() / storage_name
    temporary = target.with_suffix(".part")
    temporary.write_bytes(encrypt_bytes(clean.data))
    temporary.replace(target)
    session.info.setdefault(_NEW_FILES, []).append(target)
    attachment = Attachment(
        added_by=added_by,
        filename=safe_filename(filename, clean.extension),
        kind=clean.kind,
        content_type=clean.content_type,
        size=clean.size,
        sha256=clean.sha256,
        storage_name=storage_name,
    )
    report.attachments.append(attachment)
    return attachment


def _check_uploads(uploads: Iterable[Upload]) -> list[tuple[Upload, CleanFile]]:
    """Check every file before anything is written: one bad file refuses the whole submission."""
    uploads = list(uploads)
    check_pixel_budget([upload.data for upload in uploads if upload.data])
    checked = []
    for upload in uploads:
        if not upload.data:
            continue  # an empty file input of a form
        try:
            checked.append((upload, check_attachment(upload.data)))
        except HeroesError as exc:
            name = re.sub(r"[^\w.-]+", "_", upload.filename or "")[:80] or "?"
            raise HeroesError(f"{name}: {exc.message}", exc.status_code) from exc
    return checked


def _write_files(
    session: Session, report: Report, checked: list[tuple[Upload, CleanFile]], added_by: str
) -> list[Attachment]:
    return [_store_file(session, report, clean, upload.filename, added_by) for upload, clean in checked]
