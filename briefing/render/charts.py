"""One chart spec, two renderings: an SVG for the PDF and a native chart for the deck."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from xml.sax.saxutils import escape, quoteattr

from briefing.project.fields import Strict
from briefing.project.model import Briefing, Metric, Platform
from briefing.themes.filters import lowerfirst
from briefing.themes.i18n import _, date, is_chinese, number, word

COMPARABLE_DAYS = 366  # figures further apart than 12 months are never ranked together


STYLES = ("reported", "company claim", "estimate", "recommended", "other")  # drawing order


def style_text(style: str) -> str:
    """What the legend says about a bar style (or "dated"), in the edition's language."""
    return {
        "reported": _("reported (results, filings)"),
        "company claim": _("company claim"),
        "estimate": _("estimate (third party)"),
        # the fit chart's two looks: the plan's platforms stand out from the rest
        "recommended": _("recommended in this plan"),
        "other": _("not in the plan"),
        "dated": _("grey: dated, past the freshness limit"),
    }.get(style, style)


GREY, GREY_LINE = "#B4B4B4", "#8E8E93"


def _width(text: str, latin: float, size: float) -> float:
    """Roughly how wide ``text`` is at ``size``: ``latin`` per Latin character or digit, a
    full em per Chinese character or full-width mark."""
    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in text)
    return latin * (len(text) - wide) + size * wide


class Bar(Strict):
    label: str  # category label, e.g. "WeChat 微信"
    value: float
    note: str = ""  # e.g. "Mar 2025"; printed after the value
    style: str = "reported"  # a key of STYLES: how the bar is drawn
    dated: bool = False  # past the freshness limit: drawn grey
    group: int = 0  # bars are ranked only within a group: same confidence, periods close


class ChartSpec(Strict):
    """A horizontal bar chart: one unit, one kind of figure; bars in comparable groups."""

    id: str
    title: str
    unit: str  # axis meaning, e.g. "monthly active users" or "fit score (0-5)"
    bars: list[Bar]
    maximum: float | None = None  # fixed axis end (e.g. 5 for scores)
    alt: str  # describes the chart for screen readers
    legend: list[str] = []  # the STYLES keys drawn (and "dated"), when they need explaining
    sources: list[tuple[str, dt.date]] = []  # who published the figures, and their periods

    def value_text(self, bar: Bar) -> str:
        text = number(bar.value) if self.maximum is None else f"{bar.value:g}"
        return _("%(text)s (%(detail)s)") % {"text": text, "detail": bar.note} if bar.note else text


class _Figure(Strict):
    label: str
    metric: Metric
    stale: bool


def _label(platform: Platform) -> str:
    """A bar's platform: with its Chinese name in English (it helps the reader find it), alone
    in Chinese (an English name there is clutter, the native review of 2026-12 found)."""
    other = "" if is_chinese() else platform.other_name
    return f"{platform.name} {other}".strip()


def audience_charts(briefing: Briefing) -> list[ChartSpec]:
    """One chart per kind of audience figure (MAU, DAU): different kinds never share an axis."""
    by_kind: dict[str, list[_Figure]] = defaultdict(list)
    for ranked in briefing.recommended:
        for metric in ranked.platform.current_metrics:
            kind = metric.audience
            if kind:
                label = _label(ranked.platform)
                stale = briefing.dated(metric)
                by_kind[kind].append(_Figure(label=label, metric=metric, stale=stale))
    charts = []
    for kind, title in (("MAU", "Monthly active users"), ("DAU", "Daily active users")):
        figures = by_kind.get(kind, [])
        if len(figures) >= 2:
            charts.append(_audience_chart(kind, title, figures, briefing.stale_months))
    return charts


def _audience_texts(
    kind: str, period: str | None, grouped: bool, described: str
) -> tuple[str, str, str]:
    """An audience chart's title (short enough for one slide title line), axis title and alt
    text, each a whole sentence of the catalog."""
    values = {"period": period, "described": described}
    if kind == "MAU":
        title = (
            _("Monthly users, as of %(period)s")
            if period
            else _("Monthly users, as last reported; periods differ")
        )
        unit = (
            _("monthly active users, grouped by period and confidence; period on each bar")
            if grouped
            else _("monthly active users, ranked; period on each bar")
        )
        alt = (
            _("Bar chart of monthly active users, as of %(period)s: %(described)s.")
            if period
            else _(
                "Bar chart of monthly active users, as last reported; periods differ: "
                "%(described)s."
            )
        )
    else:
        title = (
            _("Daily users, as of %(period)s")
            if period
            else _("Daily users, as last reported; periods differ")
        )
        unit = (
            _("daily active users, grouped by period and confidence; period on each bar")
            if grouped
            else _("daily active users, ranked; period on each bar")
        )
        alt = (
            _("Bar chart of daily active users, as of %(period)s: %(described)s.")
            if period
            else _(
                "Bar chart of daily active users, as last reported; periods differ: %(described)s."
            )
        )
    return title % values, unit, alt % values


