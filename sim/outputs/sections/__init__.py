"""The summary's sections, one per subsystem, each written only when its mechanic is on."""
