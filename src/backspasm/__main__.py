"""`python -m backspasm` runs the CLI."""

from .cli import main

main()
