"""Command-line subcommands, one module per area; each module has `register(group)`."""
