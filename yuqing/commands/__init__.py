"""The `yuqing` subcommands, one module per group of related commands."""
