"""What the public and staff routes of the reports tool share: guards, path types, form helpers and
the API's request and answer models."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import Depends, Path, Request, UploadFile
from pydantic import BaseModel, Field

from heroes.core import i18n
from heroes.core.auth import Principal, Require
from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.core.web.middleware import body_limit
from heroes.reports import service
from heroes.reports.attachments import MAX_BYTES, MAX_FILES
from heroes.reports.emergency import contacts_for, countries, country_from_language_tag
from heroes.reports.models import OUTCOMES, STATUSES
from heroes.reports.rules import category_rules
from heroes.reports.triage import category_label

Reader = Annotated[Principal, Depends(Require(service.READ))]
Manager = Annotated[Principal, Depends(Require(service.MANAGE))]
DbId = Annotated[int, Path(ge=1, le=service.MAX_ID)]
ReceiptPath = Annotated[
    str,
    Path(pattern=r"^[0-9 -]{16,40}$", description="The receipt code given at submission."),
]
GROUPS = ("thb", "csa", "other")
# Whole requests: every attachment at its largest plus the text fields (base64 in the JSON API).
body_limit("/reports/new", MAX_FILES * MAX_BYTES + 1024 * 1024)
body_limit("/reports/receipt/add", MAX_FILES * MAX_BYTES + 1024 * 1024)
body_limit("/api/reports", MAX_FILES * MAX_BYTES * 4 // 3 + 1024 * 1024)


def _dates() -> dict[str, Any]:
    """Date formatters for the templates, in the reader's language."""
    from babel.dates import format_date, format_datetime

    lang = i18n.get_language()

    def as_date(moment: datetime | str | None) -> str:
        if not moment:
            return ""
        value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
        return format_date(value, "long", locale=lang)

    def as_datetime(moment: datetime | str | None) -> str:
        if not moment:
            return ""
        value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
        return format_datetime(value, "medium", locale=lang)

    return {"fmt_date": as_date, "fmt_datetime": as_datetime}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()] if text else []


def _occurred(day: str, hour: str) -> datetime | None:
    if not day:
        return None
    try:
        moment = datetime.combine(date.fromisoformat(day), time.fromisoformat(hour) if hour else time(12, 0))
    except ValueError as exc:
        raise HeroesError(_("The date or time is not valid.")) from exc
    return moment.replace(tzinfo=UTC)


def _uploads(files: list[UploadFile]) -> list[service.Upload]:
    uploads = []
    for item in files[: MAX_FILES + 1]:
        data = item.file.read(MAX_BYTES + 1)  # one byte more than allowed is enough to refuse
        if data:
            uploads.append(service.Upload(item.filename, data))
    return uploads


def _categories(lang: str) -> list[tuple[str, list[dict[str, str]]]]:
    rules = category_rules()
    groups: list[tuple[str, list[dict[str, str]]]] = []
    for group in GROUPS:
        items = [
            {
                "key": c.key,
                "label": i18n.localized(c.label, lang),
                "help": i18n.localized(c.help, lang),
            }
            for c in rules.categories.values()
            if c.group == group
        ]
        groups.append((group, items))
    return groups


def _default_country(request: Request, given: str | None) -> str | None:
    if given:
        return given.upper()[:2]
    header = request.headers.get("accept-language", "")
    return country_from_language_tag(header.split(",")[0].split(";")[0].strip() or None)


def _form_context(request: Request, values: dict[str, Any], error: str | None = None) -> dict[str, Any]:
    lang = i18n.get_language()
    category = values.get("category") or ""
    return {
        "values": values,
        "error": error,
        "category_label": category_label(category, lang) if category else "",
        "groups": _categories(lang),
        "countries": countries(lang),
        "emergency": contacts_for(values.get("country"), lang),
        "csam": category == "csam_online",
        "max_files": MAX_FILES,
        "max_mb": MAX_BYTES // (1024 * 1024),
        "idempotency_key": values.get("idempotency_key") or secrets.token_urlsafe(24),
    }


# --- API ------------------------------------------------------------------------------------


