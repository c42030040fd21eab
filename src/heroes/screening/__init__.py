"""Early identification screening with referral by country, and the trauma-bonding guide."""

from heroes.core.i18n import lazy_gettext as _l
from heroes.core.tools import Tool

TOOL = Tool(
    name="screening",
    title=_l("Early identification and referral"),
    summary=_l("Signs of trafficking and exploitation for your sector, what to do now and whom to call."),
    audience="public",
    pillar="victim-assistance",
    url="/screening",
    cli="heroes.screening.cli:app",
    router="heroes.screening.web:router",
    extra_cli=(("referral", "heroes.screening.cli:referral_app"),),
    permissions={"referral:edit": ("admin",)},
    order=50,
)
