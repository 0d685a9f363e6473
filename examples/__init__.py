"""Examples of using the simulation as a library."""
