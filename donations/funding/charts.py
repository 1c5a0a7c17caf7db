"""Small server-side SVG charts for the admin: no JavaScript, no chart library, no CDN.

Every chart sits next to a table of the same numbers on the page (screen readers and anyone who
wants the exact figures use the table); the SVG carries a <title> and an aria-label.
Colours are presentation attributes, not inline styles, so no style-src exception is needed.
Text is at least FONT_SIZE units, and the page never draws a chart narrower than its WIDTH
(funding_dashboard.css), so no label is smaller than 12 px on screen. Months still in progress
(`pending`) are drawn pale, with a note under their label.
"""

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#2f6f9f", "#e07b39", "#5a9e4b", "#b0413e", "#8e6bbf", "#c9a227", "#4a4a4a"]
WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 16, 72
FONT_SIZE = 13
PENDING_OPACITY = "0.4"


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float]
    colour: str = PALETTE[0]


def nice_ceiling(value: float) -> float:
    """The top of the y axis: four gridline steps of 1, 2, 2.5 or 5 × 10^k, at or above value,
    so that every gridline label is a round number."""
    if value <= 0:
        return 4
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * power * (1 + 1e-9):
            return 4 * multiple * power
    return 40 * power  # pragma: no cover


def _format(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:g}%"
    if abs(value) >= 10_000:
        return f"{value / 10_000:,g}万"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"


def _frame(title: str, body: list[str], legend: list[Series]) -> SafeString:
    legend_items = []
    x = LEFT
    for series in legend:
        legend_items.append(
            f'<rect x="{x}" y="{HEIGHT - 18}" width="12" height="12" fill="{series.colour}"/>'
            f'<text x="{x + 16}" y="{HEIGHT - 8}" font-size="{FONT_SIZE}">'
            f"{escape(series.label)}</text>"
        )
        x += 24 + 8 * len(series.label) + (6 * sum(1 for c in series.label if ord(c) > 0x2E80))
    return mark_safe(  # noqa: S308  (every text node above is escaped)
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" width="100%" '
        f'font-family="sans-serif"><title>{escape(title)}</title>'
        + "".join(body)
        + "".join(legend_items)
        + "</svg>"
    )


def _axes(
    labels: list[str],
    top: float,
    percent: bool,
    pending: set[int] = frozenset(),
    pending_label: str = "",
) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="{FONT_SIZE}" text-anchor="end">'
            f"{escape(_format(value, percent))}</text>"
        )
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    every = max(1, math.ceil(len(labels) / 12))
    for i, label in enumerate(labels):
        x = LEFT + slot * (i + 0.5)
        if i in pending and pending_label:
            parts.append(
                f'<text class="chart__pending" x="{x:.1f}" y="{HEIGHT - BOTTOM + 34}" '
                f'font-size="{FONT_SIZE}" text-anchor="middle" font-style="italic">'
                f"({escape(pending_label)})</text>"
            )
        elif i % every:
            continue
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 17}" font-size="{FONT_SIZE}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    return parts


def _y(value: float, top: float) -> float:
    plot_h = HEIGHT - TOP - BOTTOM
    return TOP + plot_h - plot_h * (value / top if top else 0)


def bar_chart(
    *,
    title: str,
    labels: list[str],
    series: list[Series],
    stacked: bool = True,
    line: Series | None = None,
    percent: bool = False,
    pending: set[int] = frozenset(),
    pending_label: str = "",
) -> SafeString:
    """Bars per label (stacked or side by side), with an optional line drawn over them (e.g.
    the running costs). Bars at the `pending` indexes are pale and marked `pending_label`."""
    if stacked:
        highest = max((sum(s.values[i] for s in series) for i in range(len(labels))), default=0)
    else:
        highest = max((v for s in series for v in s.values), default=0)
    if line:
        highest = max([highest, *line.values])
    top = nice_ceiling(highest)
    body = _axes(labels, top, percent, pending, pending_label)
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    bar_w = slot * 0.7 if stacked else slot * 0.8 / max(len(series), 1)
    for i, label in enumerate(labels):
        base = 0.0
        for n, s in enumerate(series):
            value = s.values[i]
            if value <= 0:
                continue
            if stacked:
                x = LEFT + slot * i + (slot - bar_w) / 2
                y0, y1 = _y(base + value, top), _y(base, top)
                base += value
            else:
                x = LEFT + slot * i + slot * 0.1 + bar_w * n
                y0, y1 = _y(value, top), _y(0, top)
            pale = f' fill-opacity="{PENDING_OPACITY}"' if i in pending else ""
            note = f" ({escape(pending_label)})" if i in pending and pending_label else ""
            body.append(
                f'<rect x="{x:.1f}" y="{y0:.1f}" width="{bar_w:.1f}" height="{y1 - y0:.1f}" '
                f'fill="{s.colour}"{pale}><title>{escape(label)}{note} {escape(s.label)}: '
                f"{escape(_format(value, percent))}</title></rect>"
            )
    legend = list(series)
    if line:
        points = " ".join(
            f"{LEFT + slot * (i + 0.5):.1f},{_y(v, top):.1f}" for i, v in enumerate(line.values)
        )
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{line.colour}" stroke-width="2" '
            f'stroke-dasharray="6 4"/>'
        )
        legend.append(line)
    return _frame(title, body, legend)


def line_chart(
    *, title: str, labels: list[str], series: list[Series], percent: bool = False
) -> SafeString:
    highest = max((v for s in series for v in s.values), default=0)
    top = nice_ceiling(highest)
    body = _axes(labels, top, percent)
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    for s in series:
        points = [(LEFT + slot * (i + 0.5), _y(v, top)) for i, v in enumerate(s.values)]
        body.append(
            '<polyline points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            + f'" fill="none" stroke="{s.colour}" stroke-width="2"/>'
        )
        for (x, y), label, value in zip(points, labels, s.values, strict=True):
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{s.colour}"><title>'
                f"{escape(label)}: {escape(_format(value, percent))}</title></circle>"
            )
    return _frame(title, body, series)
