"""File context analysis (FCA): open seized disk images, folders and archives read-only, type and
extract every file, find entities and known material, search and report."""

from heroes.core.i18n import lazy_gettext as _l
from heroes.core.tools import Tool

TOOL = Tool(
    name="fca",
    title=_l("File context analysis"),
    summary=_l("Open seized disk images and folders, find what matters in them, search them and report."),
    audience="staff",
    pillar="investigation",
    url="/fca",
    cli="heroes.fca.cli:app",
    router="heroes.fca.web:router",
    jobs="heroes.fca.jobs",
    permission="fca:read",
    permissions={
        "fca:ingest": ("investigator", "admin"),
        "fca:read": ("investigator", "admin"),
    },
    order=47,
)
