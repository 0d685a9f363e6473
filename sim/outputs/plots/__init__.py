"""Plot functions: each takes tidy tables and ``ax=None`` (or ``axes``) and returns the Axes.

``common`` holds the colours, time axes and quarterly aggregates; ``market``,
``lifecycle`` and ``platforms`` the plots of those parts of a run. Which figures a run
gets, and under which file names, is decided above this package: the report sections
(:mod:`sim.outputs.sections`) and the standard figures (:mod:`sim.outputs.figures`).
"""
