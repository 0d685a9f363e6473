"""The ``flywheel`` command: its subcommands, argument types and the report command."""
