"""The subsystems :class:`~sim.model.market.MarketModel` composes, one module each.

Each holds its state, runs its stages of the week and fills its firm columns; the pure
rules it applies are in :mod:`sim.mechanics`, its summary section in
:mod:`sim.outputs.sections`. What they share (a name, their firm columns and rows) is
the protocol in :mod:`sim.components.protocol`. See ``docs/ARCHITECTURE.md``.
"""