class AttachmentIn(BaseModel):
    filename: str | None = Field(None, max_length=200)
    content_base64: str = Field(..., max_length=MAX_BYTES * 4 // 3 + 8)


class ReportIn(BaseModel):
    description: str = Field(
        ...,
        max_length=service.MAX_TEXT,
        description="What happened, in the reporter's words.",
    )
    category: str | None = Field(None, description="One of the category keys (see /reports/new), or none.")
    danger_now: bool = Field(False, description="Someone is in danger now.")
    country: str | None = Field(
        None,
        max_length=2,
        description="ISO country code: phone region, emergency number.",
    )
    location: str = Field("", max_length=service.MAX_FIELD)
    occurred_at: datetime | None = None
    when_text: str = Field("", max_length=service.MAX_FIELD)
    people: str = Field("", max_length=service.MAX_FIELD)
    ages: str = Field("", max_length=service.MAX_FIELD)
    how_known: str = Field("", max_length=service.MAX_FIELD)
    phones: list[str] = Field(default_factory=list, max_length=service.MAX_LIST)
    emails: list[str] = Field(default_factory=list, max_length=service.MAX_LIST)
    usernames: list[str] = Field(default_factory=list, max_length=service.MAX_LIST)
    urls: list[str] = Field(default_factory=list, max_length=service.MAX_LIST)
    vehicles: list[str] = Field(default_factory=list, max_length=service.MAX_LIST)
    contact: str = Field("", max_length=500, description="Optional; empty keeps the report anonymous.")
    language: str | None = Field(None, max_length=8)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_FILES)


class EmergencyOut(BaseModel):
    country: str | None
    country_name: str
    emergency: str
    note: str
    extra: list[dict[str, str]]


class ReceiptOut(BaseModel):
    report_received: bool = True
    receipt: str = Field(
        ...,
        description="Shown once; keep it to follow the report up. Only its hash is stored.",
    )
    receipt_display: str
    status: str
    emergency: EmergencyOut | None = Field(None, description="When someone is in danger now: call this first.")


class ChallengeIn(BaseModel):
    lookup: str = Field(..., pattern=r"^[0-9]{6}$", description="The first 6 digits of the receipt code.")
    client: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_-]{16,64}$",
        description="Your anonymous client token (any random string you keep); a new one is given when absent.",
    )


class ChallengeOut(BaseModel):
    """Proof of work: find decimal digits `s` such that SHA-256 of "<challenge>:<s>" (UTF-8) starts
    with `bits` zero bits, then send "<challenge>:<s>" in the `Receipt-Proof` header with the same
    `Receipt-Client` header, before `expires_in` seconds pass. `bits` 0 means no work is needed."""

    challenge: str
    algorithm: str = Field("sha256-leading-zero-bits")
    bits: int = Field(..., ge=0, le=64)
    lookup: str
    client: str = Field(..., description="The client token to send back as the Receipt-Client header.")
    expires_in: int = Field(..., description="Seconds left to send the proof.")


class ReceiptLimitedOut(BaseModel):
    detail: str
    challenge: ChallengeOut | None = Field(
        None, description="Solve it and send the proof (Receipt-Proof header) to be answered now."
    )


class AnswerIn(BaseModel):
    question_id: int = Field(..., ge=1, le=service.MAX_ID)
    answer: str = Field(..., max_length=service.MAX_TEXT)


class InformationIn(BaseModel):
    text: str = Field("", max_length=service.MAX_TEXT)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_FILES)


class StatusIn(BaseModel):
    status: str = Field(..., description=", ".join(STATUSES))
    outcome: str | None = Field(None, description="Needed to close: " + ", ".join(OUTCOMES))


class AssignIn(BaseModel):
    username: str | None = None


class TextIn(BaseModel):
    text: str = Field(..., max_length=service.MAX_TEXT)


class ExportIn(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=service.MAX_ID)]] | None = Field(
        None, description="Reports to export; all when omitted.", max_length=1000
    )
    format: str = Field("json", pattern="^(json|csv)$")