def _audience_chart(kind: str, title: str, figures: list[_Figure], stale_months: int) -> ChartSpec:
    """``title`` names the figure in English ('Monthly active users'); the chart's texts are
    whole sentences of the catalog, chosen by ``kind``."""
    bars = honest_bars(figures)
    periods = {_period(f.metric) for f in figures}
    groups = {b.group for b in bars}
    described = _("; ").join(
        _("%(label)s: %(value)s (%(note)s)")
        % {"label": b.label, "value": number(b.value), "note": b.note}
        for b in bars
    )
    period = periods.pop() if len(periods) == 1 else None
    title, unit, alt = _audience_texts(kind, period, len(groups) > 1, described)
    styles = [s for s in STYLES if any(b.style == s for b in bars)]
    styles += ["dated"] if any(b.dated for b in bars) else []
    return ChartSpec(
        id=f"audience-{kind.lower()}",
        title=title,
        unit=unit,
        bars=bars,
        alt=alt,
        legend=styles if styles != ["reported"] else [],
        sources=list(dict.fromkeys((f.metric.source, f.metric.as_of) for f in figures)),
    )


def honest_bars(figures: list[_Figure]) -> list[Bar]:
    """Bars in comparable groups: one confidence, periods within 12 months, freshness alike.
    Groups come most trustworthy and most recent first; bars are ranked only inside one."""
    order = {c: i for i, c in enumerate(STYLES)}
    remaining = sorted(
        figures, key=lambda f: (f.stale, order[f.metric.confidence], -f.metric.as_of.toordinal())
    )
    bars: list[Bar] = []
    group = 0
    while remaining:
        head = remaining[0]
        members = [
            f
            for f in remaining
            if f.stale == head.stale
            and f.metric.confidence == head.metric.confidence
            and (head.metric.as_of - f.metric.as_of).days <= COMPARABLE_DAYS
        ]
        remaining = [f for f in remaining if f not in members]
        for f in sorted(members, key=lambda f: -f.metric.value):
            bars.append(
                Bar(
                    label=f.label,
                    value=f.metric.value,
                    note=_note(f.metric),
                    style=f.metric.confidence,
                    dated=f.stale,
                    group=group,
                )
            )
        group += 1
    return bars


def _period(metric: Metric) -> str:
    return date(metric.as_of, "month")  # 'Mar 2025' / 2025年3月


def _note(metric: Metric) -> str:
    period = _period(metric)
    if metric.confidence == "reported":
        return period
    return _("%(period)s, %(confidence)s") % {
        "period": period,
        "confidence": word(metric.confidence),
    }


def fit_chart(briefing: Briefing) -> ChartSpec:
    """Fit score of every active platform for the client's industry, best first."""
    chosen = {r.id for r in briefing.recommended}
    bars = [
        Bar(
            label=_label(r.platform),
            value=r.fit.score,
            note=_("your focus") if r.focus else "",
            style="recommended" if r.id in chosen else "other",
        )
        for r in briefing.fits
    ]
    return ChartSpec(
        id="fit",
        title=_("Platform fit for %(industry)s") % {"industry": lowerfirst(briefing.industry.name)},
        unit=_("fit score (0 to 5)"),
        bars=bars,
        maximum=5,
        alt=_("Bar chart of fit scores out of 5: %(described)s.") % {"described": _scores(bars)},
        legend=["recommended", "other"],
    )


def _scores(bars: list[Bar]) -> str:
    """'WeChat 微信 5; Douyin 抖音 4': the fit chart's bars for its alt text."""
    return _("; ").join(
        _("%(label)s %(score)s") % {"label": b.label, "score": f"{b.value:g}"} for b in bars
    )


SHORTLIST_SCORE = 3  # the shortlist chart shows the plan's platforms and those scoring this


def fit_shortlist(briefing: Briefing) -> ChartSpec:
    """The fit chart cut to the plan's platforms and the near misses, large enough to read on a
    slide; the full ranking stays in the PDF."""
    full = fit_chart(briefing)
    bars = [b for b in full.bars if b.style == "recommended" or b.value >= SHORTLIST_SCORE]
    left = len(full.bars) - len(bars)
    alt = _(
        "Bar chart of fit scores out of 5: %(described)s; %(count)s more platforms score "
        "below %(score)s."
    ) % {"described": _scores(bars), "count": left, "score": SHORTLIST_SCORE}
    return full.model_copy(update={"id": "fit-shortlist", "bars": bars, "alt": alt})


