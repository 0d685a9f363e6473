"""The example notebooks run from a clean kernel and show their figures in the output cells.

Each runs in a fresh kernel started in a temporary folder (so nothing is written beside
the notebooks); no matplotlib backend is set in the environment, so the figures appear
only if the library leaves the notebook's inline backend alone.
"""

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "examples" / "notebooks").glob("*.ipynb"))


def figures_in(book) -> int:
    return sum(
        1
        for cell in book.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    )


FIGURES = {"quick_start": 2, "sweep_and_analyse": 2, "contest": 1}


def test_the_three_notebooks_exist():
    assert {path.stem for path in NOTEBOOKS} == set(FIGURES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_and_shows_its_figures(path, tmp_path, monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)
    book = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        book,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute(env={k: v for k, v in os.environ.items() if k != "MPLBACKEND"})
    shown = figures_in(book)
    assert shown >= FIGURES[path.stem], f"{path.name}: {shown} figures in the output cells"
    assert not any(
        output.get("output_type") == "error"
        for cell in book.cells
        for output in cell.get("outputs", [])
    )
    assert not list(tmp_path.iterdir()) or all(p.name != "runs" for p in tmp_path.iterdir())
