"""``flywheel report``: one self-contained HTML file for one run, or several side by side.

A report embeds the runs' figures (PNG, base64) and summaries and names no outside
address, so it can be mailed, put on a course page or opened offline. With several run
folders it compares them: the settings that differ, key outcomes with each run's
difference from the first run highlighted, and the figures in columns.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
import re
import struct
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.outputs.firm_groups import firm_group
from sim.outputs.folders import writable_problem
from sim.outputs.wording import dollars
from sim.runs.runner import RunResult, load_result
from sim.scenario import InputError, Problem

WEEKS_PER_YEAR = 52
FIGURE_DPI = 110  # as `flywheel run` saves them
FIGURE_ORDER = (
    "market_share",
    "price_vs_cost",
    "experience_and_satisfaction",
    "cash_and_payouts",
    "vitality",
    "awareness",
    "tenure",
    "value",
    "disintermediation",
    "third_party_share",
    "platform_take_rate",
    "platform_sellers_selection",
    "connected_strategy",
    "flywheel_loop_gain",
    "flywheel_links",
)
REQUIRED = ("manifest.json", "scenario.yaml", "summary.md", "model.parquet", "firms.parquet")
# A numeric outcome differs from the first run when it moves by more than this share of
# its size (or, for shares, by more than this many percentage points / 100).
RELATIVE_TOLERANCE = 0.02
SHARE_TOLERANCE = 0.01
SETTINGS_SHOWN_OPEN = 15  # more differing settings than this are folded away


@dataclass
class RunDoc:
    """What a report shows of one run folder."""

    folder: Path
    result: RunResult
    summary: str
    figures: dict[str, bytes] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """Folder name, scenario and seed."""
        return f"{self.folder.name} ({self.result.scenario.name}, seed {self.result.seed})"


def read_runs(folders: list[str | Path]) -> list[RunDoc]:
    """Read run folders written by ``flywheel run``.

    Raises:
        InputError: listing every missing folder or file at once.
    """
    problems: list[Problem] = []
    for folder in map(Path, folders):
        if not folder.is_dir():
            problems.append(Problem(str(folder), "", str(folder), "not a run folder"))
            continue
        for name in REQUIRED:
            if not (folder / name).is_file():
                problems.append(
                    Problem(
                        str(folder), name, "(no such file)", "missing: write it with `flywheel run`"
                    )
                )
    if problems:
        raise InputError(problems)
    runs = []
    for folder in map(Path, folders):
        figures = {path.stem: path.read_bytes() for path in sorted(folder.glob("figures/*.png"))}
        runs.append(
            RunDoc(
                folder=folder,
                result=load_result(folder),
                summary=(folder / "summary.md").read_text(encoding="utf-8"),
                figures=figures,
            )
        )
    return runs


# ------------------------------------------------------------------ outcomes


@dataclass(frozen=True)
class Outcome:
    """One row of the comparison: a label, a value and how to show it."""

    label: str
    value: float | str | None
    kind: str = "number"  # number, share, money, text


def outcomes(result: RunResult) -> list[Outcome]:
    """Key outcomes of a run, over its last year (or its second half if shorter)."""
    model, firms, scenario = result.model, result.firms, result.scenario
    steps = int(model["step"].max())
    window = min(WEEKS_PER_YEAR, max(steps // 2, 1))
    last_model = model[model["step"] > steps - window]
    last_firms = firms[(firms["step"] > steps - window) & firms["alive"]]
    total = last_firms["units"].sum()
    out = [
        Outcome("Scenario", scenario.name, "text"),
        Outcome("Seed", str(result.seed), "text"),
        Outcome("Consumers", scenario.consumers.count),
        Outcome("Weeks", steps),
    ]
    strategies = sorted(firms["strategy"].unique())
    pairs = firms[["name", "strategy"]].drop_duplicates()
    pairs = pairs.assign(group=pairs["name"].map(lambda n: firm_group(n, scenario)))
    all_groups = dict.fromkeys(pairs["group"])
    groups = last_firms.assign(group=last_firms["name"].map(lambda n: firm_group(n, scenario)))
    group_units = groups.groupby("group")["units"].sum()
    strategy_units = last_firms.groupby("strategy")["units"].sum()
    one_to_one = (
        len(pairs[["group", "strategy"]].drop_duplicates()) == len(all_groups) == len(strategies)
    )
    if len(all_groups) > 1 and one_to_one:
        # each group is one strategy: one row per group, named with its strategy
        strategy_of = dict(zip(pairs["group"], pairs["strategy"], strict=True))
        for group in all_groups:
            share = group_units.get(group, 0.0) / total if total else None
            mindset = strategy_of[group].replace("_", "-")
            label = f"Unit share, {group} ({mindset}, last year)"
            out.append(Outcome(label, share, "share"))
        return out + common_outcomes(firms, last_model, steps, result)
    for strategy in strategies:
        share = strategy_units.get(strategy, 0.0) / total if total else None
        out.append(Outcome(f"Unit share, {strategy.replace('_', '-')} (last year)", share, "share"))
    if len(all_groups) > 1 and list(all_groups) != strategies:
        for group in all_groups:
            share = group_units.get(group, 0.0) / total if total else None
            out.append(Outcome(f"Unit share, group {group} (last year)", share, "share"))
    return out + common_outcomes(firms, last_model, steps, result)


def common_outcomes(firms, last_model, steps: int, result: RunResult) -> list[Outcome]:
    """The outcomes every run has beyond unit shares: prices, surplus, firms, channels."""
    model = result.model
    final = firms[firms["step"] == steps]
    out = [
        Outcome("Price paid (last year mean)", last_model["mean_price"].mean(), "money"),
        Outcome(
            "Consumer surplus per shopper (last year)",
            _mean(last_model, "consumer_surplus"),
            "money",
        ),
        Outcome("Needs left unmet (last year)", _mean(last_model, "outside_share"), "share"),
        Outcome("HHI (last year)", _mean(last_model, "hhi")),
        Outcome("Firms in the market at the end", int(final["alive"].sum())),
        Outcome("Firms that ever existed", int(firms["firm_id"].nunique())),
    ]
    if "cumulative_consumer_surplus" in model:
        out.append(
            Outcome(
                "Consumer surplus, whole run",
                float(model["cumulative_consumer_surplus"].iloc[-1]),
                "money",
            )
        )
    if "mean_vitality" in model:
        out.append(Outcome("Mean vitality at the end", float(model["mean_vitality"].iloc[-1])))
        out.append(
            Outcome("Live firms in Day 2 at the end", float(model["day2_share"].iloc[-1]), "share")
        )
    if "disintermediation_index" in model and result.tables.get("platforms") is not None:
        out.append(
            Outcome(
                "Purchases through platforms (last year)",
                _mean(last_model, "disintermediation_index"),
                "share",
            )
        )
    return out


def _mean(table: pd.DataFrame, column: str) -> float | None:
    return float(table[column].mean()) if column in table and len(table) else None


def show(value, kind: str) -> str:
    """An outcome as text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if kind == "text":
        return str(value)
    if kind == "share":
        return f"{value:.0%}"
    if kind == "money":
        return dollars(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}"


