"""Anti-grooming engine: early warning in chats, with the grooming stages explained."""

from heroes.core.i18n import lazy_gettext as _l
from heroes.core.tools import Tool

TOOL = Tool(
    name="grooming",
    title=_l("Grooming early warning"),
    summary=_l("Warns early when a chat shows signs of grooming, and explains the stages it saw."),
    audience="public",
    pillar="prevention",
    url="/grooming",
    cli="heroes.grooming.cli:app",
    router="heroes.grooming.web:router",
    warmup="heroes.grooming.analysis:warm_up",
    permissions={"grooming:analyze": ("caseworker", "investigator", "admin")},
    order=20,
)
