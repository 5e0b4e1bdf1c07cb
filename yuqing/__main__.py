"""`python -m yuqing` runs the command-line tool."""

from yuqing.cli import main

main()
