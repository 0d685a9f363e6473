"""Pure economic mechanics: numpy functions, no Mesa, each with its source."""
