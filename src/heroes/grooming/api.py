"""The grooming engine's public API for other tools (the chat-evidence tool RIMA uses it)."""

from __future__ import annotations

from typing import Any

from heroes.chats.model import Conversation


def analyse_conversation(conversation: Conversation, lang: str = "en") -> dict[str, Any]:
    """Score one conversation for grooming with the shipped model and cue set.

    Returns the report as plain data: `score`, `level` (low/elevated/high), `label`, `threshold`,
    `riskiest_author`, `alert_at`, `stages` (each with `name`, `description` and `evidence`: the
    `index` of the message in `conversation.messages` among those with text, its `author`, `cue`,
    `snippet` and `explanation`), `authors`, `advice` and `warnings`, in the language `lang`.
    """
    from heroes.grooming.analysis import analyse

    return analyse(conversation, lang=lang).to_dict()
