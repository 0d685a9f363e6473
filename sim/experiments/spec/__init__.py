"""Sweep files: schema, loading, ``--set`` overrides and validation with readable errors.

A sweep file names a base scenario, the parameters to vary (by the dotted paths of
``--set``, or derived ones that set several paths through small expressions), a design,
the replications, a root seed, the steps and the outputs to keep. It is validated like a
scenario: every problem is reported at once, each with the file, the dotted path, the
value received and the rule, and nothing runs on an invalid sweep.

Validation has three stages, each reporting all of its problems:

1. the structure (pydantic, unknown keys with "did you mean"):
   :mod:`~sim.experiments.spec.schema`;
2. the meaning (names used in expressions, a design that fits the parameters, the base
   scenario and the ``fixed`` overrides): :mod:`~sim.experiments.spec.validation`;
3. every design point: the scenario it produces is validated before any run starts
   (:mod:`~sim.experiments.spec.validation`, with the point's scenario from
   :mod:`~sim.experiments.spec.sweep`).

The other parts: :mod:`~sim.experiments.spec.overrides` (``--set`` on a sweep document,
``*`` in scenario paths) and :mod:`~sim.experiments.spec.files` (where named sweeps are
found). Every public name is importable from this package
(``from sim.experiments.spec import load_sweep``).
"""

from sim.experiments.spec.files import (
    EXPERIMENTS_DIR_ENV,
    experiment_search_path,
    find_sweep,
    list_sweeps,
)
from sim.experiments.spec.overrides import (
    DESIGN_KEYS_OF_KIND,
    apply_sweep_overrides,
    expand_path,
    switch_design_kind,
)
from sim.experiments.spec.schema import (
    FIRM_IDENTITY,
    MAX_POINTS,
    MAX_RUNS,
    RESERVED_COLUMNS,
    Design,
    DesignKind,
    EmptyGroups,
    Frozen,
    Outputs,
    Parameter,
    Scalar,
    Scale,
    SweepSpec,
    firm_columns,
    model_columns,
)
from sim.experiments.spec.sweep import (
    RunKey,
    Sweep,
    describe,
    point_overrides,
    point_scenario,
    sweep_digest,
)
from sim.experiments.spec.validation import (
    MAX_REPORTED_POINT_PROBLEMS,
    check_meaning,
    check_outcome_strategies,
    check_points,
    check_targets,
    load_sweep,
    validate_sweep,
)

__all__ = [
    "DESIGN_KEYS_OF_KIND",
    "EXPERIMENTS_DIR_ENV",
    "FIRM_IDENTITY",
    "MAX_POINTS",
    "MAX_REPORTED_POINT_PROBLEMS",
    "MAX_RUNS",
    "RESERVED_COLUMNS",
    "Design",
    "DesignKind",
    "EmptyGroups",
    "Frozen",
    "Outputs",
    "Parameter",
    "RunKey",
    "Scalar",
    "Scale",
    "Sweep",
    "SweepSpec",
    "apply_sweep_overrides",
    "check_meaning",
    "check_outcome_strategies",
    "check_points",
    "check_targets",
    "describe",
    "expand_path",
    "experiment_search_path",
    "find_sweep",
    "firm_columns",
    "list_sweeps",
    "load_sweep",
    "model_columns",
    "point_overrides",
    "point_scenario",
    "sweep_digest",
    "switch_design_kind",
    "validate_sweep",
]
