"""MDT case coordination: one case shared with consent between police, NGOs, health and social services."""

from heroes.core.i18n import lazy_gettext as _l
from heroes.core.tools import Tool

# The role this tool introduces, named here so its label is translated like the core's roles.
COORDINATOR_LABEL = _l("coordinator")

TOOL = Tool(
    name="cases",
    title=_l("Case coordination"),
    summary=_l("One case shared with consent between agencies, so a victim tells their story once."),
    audience="staff",
    pillar="victim-assistance",
    url="/cases",
    cli="heroes.cases.cli:app",
    router="heroes.cases.web:router",
    permission="cases:read",
    permissions={
        "cases:read": ("caseworker", "investigator", "coordinator"),
        "cases:edit": ("caseworker", "investigator", "coordinator"),
        "cases:coordinate": ("coordinator",),
        "cases:retention": ("admin",),
    },
    roles=("coordinator",),
    order=55,
)
