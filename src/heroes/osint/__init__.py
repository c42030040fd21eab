"""OSINT: collect online ads, find trafficking indicators in them, and link them into the networks that post them."""

from heroes.core.i18n import lazy_gettext as _l
from heroes.core.tools import Tool

TOOL = Tool(
    name="osint",
    title=_l("Online ads (OSINT)"),
    summary=_l("Link online ads into the networks that post them, by shared contacts, photos and text templates."),
    audience="staff",
    pillar="investigation",
    url="/osint",
    cli="heroes.osint.cli:app",
    router="heroes.osint.web:router",
    jobs="heroes.osint.jobs",
    permission="osint:use",
    permissions={"osint:use": ("investigator", "admin")},
    order=45,
)
