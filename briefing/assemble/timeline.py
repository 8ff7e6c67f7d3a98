"""Calendar quarters: the plan's time axis, from the briefing's date to its last deadline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DEFAULT_QUARTERS = 4  # a brief without deadlines is planned for a year


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1-4

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def id(self) -> str:
        """'2027-Q1': how the plan's data names it."""
        return f"{self.year}-Q{self.number}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        return self.next().start - dt.timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)


def quarters(start: dt.date, end: dt.date | None) -> list[Quarter]:
    """The quarters from the one holding ``start`` to the one holding ``end`` (a year of
    quarters when there is no end, and never fewer than one)."""
    first = Quarter.of(start)
    if end is None or end < start:
        found = [first]
        while len(found) < DEFAULT_QUARTERS:
            found.append(found[-1].next())
        return found
    last, found = Quarter.of(end), [first]
    while found[-1] < last:
        found.append(found[-1].next())
    return found
