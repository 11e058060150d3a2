"""Run the drafter command line: ``python -m drafter``."""

from .cli import main

main()