def difference(reference, value, kind: str) -> str | None:
    """How ``value`` differs from the first run's, or ``None`` when it does not.

    Shares differ by more than one percentage point; other numbers by more than 2% of
    the larger of the two; text when it is not equal.
    """
    if kind == "text" or reference is None or value is None:
        return None if reference == value else "differs"
    if any(isinstance(v, float) and math.isnan(v) for v in (reference, value)):
        return None
    delta = value - reference
    if kind == "share":
        if abs(delta) <= SHARE_TOLERANCE:
            return None
        return f"{delta * 100:+.0f} pts"
    scale = max(abs(reference), abs(value))
    if scale == 0 or abs(delta) <= RELATIVE_TOLERANCE * scale:
        return None
    if reference == 0:
        return "was 0"
    return f"{delta / abs(reference):+.0%}"


def differing_settings(runs: list[RunDoc]) -> list[tuple[str, list[str]]]:
    """Scenario settings (dotted paths) whose values are not the same in every run."""
    flat = [_flatten(run.result.scenario.model_dump(mode="json")) for run in runs]
    keys = sorted(set().union(*flat))
    rows = []
    for key in keys:
        if key in ("description",):
            continue
        values = [json.dumps(f.get(key, "(not set)"), default=str) for f in flat]
        if len(set(values)) > 1:
            rows.append((key, values))
    return rows


