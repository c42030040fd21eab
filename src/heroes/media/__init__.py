"""Media hash matching: find known material on seized media by exact and perceptual hashes.

It handles hashes only: it never displays, copies or thumbnails a file.
"""

from heroes.core.i18n import lazy_gettext as _l
from heroes.core.tools import Tool

TOOL = Tool(
    name="media",
    title=_l("Media hash matching"),
    summary=_l("Find known material on seized media by exact and perceptual hashes, without viewing it."),
    audience="staff",
    pillar="investigation",
    url="/media",
    cli="heroes.media.cli:app",
    router="heroes.media.web:router",
    jobs="heroes.media.jobs",
    permission="media:use",
    permissions={"media:use": ("investigator", "admin")},
    order=40,
)
