"""Citizen reporting with police triage: anonymous reports, follow-up by receipt, a ranked queue."""

from heroes.core.i18n import lazy_gettext as _l
from heroes.core.tools import Tool

TOOL = Tool(
    name="reports",
    title=_l("Report a situation"),
    summary=_l(
        "Tell the police, anonymously if you wish, about trafficking or child abuse you have seen; "
        "come back with your receipt to read their questions."
    ),
    audience="public",
    pillar="investigation",
    url="/reports/new",
    permission="public",
    cli="heroes.reports.cli:app",
    router="heroes.reports.web:router",
    jobs="heroes.reports.jobs",
    permissions={"reports:read": ("investigator", "admin"), "reports:manage": ("investigator", "admin")},
    order=30,
    staff_links=(("/reports/queue", _l("Report queue"), "reports:read"),),
)
