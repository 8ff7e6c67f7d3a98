"""What a QA run found: pass rate per invariant, coverage, and each failure with its seed and
the command that rebuilds that brief."""

from __future__ import annotations

from collections import Counter

from briefing.qa.invariants import BUILD_CHECKS, CHECKS
from briefing.qa.run import Run

MAX_REFUSED = 0.05  # at most 5% of generated briefs may be refused by `briefing check`


def rates(run: Run) -> dict[str, tuple[int, int]]:
    """Per invariant: (passed, run); a check that was not run counts in neither."""
    table = {}
    for name in (*BUILD_CHECKS, *CHECKS):
        ran = [r.checks[name] for r in run.results if r.checks.get(name) is not None]
        table[name] = (sum(1 for problems in ran if not problems), len(ran))
    return table


def refused_share(run: Run) -> float:
    return sum(r.status == "refused" for r in run.results) / max(len(run.results), 1)


def passed(run: Run) -> bool:
    return refused_share(run) <= MAX_REFUSED and all(p == n for p, n in rates(run).values())


def render(run: Run) -> str:
    results = run.results
    status = Counter(r.status for r in results)
    touched = sorted({r.cell for r in results})
    lines = [
        f"qa-briefs: seed {run.seed}, {len(results)} briefs, date {run.date}, {run.seconds:.0f} s",
        f"coverage: {len(touched)} of {len(run.cells)} industry x segment x route cells",
        f"built {status['built']}, refused {status['refused']} "
        f"({refused_share(run):.0%}, at most {MAX_REFUSED:.0%}), failed {status['failed']}",
        "",
        f"{'invariant':18} {'passed':>8} {'rate':>6}",
    ]
    for name, (ok, ran) in rates(run).items():
        shown = f"{ok / ran:.0%}" if ran else "-"
        lines.append(f"{name:18} {f'{ok}/{ran}':>8} {shown:>6}" + ("" if ran else "  (not run)"))
    refused = [r for r in results if r.status == "refused"]
    if refused:
        lines += ["", "refused by `briefing check` (seed:index cell: first line):"]
        lines += [f"  {r.seed}:{r.index}  {r.cell}: {r.message[:160]}" for r in refused]
    failures = [(name, r) for r in results for name, p in r.checks.items() if p]
    if failures:
        lines += ["", "failures (seed:index cell: first problem; rebuild command):"]
    for name, r in sorted(failures, key=lambda f: (f[0], f[1].index)):
        problems = r.checks[name] or []
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        lines.append(f"  {name:16} {r.seed}:{r.index}  {r.cell}: {problems[0][:160]}{more}")
        lines.append(f"      {r.command(run.date)}")
    untouched = sorted(set(run.cells) - set(touched))
    if untouched:
        lines += ["", f"cells not touched ({len(untouched)}): " + "; ".join(untouched[:12])
                  + (" ..." if len(untouched) > 12 else "")]  # fmt: skip
    return "\n".join(lines)
