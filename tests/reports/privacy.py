"""Search everything the app stored (every table, decrypted fields too) for a piece of text."""

from __future__ import annotations

from sqlalchemy import select, text

from heroes.core import db
from heroes.core.db import session_scope
from heroes.reports.models import Attachment, Message, Note, Report, ReportIdentifier


def stored_text() -> str:
    """Every row of every table as raw text, plus the decrypted report fields."""
    db.import_all_models()
    parts: list[str] = []
    with session_scope() as session:
        for table in db.Base.metadata.sorted_tables:
            rows = session.execute(text(f'SELECT * FROM "{table.name}"')).all()
            parts.extend(repr(tuple(row)) for row in rows)
        for report in session.execute(select(Report)).scalars():
            parts.append(repr(report.content) + repr(report.triage))
        for model, fields in (
            (ReportIdentifier, ("value", "raw")),
            (Attachment, ("filename",)),
            (Message, ("body",)),
            (Note, ("body",)),
        ):
            for row in session.execute(select(model)).scalars():
                parts.extend(str(getattr(row, name)) for name in fields)
    return "\n".join(parts)
