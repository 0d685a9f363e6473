"""Calling strategies, which may be users' own code: errors that say whose and where.

A strategy that raises (or returns a decision that breaks a rule) stops the run with a
:class:`StrategyError` of a few lines: the firm, the strategy's class, the method, the
quarter and week, and the file and line of the strategy's code where it went wrong. The
full traceback stays attached (``__cause__``) for ``flywheel run --debug``.

A strategy that tries to end the process (``sys.exit``, ``raise SystemExit``,
``os._exit``) is reported the same way: while a strategy is called, ``os._exit`` raises
:class:`ProcessExit` instead of ending the process. A Ctrl-C while a strategy runs names
it too (:func:`current_call`); the tournament goes further and plays each game in a
watched process (``sim.tournament.isolation``).
"""

from __future__ import annotations

import contextlib
import importlib
import linecache
import os
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import NoReturn, Protocol, TypeVar

PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # the sim package
_REAL_EXIT = os._exit
T = TypeVar("T")  # what a checked strategy call must return


class StrategyOwner(Protocol):
    """A firm or platform as the strategy guard sees it: its name and its strategy."""

    @property
    def name(self) -> str:
        """The owner's name."""
        ...

    @property
    def strategy(self) -> object:
        """The strategy object the model calls."""
        ...


_calls: list[tuple[StrategyOwner, str, object]] = []


class ProcessExit(SystemExit):
    """``os._exit`` called by a strategy (stopped before it ended the process)."""


def exit_at_once(status: int) -> None:
    """``os._exit`` itself, even while a strategy's guard stands in its place (no flush).

    For the process's own watchdogs (a worker whose parent died), which must end it
    whatever code is running.
    """
    _REAL_EXIT(status)


def real_exit(status: int) -> None:
    """End the process at once (``os._exit``, even while a strategy is being called)."""
    sys.stdout.flush()
    sys.stderr.flush()
    _REAL_EXIT(status)


def _refuse_exit(status: int = 0) -> NoReturn:
    raise ProcessExit(f"os._exit({status})")


class StrategyError(RuntimeError):
    """A strategy raised while the model called it."""

    def __init__(self, message: str, where: str, original: BaseException):
        self.where = where
        self.original = original
        super().__init__(message)


def _is_package_file(filename: str) -> bool:
    try:
        Path(filename).resolve().relative_to(PACKAGE_ROOT)
    except ValueError:
        return False
    return True


