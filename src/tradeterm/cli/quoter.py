"""``tradeterm quoter simulate``: the Avellaneda & Stoikov (2008) study beside the paper's."""

from __future__ import annotations

import argparse
import json
import math
import secrets
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tradeterm.quoter.study import StudyResult, StudySetup


def simulate(args: argparse.Namespace) -> int:
    from tradeterm.quoter.study import DEFAULT_GAMMAS, StudySetup, run_study

    gammas = tuple(args.gamma) if args.gamma else DEFAULT_GAMMAS
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    setup = StudySetup()
    started = time.perf_counter()
    results = run_study(gammas, args.paths, seed, setup)
    elapsed = time.perf_counter() - started
    if args.json:
        print(
            json.dumps(
                {
                    "results": [r.to_json() for r in results],
                    "paths": args.paths,
                    "seed": seed,
                    "setup": {
                        "s0": setup.s0,
                        "T": setup.T,
                        "sigma": setup.sigma,
                        "dt": setup.dt,
                        "q0": setup.q0,
                        "k": setup.k,
                        "A": setup.A,
                    },
                },
                sort_keys=True,
            )
        )
    else:
        print(format_table(results, args.paths, seed, setup, elapsed))
    return 0


def format_table(
    results: list[StudyResult], paths: int, seed: int, setup: StudySetup, elapsed: float
) -> str:
    from tradeterm.quoter.study import PAPER_PREPRINT, PAPER_PUBLISHED

    s = setup
    lines = [
        "Avellaneda & Stoikov (2008), 'High-frequency trading in a limit order book', section 3.3",
        (
            f"{paths} paths per strategy, seed {seed}: s0={s.s0:g} T={s.T:g} sigma={s.sigma:g} "
            f"dt={s.dt:g} q0={s.q0} k={s.k:g} A={s.A:g}  ({elapsed:.2f}s)"
        ),
        "",
        (
            f"{'gamma':>6}  {'strategy':<10}{'spread':>8}{'profit':>9}{'std':>8}{'final q':>9}"
            f"{'std q':>8}   paper: {'spread':>6}{'profit':>8}{'std':>7}{'q':>7}{'std q':>7}"
        ),
    ]
    used_preprint = False
    for r in results:
        paper, mark = PAPER_PUBLISHED.get(r.gamma), ""
        if paper is None and r.gamma in PAPER_PREPRINT:
            paper, mark, used_preprint = PAPER_PREPRINT[r.gamma], "*", True
        ref = "   (no published row)"
        if paper is not None:
            sp, pm, ps, qm, qs = paper[r.strategy]
            ref = f"   {mark:>6}{sp:>6.2f}{pm:>8.2f}{ps:>7.2f}{qm:>7.2f}{qs:>7.2f}"
        lines.append(
            f"{r.gamma:>6g}  {r.strategy:<10}{r.spread:>8.2f}{r.profit_mean:>9.2f}"
            f"{r.profit_std:>8.2f}{r.q_mean:>9.2f}{r.q_std:>8.2f}{ref}"
        )
    lines += ["", "paper = Quantitative Finance 8(3) 2008, Tables 1-3 (gamma 0.1, 0.01, 1)."]
    if used_preprint:
        lines.append(
            "* = the 2006 preprint's Table 3 (gamma 0.5); its spread column is only "
            "(2/gamma) ln(1 + gamma/k)."
        )
    se = [r for r in results if r.strategy == "inventory"]
    if se:
        worst = max(se, key=lambda r: r.profit_std)
        lines.append(
            f"Standard error of a profit mean here: std/sqrt({paths}), e.g. "
            f"{worst.profit_std / math.sqrt(paths):.2f} at gamma {worst.gamma:g}."
        )
    return "\n".join(lines)
