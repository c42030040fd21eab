"""A tool that lives outside `heroes`: the test suite registers it to prove the plug-in contract."""

from heroes.core.tools import Tool

TOOL = Tool(
    name="plugintest",
    title="Plug-in test tool",
    summary="Registered by the test suite only.",
    audience="staff",
    pillar="prevention",
    url="/plugintest",
    cli="tests.core.plugin_tool.cli:app",
    router="tests.core.plugin_tool.web:router",
    permission="plugintest:use",
    permissions={"plugintest:use": ("plugintester", "admin")},
    roles=("plugintester",),
    order=999,
)
