"""One chart spec, two renderings: an SVG for the PDF and a native chart for the deck."""

from __future__ import annotations

from collections import defaultdict
from xml.sax.saxutils import escape, quoteattr

from briefing.filters import number
from briefing.model import Briefing, Strict


class Bar(Strict):
    label: str  # category label, e.g. "WeChat 微信"
    value: float
    note: str = ""  # e.g. "Mar 2025"; printed after the value


class ChartSpec(Strict):
    """A horizontal bar chart: one series, one unit, one kind of figure."""

    id: str
    title: str
    unit: str  # axis meaning, e.g. "monthly active users" or "fit score (0-5)"
    bars: list[Bar]
    maximum: float | None = None  # fixed axis end (e.g. 5 for scores)
    alt: str  # describes the chart for screen readers

    def value_text(self, bar: Bar) -> str:
        text = number(bar.value) if self.maximum is None else f"{bar.value:g}"
        return f"{text} ({bar.note})" if bar.note else text


def audience_charts(briefing: Briefing) -> list[ChartSpec]:
    """One chart per kind of audience figure (MAU, DAU): different kinds never share an axis."""
    by_kind: dict[str, list[Bar]] = defaultdict(list)
    for ranked in briefing.recommended:
        latest: dict[str, object] = {}
        for metric in ranked.platform.metrics:
            kind = _audience_kind(metric.name)
            if kind and (kind not in latest or metric.as_of > latest[kind].as_of):
                latest[kind] = metric
        for kind, metric in latest.items():
            label = f"{ranked.platform.name} {ranked.platform.name_zh}"
            by_kind[kind].append(
                Bar(label=label, value=metric.value, note=metric.as_of.strftime("%b %Y"))
            )
    charts = []
    for kind, title in (("MAU", "Monthly active users"), ("DAU", "Daily active users")):
        bars = sorted(by_kind.get(kind, []), key=lambda b: -b.value)
        if len(bars) >= 2:
            described = "; ".join(f"{b.label}: {number(b.value)} ({b.note})" for b in bars)
            charts.append(
                ChartSpec(
                    id=f"audience-{kind.lower()}",
                    title=f"{title}, latest reported figure",
                    unit=f"{title.lower()} (as of the date shown)",
                    bars=bars,
                    alt=f"Bar chart of {title.lower()}: {described}.",
                )
            )
    return charts


def _audience_kind(name: str) -> str | None:
    upper = name.upper()
    if "MINI PROGRAM" in upper or "INCAREER" in upper:
        return None  # a feature's users, not the platform's
    for kind in ("MAU", "DAU"):
        if upper.startswith(kind):
            return kind
    return None


def fit_chart(briefing: Briefing) -> ChartSpec:
    """Fit score of every active platform for the client's industry, best first."""
    bars = [
        Bar(label=f"{r.platform.name} {r.platform.name_zh}", value=r.fit.score)
        for r in briefing.fits
    ]
    described = "; ".join(f"{b.label} {b.value:g}" for b in bars)
    return ChartSpec(
        id="fit",
        title=f"Platform fit for {briefing.industry.name.lower()}",
        unit="fit score (0 to 5)",
        bars=bars,
        maximum=5,
        alt=f"Bar chart of fit scores out of 5: {described}.",
    )


def for_briefing(briefing: Briefing) -> dict[str, ChartSpec]:
    """Every chart a briefing offers its templates, by id."""
    charts = [fit_chart(briefing), *audience_charts(briefing)]
    return {chart.id: chart for chart in charts}


def svg(chart: ChartSpec, colour: str, text_colour: str, muted: str, font: str) -> str:
    """A self-contained vector bar chart (fonts come from the document's CSS)."""
    label_w, bar_w, row_h, top = 190, 300, 22, 8
    height = top + row_h * len(chart.bars) + 22
    end = chart.maximum or max(b.value for b in chart.bars) or 1
    rows = []
    for i, bar in enumerate(chart.bars):
        y = top + i * row_h
        width = max(bar.value / end * bar_w, 1)
        rows.append(
            f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end" fill="{text_colour}" '
            f'font-size="10">{escape(bar.label)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{width:.1f}" height="{row_h - 8}" '
            f'fill="{colour}"/>'
            f'<text x="{label_w + width + 5:.1f}" y="{y + 14}" fill="{text_colour}" '
            f'font-size="9">{escape(chart.value_text(bar))}</text>'
        )
    axis = (
        f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{height - 20}" '
        f'stroke="{muted}" stroke-width="0.8"/>'
        f'<text x="{label_w}" y="{height - 6}" fill="{muted}" font-size="8.5">'
        f"{escape(chart.unit)}</text>"
    )
    label = quoteattr(chart.alt)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_w + bar_w + 110} '
        f'{height}" font-family={quoteattr(font)} role="img" aria-label={label}>'
        f"<title>{escape(chart.title)}</title>{''.join(rows)}{axis}</svg>"
    )
