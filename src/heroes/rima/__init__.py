"""RIMA, chat evidence acquisition: messaging-app conversations from phones and exports into evidence
packages with hashes, a manifest and chain of custody; transcripts, timelines and grooming analysis."""

from heroes.core.i18n import lazy_gettext as _l
from heroes.core.tools import Tool

TOOL = Tool(
    name="rima",
    title=_l("Chat evidence (RIMA)"),
    summary=_l("Acquire chats from phones and exports into evidence, with hashes and chain of custody."),
    audience="staff",
    pillar="investigation",
    url="/rima",
    cli="heroes.rima.cli:app",
    router="heroes.rima.web:router",
    jobs="heroes.rima.jobs",
    permission="rima:read",
    permissions={
        "rima:acquire": ("investigator", "admin"),
        "rima:read": ("investigator", "admin"),
    },
    order=45,
)
