"""`python -m marsad.cli`: the same command line as the `marsad` console script."""

from marsad.cli.main import main

main()
