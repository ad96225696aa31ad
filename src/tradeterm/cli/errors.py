"""The error a command raises for bad input: the trader reads one line, the exit code is 2."""


class UsageError(Exception):
    """Bad command-line input, phrased for the trader (exit code 2)."""
