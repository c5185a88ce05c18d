"""`python -m marsad`: the same command line as the `marsad` console script."""

from marsad.cli import main

if __name__ == "__main__":
    main()
