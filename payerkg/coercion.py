"""Option values without pydantic: the CLI's start on the commands that only read.

typer (0.2x) converts every option value — even one left at its default — with a pydantic
``TypeAdapter`` it builds on first use, and importing pydantic to build them is about a fifth of
``payerkg query``'s time. The options of the reading commands are text, a ``--format`` choice and a
``--db`` path; ``install()`` has typer convert those as its adapters would, with typer's own
functions (``coerce_cli_choice``, ``coerce_cli_path``), and hands every other value to typer's
adapter: other types, a value of another kind, and a value that is wrong, so that typer's message
says what is wrong (``tests/test_bad_arguments.py``). ``tests/test_cli_imports.py`` checks that
``query`` then imports no pydantic.

It reaches into typer's internals (``typer._coercion``); when they are not what it expects (an
older typer, which used click's types, or a newer one) it leaves typer as it is: slower, not wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

_TYPER = object()  # "typer's adapter converts this one"


def install() -> bool:
    """Convert the simple option values without pydantic; False when this typer's internals differ."""
    try:
        from typer import core
        from typer._coercion import RuntimeParam, TypeDescriptor
        from typer._param_types import coerce_cli_choice, coerce_cli_path, routes_to_path

        build = core.build_runtime_param
    except (ImportError, AttributeError):  # pragma: no cover - another typer
        return False
    if getattr(build, "payerkg", False):  # installed already
        return True

    def quick(d: TypeDescriptor, value: Any, param: Any, ctx: Any) -> Any:
        """``value`` as typer's adapter for ``d`` would give it, or ``_TYPER``."""
        info, kind = d.parameter_info, d.annotation
        if info.parser is not None or not isinstance(kind, type):
            return _TYPER
        if issubclass(kind, Enum):
            try:
                return coerce_cli_choice(value, choices=list(kind), case_sensitive=info.case_sensitive, ctx=ctx)
            except ValueError:
                return _TYPER
        if kind is str:
            return value if type(value) is str else _TYPER
        if kind in (int, float):
            unbounded = info.min is None and info.max is None
            return value if type(value) is kind and unbounded else _TYPER
        path = issubclass(kind, Path) and routes_to_path(kind, info) and (info.path_type or kind) is Path
        if path and type(value) is str:  # pydantic's Path(value), which coerce_cli_path would ask it for
            return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
        return _TYPER

    @dataclass(frozen=True)
    class Quick(RuntimeParam):
        descriptor: TypeDescriptor

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            done = quick(self.descriptor, value, param, ctx)
            if done is not _TYPER:
                return done
            return build(self.descriptor)._coerce_value(value, param=param, ctx=ctx)

    def build_runtime_param(descriptor: TypeDescriptor) -> RuntimeParam:
        if descriptor.file_annotation is not None:
            return build(descriptor)
        return Quick(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation, descriptor=descriptor)

    build_runtime_param.payerkg = True  # type: ignore[attr-defined]
    core.build_runtime_param = build_runtime_param
    return True
