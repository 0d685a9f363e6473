"""Mesa agents: consumers (row views over population columns) and firms."""

from sim.agents.consumer import Consumer, ConsumerPopulation
from sim.agents.firm import Firm

__all__ = ["Consumer", "ConsumerPopulation", "Firm"]
