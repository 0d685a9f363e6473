"""Example strategies for tournaments and the contract test (see docs/STRATEGIES.md)."""
