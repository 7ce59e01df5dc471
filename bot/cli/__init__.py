"""The ``feedbackbot`` command (typer + rich)."""
