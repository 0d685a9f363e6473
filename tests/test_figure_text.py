"""Two-panel figures carry larger axis text, so it stays readable when shrunk to a page."""

import matplotlib.pyplot as plt
from numpy.testing import assert_allclose

from sim.outputs.figures import WIDE_TEXT_SCALE, enlarge_text_of_wide_figure


def drawn(width):
    fig, _ = plt.subplots(1, 2 if width > 10 else 1, figsize=(width, 4.5))
    for ax in fig.axes:
        ax.plot([0, 1], [0, 1], label="line")
        ax.set_xlabel("year")
        ax.set_title("panel")
        ax.legend()
    return fig


def test_wide_figures_scale_axis_text_and_keep_titles():
    narrow, wide = drawn(8), drawn(12)
    enlarge_text_of_wide_figure(narrow)
    enlarge_text_of_wide_figure(wide)
    n, w = narrow.axes[0], wide.axes[0]
    assert_allclose(w.xaxis.label.get_fontsize(), WIDE_TEXT_SCALE * n.xaxis.label.get_fontsize())
    assert_allclose(
        w.get_legend().get_texts()[0].get_fontsize(),
        WIDE_TEXT_SCALE * n.get_legend().get_texts()[0].get_fontsize(),
    )
    assert w.title.get_fontsize() == n.title.get_fontsize()
    w.set_ylim(-5, 5)  # ticks drawn again keep the larger size
    wide.canvas.draw()
    n_tick = n.get_yticklabels()[0].get_fontsize()
    assert_allclose(w.get_yticklabels()[0].get_fontsize(), WIDE_TEXT_SCALE * n_tick)
    plt.close("all")