def blame_frame(exc: BaseException) -> traceback.FrameSummary | None:
    """The deepest frame of the traceback outside this package (the user's code).

    Generated code (``<string>``, e.g. a dataclass's ``__init__``) is skipped. When every
    frame is in the package (a built-in strategy), the deepest frame.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return None
    outside = [
        frame
        for frame in frames
        if not frame.filename.startswith("<") and not _is_package_file(frame.filename)
    ]
    return (outside or frames)[-1]


@contextlib.contextmanager
def calling_strategy(owner: StrategyOwner, method: str, model: object) -> Iterator[None]:
    """Turn any exception raised inside the block into a :class:`StrategyError`.

    ``SystemExit`` and ``os._exit`` (which raises :class:`ProcessExit` inside the block)
    are reported the same way; a Ctrl-C goes on as KeyboardInterrupt, noting the call.

    Args:
        owner: the firm or platform whose strategy is called (has ``name`` and
            ``strategy``).
        method: the method called, e.g. ``decide``.
        model: the model (its ``week`` and ``quarter`` are reported).
    """
    call = (owner, method, model)
    _calls.append(call)
    os._exit = _refuse_exit
    try:
        yield
    except StrategyError:
        raise
    except KeyboardInterrupt as exc:
        # The command's one-line message reads it; a builtin exception declares no such field.
        exc.strategy_call = current_call()  # type: ignore[attr-defined]
        raise
    except (Exception, SystemExit) as exc:
        raise strategy_error(owner, method, model, exc) from exc
    finally:
        _calls.remove(call)  # by identity: calls in other threads may be under way
        if not _calls:
            os._exit = _REAL_EXIT


def current_call() -> str | None:
    """Which strategy is being called now (firm, class, method, week), or None."""
    if not _calls:
        return None
    owner, method, model = _calls[-1]
    cls = type(owner.strategy)
    week = getattr(model, "week", 0)
    return (
        f"the strategy of {owner.name!r} ({cls.__module__}:{cls.__qualname__}) in {method}() "
        f"in quarter {week // 13} (week {week})"
    )


def strategy_error(
    owner: StrategyOwner, method: str, model: object, exc: BaseException
) -> StrategyError:
    """Build the few-line :class:`StrategyError` for ``exc`` raised by ``owner``'s strategy."""
    strategy = owner.strategy
    cls = type(strategy)
    kind = "platform" if type(owner).__name__ == "Platform" else "firm"
    frame = blame_frame(exc)
    if frame is None or _is_package_file(frame.filename):
        frame = method_frame(cls, method) or frame
    where = f"{frame.filename}, line {frame.lineno}" if frame is not None else "(unknown)"
    week = getattr(model, "week", 0)
    quarter = week // 13
    if isinstance(exc, SystemExit):
        called = str(exc) if isinstance(exc, ProcessExit) else f"SystemExit({exc.code!r})"
        exc_text = f"the strategy tried to end the process: {called}"
    else:
        exc_text = f"{type(exc).__name__}: {exc}"
    lines = [
        f"the strategy of {kind} {owner.name!r} ({cls.__module__}:{cls.__qualname__}) "
        f"failed in {method}() in quarter {quarter} (week {week}):",
        f"  {where}" + (f": {frame.line}" if frame is not None and frame.line else ""),
        f"  {exc_text}",
    ]
    return StrategyError("\n".join(lines), where, exc)


def method_frame(cls: type, method: str) -> traceback.FrameSummary | None:
    """Where a user's class defines ``method`` (its ``def`` line), or None for our own.

    Used when the fault is found after the method returned (a wrong return type), so no
    frame of the user's code is left in the traceback.
    """
    function = getattr(cls, method, None)
    code = getattr(function, "__code__", None)
    if code is None or code.co_filename.startswith("<") or _is_package_file(code.co_filename):
        return None
    line = linecache.getline(code.co_filename, code.co_firstlineno).strip()
    return traceback.FrameSummary(code.co_filename, code.co_firstlineno, method, line=line)


def import_module_from_here(name: str) -> ModuleType:
    """Import a module, also looking in the current folder, as ``python -m`` does.

    The ``flywheel`` command's script does not put the current folder on ``sys.path``;
    a user's ``my_strategies.py`` next to the scenario file is still found. The current
    folder is searched last, so it never shadows an installed package.

    Args:
        name: the module's dotted name.

    Returns:
        The module.

    Raises:
        ImportError: when it cannot be imported from anywhere, or raises while it is
            imported (the message gives the file and line).
    """
    try:
        return _import(name)
    except ModuleNotFoundError as exc:
        here = os.getcwd()
        top = name.partition(".")[0]
        if exc.name != top or here in sys.path or "" in sys.path:
            raise
        sys.path.append(here)
        importlib.invalidate_caches()
        return _import(name)


def _import(name: str) -> ModuleType:
    """Import ``name``; an error inside the module becomes an ImportError saying where."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise
    except SyntaxError as exc:
        where = f"{exc.filename}, line {exc.lineno}"
        raise ImportError(f"{where}: SyntaxError: {exc.msg}") from exc
    except Exception as exc:
        frame = blame_frame(exc)
        where = f"{frame.filename}, line {frame.lineno}: " if frame is not None else ""
        raise ImportError(f"{where}{type(exc).__name__}: {exc}") from exc


def checked(result: object, expected: type[T], method: str) -> T:  # noqa: UP047 (a TypeVar: the API docs cannot read PEP 695 parameters)
    """``result`` if it is an ``expected``; a TypeError naming what came back otherwise."""
    if not isinstance(result, expected):
        raise TypeError(
            f"{method}() must return a {expected.__name__}, got {type(result).__name__}"
        )
    return result
