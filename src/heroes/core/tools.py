"""What a tool declares, and how the platform finds the tools it loads.

A tool is a package whose `__init__` defines `TOOL = Tool(...)`. Built-in tools are the subpackages of
`heroes` that define one; a tool living in a separate distribution registers its package under the
`heroes.tools` entry-point group. The core builds the permission table, the web app, the CLI, the
migrations and the translation catalogues from what the tools declare, so adding a tool edits no core file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Literal

ENTRY_POINT_GROUP = "heroes.tools"


@dataclass(frozen=True)
class Tool:
    name: str
    title: Any  # a lazy translatable string
    summary: Any
    audience: Literal["public", "staff"]
    pillar: Literal["prevention", "investigation", "victim-assistance"]
    url: str
    cli: str | None = None  # "module:attribute" of a typer.Typer
    router: str | None = None  # "module:attribute" of a fastapi.APIRouter
    jobs: str | None = None  # module that registers job handlers when imported
    # "module:function" run once in each CPU worker process as it starts (heroes.core.workers),
    # so a request does not wait for imports and model loading.
    warmup: str | None = None
    extra_cli: tuple[tuple[str, str], ...] = ()  # (group name, "module:attribute") pairs
    permission: str = "public"  # what a user needs for the home page to show the tool
    # The permissions this tool's routes and commands check, each with the roles that hold it.
    permissions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Staff roles this tool introduces (for example "trainer"); they hold the core's staff basics.
    roles: tuple[str, ...] = ()
    order: int = 100  # position on the home page and in `heroes --help`
    # Staff pages linked from the header for those who hold the permission: (url, title, permission).
    staff_links: tuple[tuple[str, Any, str], ...] = ()
    module: str = ""  # the package that declared the tool; filled in at discovery

    @property
    def package(self) -> str:
        return self.module or f"heroes.{self.name}"

    @property
    def package_dir(self) -> Path:
        module = importlib.import_module(self.package)
        assert module.__file__ is not None
        return Path(module.__file__).parent


class DuplicateName(RuntimeError):
    """Two things registered under one name: the second would silently replace the first."""


def load_object(reference: str) -> Any:
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def _builtin_tool_modules() -> list[str]:
    import heroes

    names = []
    for info in pkgutil.iter_modules(heroes.__path__):
        if info.ispkg and info.name != "core":
            names.append(f"heroes.{info.name}")
    return names


def _entry_point_modules() -> list[str]:
    return [ep.value.partition(":")[0] for ep in entry_points(group=ENTRY_POINT_GROUP)]


# Extra tool packages registered at run time (tests, embedding applications); see register_tool_module.
_EXTRA_MODULES: list[str] = []


def register_tool_module(module_name: str) -> None:
    """Add a tool package by name (as an entry point would) and rebuild everything derived from tools."""
    if module_name in _EXTRA_MODULES:
        raise DuplicateName(f"The tool module {module_name!r} is already registered.")
    _EXTRA_MODULES.append(module_name)
    reset_registry()


def unregister_tool_module(module_name: str) -> None:
    _EXTRA_MODULES.remove(module_name)
    reset_registry()


def reset_registry() -> None:
    all_tools.cache_clear()
    from heroes.core import permissions

    permissions.reset()


@cache
def all_tools() -> tuple[Tool, ...]:
    found: dict[str, Tool] = {}
    seen_modules: set[str] = set()
    for module_name in [*_builtin_tool_modules(), *_entry_point_modules(), *_EXTRA_MODULES]:
        if module_name in seen_modules:
            continue
        seen_modules.add(module_name)
        module = importlib.import_module(module_name)
        tool = getattr(module, "TOOL", None)
        if not isinstance(tool, Tool):
            continue  # a shared library, not a tool
        if tool.name in found:
            raise DuplicateName(f"Two tools are named {tool.name!r}: {found[tool.name].package} and {module_name}.")
        found[tool.name] = Tool(**{**tool.__dict__, "module": module_name})
    return tuple(sorted(found.values(), key=lambda t: (t.order, t.name)))


def import_job_modules() -> None:
    for tool in all_tools():
        if tool.jobs:
            importlib.import_module(tool.jobs)
