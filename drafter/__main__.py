"""Run the drafter command line: ``python -m drafter``."""

from .cli import main

if __name__ == "__main__":  # batch workers started by spawn (Windows, macOS) import this module again
    main()
