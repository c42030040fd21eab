"""Fake job offer identifier: explainable scam and trafficking-recruitment risk for job ads."""

from heroes.core.i18n import lazy_gettext as _l
from heroes.core.tools import Tool

TOOL = Tool(
    name="fakejobs",
    title=_l("Fake job offer check"),
    summary=_l("Paste a job ad and see how risky it looks, and why."),
    audience="public",
    pillar="prevention",
    url="/fakejobs",
    cli="heroes.fakejobs.cli:app",
    router="heroes.fakejobs.web:router",
    jobs="heroes.fakejobs.jobs",
    permissions={"fakejobs:batch": ("caseworker", "investigator", "admin")},
    order=10,
)
