"""What a tool declares, and the one list of tools the platform loads."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

# The one place a tool is registered. Order is the order on the home page and in `heroes --help`.
TOOL_MODULES: tuple[str, ...] = (
    "heroes.fakejobs",
    "heroes.grooming",
    "heroes.reports",
    "heroes.media",
    "heroes.screening",
)


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
    extra_cli: tuple[tuple[str, str], ...] = ()  # (group name, "module:attribute") pairs
    permission: str = "public"  # what a user needs for the home page to show the tool

    @property
    def package_dir(self) -> Path:
        module = importlib.import_module(f"heroes.{self.name}")
        assert module.__file__ is not None
        return Path(module.__file__).parent


def load_object(reference: str) -> Any:
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


@cache
def all_tools() -> tuple[Tool, ...]:
    tools = []
    for module_name in TOOL_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # a tool not installed in this build
            raise
        tools.append(module.TOOL)
    return tuple(tools)


def import_job_modules() -> None:
    for tool in all_tools():
        if tool.jobs:
            importlib.import_module(tool.jobs)
