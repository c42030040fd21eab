"""Training and prevention guides: courses for staff, public guides, certificates and xAPI learning records."""

from heroes.core.i18n import lazy_gettext as _l
from heroes.core.tools import Tool

TOOL = Tool(
    name="training",
    title=_l("Training and prevention guides"),
    summary=_l("Courses for health, transport and multidisciplinary teams; guides on online grooming for families."),
    audience="public",
    pillar="prevention",
    url="/training",
    cli="heroes.training.cli:app",
    router="heroes.training.web:router",
    permissions={
        "training:learn": ("*staff",),
        "training:manage": ("trainer", "admin"),
        "training:xapi": ("trainer", "admin"),
    },
    roles=("trainer",),
    order=70,
)