def _flatten(data, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(_flatten(value, f"{prefix}{key}."))
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        for index, value in enumerate(data):
            out.update(_flatten(value, f"{prefix}{index}."))
    else:
        out[prefix.rstrip(".")] = data
    return out


# ------------------------------------------------------------------ HTML


def markdown_to_html(text: str) -> str:
    """The summaries' Markdown (headings, bullets, paragraphs, bold, italics, code)."""
    out: list[str] = []
    in_list = False
    paragraph: list[str] = []

    def inline(line: str) -> str:
        line = html.escape(line, quote=False)
        line = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", line)
        line = re.sub(r"`(.+?)`", r"<code>\1</code>", line)
        return re.sub(r"(?<![\w])_(.+?)_(?![\w])", r"<em>\1</em>", line)

    def flush() -> None:
        nonlocal in_list
        if paragraph:
            out.append(f"<p>{inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if in_list:
            out.append("</ul>")
            in_list = False

    for raw in text.splitlines():
        line = raw.rstrip()
        heading = re.match(r"^(#{1,4}) (.*)", line)
        if heading:
            flush()
            level = min(len(heading.group(1)) + 1, 5)
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif line.startswith("- "):
            if paragraph:
                out.append(f"<p>{inline(' '.join(paragraph))}</p>")
                paragraph.clear()
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{inline(line[2:])}</li>")
        elif line.startswith("  ") and in_list and line.strip():
            out[-1] = out[-1][: -len("</li>")] + " " + inline(line.strip()) + "</li>"
        elif not line.strip():
            flush()
        else:
            if in_list:
                out.append("</ul>")
                in_list = False
            paragraph.append(line.strip())
    flush()
    return "\n".join(out)


STYLE = """
body { font-family: Arial, Helvetica, sans-serif; font-size: 16px; color: #111;
       max-width: 1400px; margin: 0 auto; padding: 16px 24px; line-height: 1.45; }
h1 { font-size: 26px; } h2 { font-size: 22px; margin-top: 28px; } h3 { font-size: 18px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 15px; }
th, td { border: 1px solid #bbb; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eee; }
td.diff { background: #ffe8a8; font-weight: bold; }
td .delta { font-weight: normal; color: #7a4a00; font-size: 13px; }
.grid { display: grid; gap: 12px; }
figure { margin: 0 0 18px; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
.grid figure img { width: 100%; }
figcaption { font-size: 14px; color: #333; }
.meta { color: #444; font-size: 14px; }
details summary { cursor: pointer; font-weight: bold; }
code { background: #f2f2f2; padding: 0 3px; }
"""


def _image(data: bytes, alt: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}">'


def _figure_names(runs: list[RunDoc]) -> list[str]:
    names = dict.fromkeys(name for run in runs for name in run.figures)
    ordered = [name for name in FIGURE_ORDER if name in names]
    return ordered + sorted(name for name in names if name not in FIGURE_ORDER)


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _provenance(run: RunDoc) -> str:
    manifest = run.result.manifest
    versions = manifest.get("versions", {})
    return (
        f'<p class="meta">Folder <code>{html.escape(str(run.folder))}</code>; scenario '
        f"{html.escape(str(manifest.get('scenario')))}, seed {manifest.get('seed')}, "
        f"{manifest.get('steps')} weeks; scenario hash "
        f"<code>{html.escape(str(manifest.get('scenario_sha256', ''))[:16])}</code>; "
        f"flywheel-sim {html.escape(str(versions.get('flywheel-sim', '?')))}, "
        f"Python {html.escape(str(versions.get('python', '?')))}.</p>"
    )


def single_report(run: RunDoc) -> str:
    """The HTML body of one run's report: provenance, summary, every figure."""
    parts = [f"<h1>{html.escape(run.result.scenario.name)}: run report</h1>", _provenance(run)]
    parts.append(markdown_to_html(run.summary).replace("<h2>", "<h2>", 1))
    parts.append("<h2>Figures</h2>")
    for name in _figure_names([run]):
        parts.append(
            f"<figure>{_image(run.figures[name], _title(name))}"
            f"<figcaption>{_title(name)} (<code>figures/{name}.png</code>)</figcaption></figure>"
        )
    return "\n".join(parts)


def comparison_report(runs: list[RunDoc]) -> str:
    """The HTML body comparing several runs, differences from the first run highlighted."""
    header = "".join(f"<th>{html.escape(run.label)}</th>" for run in runs)
    parts = [
        f"<h1>Comparison of {len(runs)} runs</h1>",
        "<p>Each column is one run. Highlighted cells differ from the first run "
        f"(shares by more than {SHARE_TOLERANCE * 100:.0f} percentage point, other numbers "
        f"by more than {RELATIVE_TOLERANCE:.0%}); the small text is the difference.</p>",
        "<h2>Settings that differ</h2>",
    ]
    settings = differing_settings(runs)
    if settings:
        rows = []
        for key, values in settings:
            cells = "".join(
                f'<td class="{"diff" if i and v != values[0] else ""}">{html.escape(v)}</td>'
                for i, v in enumerate(values)
            )
            rows.append(f"<tr><th>{html.escape(key)}</th>{cells}</tr>")
        table = f"<table><tr><th>setting</th>{header}</tr>{''.join(rows)}</table>"
        if len(rows) > SETTINGS_SHOWN_OPEN:
            table = f"<details><summary>{len(rows)} settings differ</summary>{table}</details>"
        parts.append(table)
    else:
        parts.append("<p>All runs have the same scenario settings.</p>")
    parts.append("<h2>Outcomes</h2>")
    per_run = [outcomes(run.result) for run in runs]
    labels = list(dict.fromkeys(o.label for run in per_run for o in run))
    rows = []
    for label in labels:
        found = [next((o for o in run if o.label == label), None) for run in per_run]
        kind = next(o.kind for o in found if o is not None)
        reference = found[0].value if found[0] else None
        cells = []
        for i, item in enumerate(found):
            value = item.value if item else None
            change = difference(reference, value, kind) if i else None
            text = html.escape(show(value, kind))
            if change:
                cells.append(f'<td class="diff">{text} <span class="delta">({change})</span></td>')
            else:
                cells.append(f"<td>{text}</td>")
        rows.append(f"<tr><th>{html.escape(label)}</th>{''.join(cells)}</tr>")
    parts.append(f"<table><tr><th>outcome</th>{header}</tr>{''.join(rows)}</table>")
    parts.append("<h2>Figures side by side</h2>")
    parts.append(
        "<p>Each figure is drawn again for every run with the same vertical range in each "
        "panel, so heights compare across runs. Figures of two panels are shown one run "
        "above the other, at full width.</p>"
    )
    shared = shared_range_figures(runs)
    for name in _figure_names(runs):
        images = shared.get(name) or [run.figures.get(name) for run in runs]
        wide = any(image is not None and png_aspect(image) > WIDE_ASPECT for image in images)
        count = 1 if wide else len(runs)
        columns = f"grid-template-columns: repeat({count}, minmax(0, 1fr))"
        parts.append(f"<h3>{_title(name)}</h3><div class='grid' style='{columns}'>")
        for run, image in zip(runs, images, strict=True):
            if image is not None:
                parts.append(
                    f"<figure>{_image(image, f'{_title(name)}, {run.label}')}"
                    f"<figcaption>{html.escape(run.label)}</figcaption></figure>"
                )
            else:
                parts.append(
                    f"<figure><figcaption>not drawn for {html.escape(run.label)}"
                    "</figcaption></figure>"
                )
        parts.append("</div>")
    parts.append("<h2>Summaries</h2>")
    for run in runs:
        parts.append(
            f"<details><summary>{html.escape(run.label)}</summary>{_provenance(run)}"
            f"{markdown_to_html(run.summary)}</details>"
        )
    return "\n".join(parts)


WIDE_ASPECT = 2.2  # width / height above which a figure has two panels side by side


def png_aspect(data: bytes) -> float:
    """Width over height of a PNG (read from its header)."""
    width, height = struct.unpack(">II", data[16:24])
    return width / height if height else 1.0


def share_y_ranges(figures: list) -> None:
    """Give panel i of every figure the union of their vertical ranges.

    Figures whose panels do not line up (a different number of axes) are left alone.
    """
    if len(figures) < 2 or len({len(figure.axes) for figure in figures}) != 1:
        return
    for panels in zip(*(figure.axes for figure in figures), strict=True):
        if len({panel.get_yscale() for panel in panels}) != 1:
            continue
        limits = [panel.get_ylim() for panel in panels]
        inverted = limits[0][0] > limits[0][1]
        low = min(min(limit) for limit in limits)
        high = max(max(limit) for limit in limits)
        for panel in panels:
            panel.set_ylim((high, low) if inverted else (low, high))


def shared_range_figures(runs: list[RunDoc]) -> dict[str, list[bytes | None]]:
    """Every run's figures drawn again, each panel with one vertical range across runs.

    Returns:
        Figure name -> one PNG per run (None where the run has no such figure); empty
        when a run's tables cannot be drawn again (the stored figures are shown then).
    """
    from sim.outputs.figures import draw_figures

    try:
        drawn = [draw_figures(run.result) for run in runs]
    except Exception:  # tables of another version: show the figures as stored
        return {}
    shared = {}
    for name in dict.fromkeys(name for figures in drawn for name in figures):
        figures = [figures.get(name) for figures in drawn]
        share_y_ranges([figure for figure in figures if figure is not None])
        shared[name] = [None if figure is None else _png(figure) for figure in figures]
    return shared


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI)
    return buffer.getvalue()


def build_report(runs: list[RunDoc]) -> str:
    """The whole HTML document: one run's report, or a comparison of several."""
    body = single_report(runs[0]) if len(runs) == 1 else comparison_report(runs)
    title = (
        f"{runs[0].result.scenario.name}: run report"
        if len(runs) == 1
        else f"Comparison of {len(runs)} runs"
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


# ------------------------------------------------------------------ command


def write_atomically(out: Path, text: str) -> None:
    """Write ``text`` to ``out`` through a hidden temporary file beside it, renamed in.

    The temporary file is removed whatever happens, so a failed write leaves nothing.
    """
    handle, name = tempfile.mkstemp(prefix=f".{out.name}-", suffix=".tmp", dir=out.parent)
    staging = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        staging.chmod(0o666 & ~_umask())
        staging.replace(out)
    except OSError as exc:
        rule = f"cannot be written ({exc.strerror or exc}); choose another file"
        raise InputError([Problem("command line", "--out", str(out), rule)]) from None
    finally:
        staging.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def cmd_report(args) -> int:
    """Write the report; bad input is raised as :class:`InputError` (exit status 2)."""
    runs = read_runs(args.run_dirs)
    if args.out:
        out = Path(args.out)
    elif len(runs) == 1:
        out = runs[0].folder / "report.html"
    else:
        out = Path("comparison.html")
    if not out.parent.is_dir():
        raise InputError([Problem(str(out), "--out", str(out), "its folder does not exist")])
    if out.is_dir():
        rule = "is a folder; give the HTML file to write, e.g. FOLDER/report.html"
        raise InputError([Problem("command line", "--out", str(out), rule)])
    problem = writable_problem(out.parent, "--out")
    if problem is not None:
        raise InputError([problem])
    text = build_report(runs)
    write_atomically(out, text)
    figures = sum(len(run.figures) for run in runs)
    print(f"wrote {out} ({len(runs)} run{'s' if len(runs) > 1 else ''}, {figures} figures)")
    return 0
