"""python -m briefing.qa: build N generated briefs and print each invariant's pass rate."""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
from pathlib import Path

from briefing.qa import report, run


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="python -m briefing.qa",
        description="Generate N random but valid briefs from a seed (every industry x segment "
        "x route, goals, budgets, cities, competitors, names, editions, themes), build each in "
        "a temp copy of the project (data/ is never touched) and check every invariant on the "
        "plan JSON, the PDF and the deck. Exit 1 if any invariant fails or over 5%% of the "
        "briefs are refused by `briefing check`.",
    )
    command.add_argument("-n", "--count", type=int, default=60, help="briefs (default 60)")
    command.add_argument("--seed", type=int, default=1, help="the run's seed (default 1)")
    command.add_argument(
        "--only", type=int, action="append", metavar="INDEX", help="only brief INDEX of the run"
    )
    command.add_argument(
        "--date", type=dt.date.fromisoformat, default=dt.date.today(), metavar="YYYY-MM-DD",
        help="the build date (default today; a rebuild command names the run's date)",
    )  # fmt: skip
    command.add_argument("-j", "--jobs", type=int, default=1, help="briefs built at once")
    command.add_argument(
        "--deck-lo", choices=("auto", "yes", "no"), default="auto",
        help="check the deck on LibreOffice (deck-fill's fill and overflow); auto: if installed",
    )  # fmt: skip
    command.add_argument(
        "--out", type=Path, metavar="DIR",
        help="keep each brief (client files and outputs) in DIR/<id>/, e.g. out/qa",
    )  # fmt: skip
    command.add_argument("--root", type=Path, default=Path.cwd(), help="the project (default .)")
    return command


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    root = args.root.resolve()
    if not (root / "data").is_dir():
        print(f"{root}: no data/ folder: run from the project or pass --root", file=sys.stderr)
        return 2
    deck_lo = args.deck_lo == "yes" or (args.deck_lo == "auto" and shutil.which("soffice"))
    keep = args.out.resolve() if args.out else None
    result = run(
        root, args.seed, args.count, args.date, only=args.only, jobs=args.jobs,
        deck_lo=bool(deck_lo), keep=keep,
    )  # fmt: skip
    print(report.render(result))
    if keep:
        print(f"\nbriefs kept in {keep}/")
    return 0 if report.passed(result) else 1


if __name__ == "__main__":
    sys.exit(main())
