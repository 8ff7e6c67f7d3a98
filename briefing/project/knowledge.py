"""The validated project, models by id: what every later stage reads (assemble, the checks,
the build); validate makes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from briefing.project.load import Document
from briefing.project.model import Article, Client, Platform
from briefing.project.playbook import Industry
from briefing.project.reference import (
    AssumptionFile,
    BenchmarkFile,
    CalendarFile,
    FxFile,
    Reference,
)


@dataclass
class KnowledgeBase:
    """The validated project: models by id."""

    root: Path
    clients: dict[str, Client] = field(default_factory=dict)
    industries: dict[str, Industry] = field(default_factory=dict)
    platforms: dict[str, Platform] = field(default_factory=dict)
    articles: dict[str, Article] = field(default_factory=dict)
    benchmarks: dict[str, BenchmarkFile] = field(default_factory=dict)  # by file
    assumptions: dict[str, AssumptionFile] = field(default_factory=dict)
    calendar: dict[str, CalendarFile] = field(default_factory=dict)
    fx: dict[str, FxFile] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    documents: dict[str, dict[str, Document]] = field(default_factory=dict)  # for positions

    @property
    def reference(self) -> Reference:
        """The figures a plan computes from, flattened from their files."""
        return Reference(
            benchmarks={b.id: b for f in self.benchmarks.values() for b in f.benchmarks},
            assumptions={a.id: a for f in self.assumptions.values() for a in f.assumptions},
            moments=[m for f in self.calendar.values() for m in f.moments],
            fx={r.currency: r for f in self.fx.values() for r in f.rates},
        )
