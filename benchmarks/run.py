"""Run tradeterm's benchmarks: the same runner as ``tradeterm bench``.

    python benchmarks/run.py [--json] [--only NAMES] [--quick]
"""

import sys

from tradeterm.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
