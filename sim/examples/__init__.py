"""Example strategies that ship with the package (see docs/STRATEGIES.md).

Name them by dotted path, e.g. ``sim.examples.harvester:Harvester``; the repository's
``examples/strategies/`` is a link to this folder, so ``examples.strategies.*`` still
imports from the repository root.
"""
