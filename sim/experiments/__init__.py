"""Experiments: parameter sweeps with replications, sensitivity analysis, Dask clusters.

A sweep file (``experiments/*.yaml``) names a base scenario, the parameters to vary, a
design (grid, Latin hypercube, Morris or Sobol'), the replications, a root seed and the
outputs to keep. :func:`run_sweep` runs it on local processes or Dask into a results
store of one Parquet file per run, resumable at any point; :func:`load_results` reads
the store back as one tidy DataFrame; :mod:`sim.experiments.analysis` and
:mod:`sim.experiments.plots` turn it into paired comparisons, sensitivity indices and
figures. See ``docs/EXPERIMENTS.md``.

Heavy parts are imported when used: SALib by sampled designs and sensitivity analysis,
Dask only by the Dask executor.
"""

from typing import TYPE_CHECKING

from sim.lazy import lazy_exports

if TYPE_CHECKING:  # what type checkers see; at run time names load on first use
    from sim.experiments.runner import SweepReport, run_sweep
    from sim.experiments.spec import Sweep, load_sweep
    from sim.experiments.store import load_design, load_results, read_manifest


_EXPORTS = {
    "Sweep": "sim.experiments.spec",
    "SweepReport": "sim.experiments.runner",
    "load_design": "sim.experiments.store",
    "load_results": "sim.experiments.store",
    "load_sweep": "sim.experiments.spec",
    "read_manifest": "sim.experiments.store",
    "run_sweep": "sim.experiments.runner",
}
__all__ = [
    "Sweep",
    "SweepReport",
    "load_design",
    "load_results",
    "load_sweep",
    "read_manifest",
    "run_sweep",
]
lazy_exports(__name__, _EXPORTS)
