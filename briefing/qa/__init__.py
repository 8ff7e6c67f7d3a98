"""Any brief, not just the samples: a seeded brief generator, invariants over the outputs of
every brief it makes, and a report (``python -m briefing.qa``, ``make qa-briefs``)."""

from briefing.qa.generate import Brief, Cell, Generator, cells, supported_routes
from briefing.qa.invariants import CHECKS
from briefing.qa.report import passed, rates, render
from briefing.qa.run import Result, Run, run

__all__ = [
    "CHECKS",
    "Brief",
    "Cell",
    "Generator",
    "Result",
    "Run",
    "cells",
    "passed",
    "rates",
    "render",
    "run",
    "supported_routes",
]
