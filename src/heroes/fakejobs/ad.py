"""A job ad as the engine sees it: structured fields or plain text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

# EMSCAD and common alternative column names -> our field names.
ALIASES = {
    "company_profile": "company",
    "company_name": "company",
    "employer": "company",
    "salary_range": "salary",
    "pay": "salary",
    "contact_details": "contact",
    "contact_info": "contact",
    "email": "contact",
    "phone": "contact",
    "link": "url",
    "lang": "language",
    "body": "text",
}
# Fields shown and scanned, in this order, when an ad is built from structured fields.
TEXT_FIELDS = ("title", "company", "location", "salary", "description", "requirements", "benefits", "contact", "url")


@dataclass
class Ad:
    text: str = ""
    title: str = ""
    company: str = ""
    location: str = ""
    salary: str = ""
    description: str = ""
    requirements: str = ""
    benefits: str = ""
    contact: str = ""
    url: str = ""
    language: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Ad:
        """Build an ad from a dict with our field names or EMSCAD's; unknown keys are ignored."""
        known = {f.name for f in fields(cls)}
        values: dict[str, str] = {}
        for key, value in data.items():
            name = ALIASES.get(str(key).strip().lower(), str(key).strip().lower())
            if name not in known or value is None or isinstance(value, (dict, list)):
                continue
            text = str(value).strip()
            if text and name != "language":
                values[name] = f"{values[name]}\n{text}" if name in values else text
            elif text:
                values[name] = text.lower()[:2]
        # With a description present, `text` (EMSCAD's cleaned copy of it) would be scanned twice.
        if values.get("text") and values.get("description"):
            values.pop("text")
        return cls(**values)  # type: ignore[arg-type]

    @property
    def structured(self) -> bool:
        return any(getattr(self, name) for name in TEXT_FIELDS)

    def classifier_text(self) -> str:
        """What the classifier scores: the description (it was trained on descriptions only)."""
        return self.description or self.text or self.full_text()

    def full_text(self) -> str:
        """Every field in one text; indicator offsets point into this string."""
        parts = [getattr(self, name) for name in TEXT_FIELDS if getattr(self, name)]
        if self.text:
            parts.insert(0, self.text)
        return "\n\n".join(parts)

    def is_empty(self) -> bool:
        return not self.full_text().strip()
