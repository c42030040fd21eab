"""Labels of statuses and outcomes in the reader's language.

Part of the reports library (heroes.reports.service re-exports it)."""

from __future__ import annotations

import base64

from heroes.core.errors import HeroesError
from heroes.core.i18n import gettext as _
from heroes.reports.intake import Upload


def status_label(status: str) -> str:
    labels = {
        "new": _("New"),
        "in_review": _("In review"),
        "referred": _("Referred"),
        "closed": _("Closed"),
    }
    return labels.get(status, status)


def outcome_label(outcome: str) -> str:
    labels = {
        "action_taken": _("Action taken"),
        "referred_elsewhere": _("Referred to another service"),
        "no_offence_found": _("No offence found"),
        "not_enough_information": _("Not enough information"),
        "duplicate": _("Duplicate of another report"),
    }
    return labels.get(outcome, outcome)


def decode_base64_upload(filename: str | None, content_base64: str) -> Upload:
    try:
        return Upload(filename, base64.b64decode(content_base64, validate=True))
    except ValueError as exc:
        raise HeroesError(_("An attachment is not valid base64.")) from exc
