"""The command line (Typer + Rich). Each command is one transaction."""
