"""The `marsad` command line: a thin layer over the library; each command module adds its commands here."""

from __future__ import annotations

import click

from marsad.cli import copy, enrich, ingest, related, search, serve, stories, watch, watchlist
from marsad.version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="marsad")
def cli() -> None:
    """Marsad (مرصد): Arabic news pages and feeds into clean, stored articles."""


for _module in (ingest, enrich, watch, watchlist, stories, search, related, serve, copy):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    """Entry point of the `marsad` console script."""
    cli(prog_name="marsad")


if __name__ == "__main__":
    main()