def for_briefing(briefing: Briefing) -> dict[str, ChartSpec]:
    """Every chart a briefing offers its templates, by id."""
    charts = [fit_chart(briefing), fit_shortlist(briefing), *audience_charts(briefing)]
    return {chart.id: chart for chart in charts}


def bar_style(style: str, dated: bool, colour: str) -> dict[str, str]:
    """SVG fill and stroke of a bar: its confidence sets the look, staleness greys it.
    The deck draws the same looks (pptx_chart._style_series)."""
    tone, line = (GREY, GREY_LINE) if dated else (colour, colour)
    return {
        "reported": {"fill": tone, "stroke": line},
        "company claim": {"fill": tone, "fill-opacity": "0.35", "stroke": line},
        "estimate": {"fill": "none", "stroke": line, "stroke-dasharray": "3 2"},
        "other": {"fill": tone, "fill-opacity": "0.25", "stroke": "none"},
    }.get(style, {"fill": tone, "stroke": line})


def svg(chart: ChartSpec, colour: str, text_colour: str, muted: str, font: str) -> str:
    """A self-contained vector bar chart (fonts come from the document's CSS)."""
    label_w, row_h, top, gap = 190, 22, 8, 10
    label_room = 10 + max(_width(chart.value_text(b), 4.8, 9) for b in chart.bars)  # 9 pt digits
    bar_w = 430 - label_room
    end = chart.maximum or max(b.value for b in chart.bars) or 1
    rows: list[str] = []
    y: float = top  # grows by whole rows, then by the legend's fractional height
    for i, bar in enumerate(chart.bars):
        if i and bar.group != chart.bars[i - 1].group:  # a new group is not a continuation
            rows.append(
                f'<line x1="{label_w - 150}" y1="{y + gap / 2}" x2="{label_w + bar_w}" '
                f'y2="{y + gap / 2}" stroke="{muted}" stroke-width="0.5" stroke-dasharray="2 2"/>'
            )
            y += gap
        width = max(bar.value / end * bar_w, 1)
        look = bar_style(bar.style, bar.dated, colour)
        style = " ".join(f'{k}="{v}"' for k, v in look.items())
        rows.append(
            f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end" fill="{text_colour}" '
            f'font-size="10">{escape(bar.label)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{width:.1f}" height="{row_h - 8}" '
            f'{style} stroke-width="0.8" data-style={quoteattr(bar.style)} '
            f'data-dated="{str(bar.dated).lower()}"/>'
            f'<text x="{label_w + width + 5:.1f}" y="{y + 14}" fill="{text_colour}" '
            f'font-size="9">{escape(chart.value_text(bar))}</text>'
        )
        y += row_h
    axis = (
        f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{y}" '
        f'stroke="{muted}" stroke-width="0.8"/>'
        f'<text x="{label_w}" y="{y + 14}" fill="{muted}" font-size="8.5">'
        f"{escape(chart.unit)}</text>"
    )
    legend, y = _legend(chart, colour, muted, y + 22)
    label = quoteattr(chart.alt)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_w + 430} '
        f'{y}" font-family={quoteattr(font)} role="img" aria-label={label}>'
        f"<title>{escape(chart.title)}</title>{''.join(rows)}{axis}{legend}</svg>"
    )


def _legend(chart: ChartSpec, colour: str, muted: str, y: float) -> tuple[str, float]:
    if not chart.legend:
        return "", y
    items, x = [], 40.0
    for style in chart.legend:
        # a style's swatch shows its look in colour, only "dated" is grey: a grey 'reported'
        # swatch (all its bars dated) could not be told from the 'grey: dated' one
        dated = style == "dated"
        look = bar_style("reported" if dated else style, dated, colour)
        text = style_text(style)
        swatch = " ".join(f'{k}="{v}"' for k, v in look.items())
        items.append(
            f'<rect x="{x}" y="{y}" width="14" height="8" {swatch} stroke-width="0.8" '
            f"data-legend={quoteattr(style)}/>"
            f'<text x="{x + 18}" y="{y + 7.5}" fill="{muted}" font-size="8.5">'
            f"{escape(text)}</text>"
        )
        x += 26 + _width(text, 4.4, 8.5)
    return "".join(items), y + 14
