"""The `marsad` command line (``marsad.cli.main``); ``marsad.cli.common`` holds what the commands share."""

from marsad.cli.main import cli, main

__all__ = ["cli", "main"]
