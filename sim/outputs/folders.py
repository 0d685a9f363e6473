"""Output folders: checked before any work starts, written whole or not at all.

A run folder is built in a hidden temporary sibling and renamed into place when every
file is written. A rerun into an existing run folder replaces it as a whole (the old
folder is renamed aside, the new one renamed in, the old one deleted), so a reader never
sees files of two runs side by side. A folder that is not a run folder is never
replaced or deleted: writing into it is refused.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from sim.scenario import InputError, Problem

RUN_MARKERS = ("manifest.json", "scenario.yaml")
FIGURE_CHOICES = ("all", "key", "none")
KEY_FIGURES = ("market_share", "price_vs_cost", "experience_and_satisfaction", "cash_and_payouts")
"""The figures ``flywheel run --figures key`` draws: who won the customers, and how."""


def figures_choice(figures: bool | str) -> str:
    """Which figures a run folder gets: ``"all"``, ``"key"`` or ``"none"``.

    Args:
        figures: one of :data:`FIGURE_CHOICES`, or True (all) / False (none).

    Raises:
        InputError: for any other value.
    """
    if figures is True or figures is False:
        return "all" if figures else "none"
    if figures not in FIGURE_CHOICES:
        rule = f"must be one of {', '.join(FIGURE_CHOICES)}"
        raise InputError([Problem("command line", "--figures", str(figures), rule)])
    return figures


def figures_note(figures: str) -> str:
    """The closing line of a summary drawn with fewer than all figures ('' for all)."""
    if figures == "all":
        return ""
    if figures == "key":
        drawn = ", ".join(f"`figures/{name}.png`" for name in KEY_FIGURES)
        return (
            f"\nOnly the key figures were drawn (`--figures key`): {drawn}; "
            "`flywheel run --figures all` draws the others named above.\n"
        )
    return (
        "\nNo figures were drawn (`--figures none`); `flywheel run --figures all` "
        "draws those named above.\n"
    )


def nearest_existing(path: Path) -> Path:
    """The path itself or its closest ancestor that exists."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def writable_problem(path: Path, option: str) -> Problem | None:
    """Why a folder could not be created (or written) at ``path``, or None.

    The closest existing ancestor must be a folder in which a file can be created; this
    is probed by creating and deleting a temporary file, which also catches read-only
    file systems and root-owned folders that permission bits alone would not.

    Args:
        path: the folder that will be written.
        option: the option or field named in the problem (``--out``).
    """
    anchor = nearest_existing(path)
    if not anchor.is_dir():
        rule = f"{anchor} is a file, so no folder can be created there"
        return Problem("command line", option, str(path), rule)
    try:
        handle, probe = tempfile.mkstemp(prefix=".flywheel-probe-", dir=anchor)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        rule = f"cannot write in {anchor} ({reason}); choose another folder"
        return Problem("command line", option, str(path), rule)
    return None


def is_run_folder(path: Path) -> bool:
    """Whether ``path`` is a folder written by a run (it has a manifest and a scenario)."""
    return path.is_dir() and all((path / name).is_file() for name in RUN_MARKERS)


def check_run_out(out: str | os.PathLike, option: str = "--out") -> Path:
    """Check, before a run starts, that its results can be written to ``out``.

    ``out`` may be new, an empty folder or an earlier run folder (which will be
    replaced whole); anything else is refused.

    Args:
        out: the run folder.
        option: the option named in problems.

    Returns:
        ``out`` as a path.

    Raises:
        InputError: when ``out`` is a file, a folder that is not a run folder, or in a
            place that cannot be written.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError([Problem("command line", option, str(out), "is a file, not a folder")])
    if out.is_dir() and any(out.iterdir()) and not is_run_folder(out):
        rule = (
            "exists and is not a run folder (no manifest.json and scenario.yaml); it is "
            "left alone: choose a new or empty folder"
        )
        raise InputError([Problem("command line", option, str(out), rule)])
    problem = writable_problem(out, option)
    if problem is not None:
        raise InputError([problem])
    return out


def _writer_alive(folder: Path, kind: str, name: str) -> bool:
    """Whether the process that made a hidden ``.NAME-KIND-PID-XXXX`` folder still runs."""
    pid_text = folder.name.removeprefix(f".{name}-{kind}-").partition("-")[0]
    if not pid_text.isdigit():
        return False  # an older name without the writer's pid: left by a killed writer
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_debris(out: Path) -> int:
    """Remove hidden folders a killed writer left beside ``out``; returns how many.

    A folder being replaced (``.NAME-replaced-*``) whose writer died before the new one
    was renamed in is put back at ``out``; folders still being written by a live
    process are left alone.
    """
    removed = 0
    if not out.parent.is_dir():
        return 0
    for kind in ("writing", "replaced"):
        for folder in out.parent.glob(f".{glob_escape(out.name)}-{kind}-*"):
            if not folder.is_dir() or _writer_alive(folder, kind, out.name):
                continue
            if kind == "replaced" and not out.exists():
                os.rename(folder, out)
                continue
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def glob_escape(name: str) -> str:
    """``name`` with glob's special characters escaped."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def staging_folder(out: Path) -> Path:
    """A new hidden folder beside ``out`` (created, with its parents).

    Its name carries this process's id, so that a later writer can tell debris left by
    a killed one (removed by :func:`clean_debris`) from a folder still being written.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_debris(out)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}-writing-{os.getpid()}-", dir=out.parent))


def replace_folder(staging: Path, out: Path) -> None:
    """Put the finished ``staging`` folder at ``out``, replacing an earlier run folder.

    Args:
        staging: the complete new folder (a sibling of ``out``).
        out: the destination; if it exists it must be empty or a run folder.

    Raises:
        FileExistsError: when ``out`` holds something other than a run folder.
    """
    if not out.exists():
        os.rename(staging, out)
        return
    if not out.is_dir() or (any(out.iterdir()) and not is_run_folder(out)):
        raise FileExistsError(f"{out} exists and is not a run folder; not replaced")
    aside = Path(tempfile.mkdtemp(prefix=f".{out.name}-replaced-{os.getpid()}-", dir=out.parent))
    aside.rmdir()
    os.rename(out, aside)
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(aside, out)
        raise
    shutil.rmtree(aside, ignore_errors=True)
