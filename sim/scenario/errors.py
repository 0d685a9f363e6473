"""Readable input errors: problems with file, path, value, rule and hints."""

from __future__ import annotations

import difflib
import json
import math
import types
import typing
from typing import TYPE_CHECKING, Annotated, Any

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError


class Problem(typing.NamedTuple):
    """One thing wrong with an input file."""

    file: str
    path: str
    value: Any
    rule: str

    def __str__(self) -> str:
        shown = preview(self.value) if self.value is not _MISSING else "(missing)"
        return f"{self.file}: {self.path or '(top level)'}: got {shown}: {self.rule}"


_MISSING = object()
PREVIEW_CHARACTERS = 160


def preview(value: Any, limit: int = PREVIEW_CHARACTERS) -> str:
    """JSON-like text of a value, cut at about ``limit`` characters.

    Only as much of the value is visited as is shown, so a huge (or recursive) value
    costs no more than a small one.

    Args:
        value: any value read from a file.
        limit: characters shown before ``...``.

    Returns:
        The text.
    """
    parts: list[str] = []
    used = 0

    def emit(text: str) -> bool:
        nonlocal used
        parts.append(text)
        used += len(text)
        return used <= limit

    def walk(item: Any, level: int) -> bool:
        if level > 8:
            return emit("...")
        if isinstance(item, dict):
            if not emit("{"):
                return False
            for index, (key, inner) in enumerate(item.items()):
                if (index and not emit(", ")) or not emit(json.dumps(str(key)) + ": "):
                    return False
                if not walk(inner, level + 1):
                    return False
            return emit("}")
        if isinstance(item, list | tuple):
            if not emit("["):
                return False
            for index, inner in enumerate(item):
                if (index and not emit(", ")) or not walk(inner, level + 1):
                    return False
            return emit("]")
        if isinstance(item, float) and not math.isfinite(item):
            return emit(".nan" if math.isnan(item) else (".inf" if item > 0 else "-.inf"))
        try:
            text = json.dumps(item, default=str)
        except (TypeError, ValueError):
            text = repr(item)
        return emit(text[: limit + 1])

    complete = walk(value, 0)
    text = "".join(parts)
    return text if complete and len(text) <= limit else text[:limit] + "..."


class InputError(ValueError):
    """A bad input file; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        lines = [f"{len(problems)} {noun}:"] + [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[type[InputError], tuple[list[Problem]]]:
        """Pickle with its problems (errors cross process boundaries in sweeps)."""
        return (type(self), (self.problems,))


def _unwrap(annotation: Any) -> Any:
    """Innermost BaseModel class (or list item type) inside an annotation."""
    from pydantic import BaseModel

    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            inner = _unwrap(arg)
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return annotation


def _model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    from pydantic import BaseModel

    current: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        annotation = _unwrap(field.annotation)
        if typing.get_origin(annotation) is list:
            annotation = _unwrap(typing.get_args(annotation)[0])
        current = annotation
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def problems_from_validation(
    error: ValidationError, root: type[BaseModel], file: str, prefix: tuple = ()
) -> list[Problem]:
    """Turn a pydantic error into problems with paths, values, rules and hints.

    Args:
        error: the validation error.
        root: the model that was validated.
        file: name of the file the data came from.
        prefix: path of ``root`` inside the file (empty at top level).

    Returns:
        One problem per error, in pydantic's order.
    """
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(part for part in item["loc"] if not str(part).startswith("function-"))
        path = ".".join(str(part) for part in (*prefix, *loc))
        value = item.get("input", _MISSING)
        rule = item["msg"]
        if rule.startswith("Value error, "):
            rule = rule[len("Value error, ") :]
        if item["type"] == "extra_forbidden":
            owner = _model_at(root, loc[:-1])
            names = list(owner.model_fields) if owner else []
            hint = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
            rule = "unknown key" + (f"; did you mean {hint[0]!r}?" if hint else "")
            if names:
                rule += f" (allowed: {', '.join(names)})"
        elif item["type"] == "missing":
            value = _MISSING
            rule = "required field is missing"
        problems.append(Problem(file, path, value, rule))
    return problems
