"""Charts drawn on the server as SVG: no script, no outside service, readable when printed.

A chart is a title, a row of labels (weeks, say) and one or more series of values over them.
Everything a reader needs is text inside the SVG (title, axis ticks, legend, bar values), so a
screenshot or a PDF of the page still says what it shows; ``<title>`` and ``<desc>`` give screen
readers the same. Colours are set as presentation attributes (the CSP allows no inline styles)
and series differ in marker and dash as well as colour, so they survive grey-scale printing.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, FONT = 520, 256, 12
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 48, 30
LEGEND = 18  # baseline of the legend row, above the plot
PALETTE = ("#1f5fbf", "#c2410c", "#1b7a43", "#6d28d9")
DASHES = ("", "6 4", "2 3", "8 3 2 3")
INK, MUTED, GRID = "#1d2430", "#5d6778", "#dde2ea"


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]


@dataclass
class Chart:
    key: str
    title: str
    labels: list[str]
    series: list[Series]
    kind: str = "line"  # "line" (with the first series' area shaded) or "bar"
    unit: str = ""
    empty_text: str = "Nothing to show yet."
    long_labels: list[str] = field(default_factory=list)
    decimals: int = 0

    @property
    def empty(self) -> bool:
        return not any(v for s in self.series for v in s.values if v is not None)

    def number(self, value: float | None) -> str:
        if value is None:
            return "—"
        return f"{value:,.{self.decimals}f}"

    def rows(self) -> list[tuple[str, list[str]]]:
        """The numbers behind the chart, one row per label, for a table next to it."""
        names = self.long_labels or self.labels
        return [
            (name, [self.number(s.values[i]) for s in self.series]) for i, name in enumerate(names)
        ]

    def description(self) -> str:
        if self.empty:
            return self.empty_text
        names = self.long_labels or self.labels
        parts = []
        for s in self.series:
            known = [(v, i) for i, v in enumerate(s.values) if v is not None]
            top, at = max(known)
            latest = s.values[-1]
            parts.append(
                f"{s.name}: highest {self.number(top)} ({names[at]}), latest {self.number(latest)}"
            )
        return f"{names[0]} to {names[-1]}. " + "; ".join(parts) + "."

    def svg(self) -> SafeString:
        return mark_safe(render(self))  # noqa: S308  (every text is escaped in render)


def nice_scale(top: float, integer: bool, ticks: int = 4) -> tuple[float, float]:
    """(step, maximum) of a y axis that holds ``top`` in about ``ticks`` round steps."""
    if top <= 0:
        return 1.0, float(ticks)
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if raw <= m * magnitude)
    if integer:
        step = max(1.0, math.ceil(step))
    return step, step * math.ceil(top / step)


def _attrs(**values) -> str:
    return " ".join(f'{k.rstrip("_").replace("_", "-")}="{escape(v)}"' for k, v in values.items())


def _text(x: float, y: float, body: str, **values) -> str:
    return f"<text {_attrs(x=f'{x:.1f}', y=f'{y:.1f}', **values)}>{escape(body)}</text>"


def _marker(index: int, x: float, y: float, colour: str, tip: str, cls: str = "") -> str:
    title = f"<title>{escape(tip)}</title>"
    c = f' class="{cls}"' if cls else ""
    if index % 3 == 1:
        return (
            f'<rect{c} x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}">'
            f"{title}</rect>"
        )
    if index % 3 == 2:
        corners = ((x, y - 4.5), (x + 4.5, y), (x, y + 4.5), (x - 4.5, y))
        points = " ".join(f"{a:.1f},{b:.1f}" for a, b in corners)
        return f'<polygon{c} points="{points}" fill="{colour}">{title}</polygon>'
    return f'<circle{c} cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">{title}</circle>'


def _legend(chart: Chart) -> list[str]:
    parts, x = [], LEFT
    for i, s in enumerate(chart.series):
        colour = PALETTE[i % len(PALETTE)]
        if chart.kind == "bar":
            parts.append(
                f'<rect x="{x:.1f}" y="{LEGEND - 9}" width="12" height="10" fill="{colour}"/>'
            )
        else:
            dash = f' stroke-dasharray="{DASHES[i % len(DASHES)]}"' if i % len(DASHES) else ""
            parts.append(
                f'<line x1="{x:.1f}" y1="{LEGEND - 4}" x2="{x + 18:.1f}" y2="{LEGEND - 4}" '
                f'stroke="{colour}" stroke-width="2"{dash}/>'
            )
            parts.append(_marker(i, x + 9, LEGEND - 4, colour, s.name))
        parts.append(_text(x + 24, LEGEND, s.name, fill=INK))
        x += 34 + FONT * 0.6 * len(s.name)
    return parts


def render(chart: Chart) -> str:
    """The chart as a standalone SVG document fragment (valid XML)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bottom = TOP + plot_h
    values = [v for s in chart.series for v in s.values if v is not None]
    step, top = nice_scale(max(values, default=0), integer=chart.decimals == 0)
    count = max(len(chart.labels), 1)
    band = plot_w / count

    def y_of(value: float) -> float:
        return bottom - plot_h * value / top

    ident = escape(chart.key)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" class="chart-svg" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="system-ui, sans-serif" '
        f'font-size="{FONT}">',
        f'<title id="{ident}-title">{escape(chart.title)}</title>',
        f'<desc id="{ident}-desc">{escape(chart.description())}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    ticks = 0 if chart.empty else round(top / step)
    for n in range(ticks + 1):
        value = n * step
        y = y_of(value)
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{GRID}" '
            f'stroke-width="1"/>'
        )
        label = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
        out.append(_text(LEFT - 6, y + 4, label, fill=MUTED, text_anchor="end"))
    if chart.unit:
        out.append(_text(WIDTH - RIGHT, LEGEND, chart.unit, fill=MUTED, text_anchor="end"))
    out.append(
        f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" stroke="{MUTED}" '
        f'stroke-width="1"/>'
    )
    widest = max((len(label) for label in chart.labels), default=0) * FONT * 0.6 + 6
    every = max(1, math.ceil(widest / band))  # the latest label always shows
    for i, label in enumerate(chart.labels):
        if (count - 1 - i) % every == 0:
            x = LEFT + band * (i + 0.5)
            out.append(_text(x, bottom + 17, label, fill=MUTED, text_anchor="middle"))
    out.extend(_legend(chart))
    if chart.empty:
        out.extend(_nothing(chart, LEFT + plot_w / 2, TOP + plot_h / 2, plot_w))
    elif chart.kind == "bar":
        out.extend(_bars(chart, band, y_of, bottom))
    else:
        out.extend(_lines(chart, band, y_of, bottom))
    out.append("</svg>")
    return "\n".join(out)


def _nothing(chart: Chart, x: float, y: float, width: float) -> list[str]:
    """ "Nothing yet" and why, wrapped to the plot's width."""
    lines = textwrap.wrap(chart.empty_text, width=int(width / (FONT * 0.55)))
    out = [
        _text(
            x,
            y - 8,
            "Nothing yet",
            fill=INK,
            text_anchor="middle",
            font_size="16",
            font_weight="600",
        )
    ]
    out.extend(
        _text(x, y + 14 + 16 * n, line, fill=MUTED, text_anchor="middle")
        for n, line in enumerate(lines)
    )
    return out


def _tip(chart: Chart, series: Series, i: int, value: float) -> str:
    names = chart.long_labels or chart.labels
    return f"{names[i]}: {chart.number(value)} {series.name.lower()}"


def _bars(chart: Chart, band: float, y_of, bottom: float) -> list[str]:
    out, inner = [], band * 0.7
    width = inner / len(chart.series)
    for k, s in enumerate(chart.series):
        colour = PALETTE[k % len(PALETTE)]
        for i, value in enumerate(s.values):
            if value is None:
                continue
            x = LEFT + band * i + (band - inner) / 2 + width * k
            y = y_of(value)
            out.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{width - 1:.1f}" '
                f'height="{bottom - y:.1f}" fill="{colour}"><title>'
                f"{escape(_tip(chart, s, i, value))}</title></rect>"
            )
            if value:
                out.append(
                    _text(
                        x + width / 2,
                        y - 4,
                        chart.number(value),
                        fill=INK,
                        text_anchor="middle",
                        font_size="11",
                    )
                )
    return out


def _lines(chart: Chart, band: float, y_of, bottom: float) -> list[str]:
    out = []
    for k, s in enumerate(chart.series):
        colour = PALETTE[k % len(PALETTE)]
        points = [
            (LEFT + band * (i + 0.5), y_of(v), i, v)
            for i, v in enumerate(s.values)
            if v is not None
        ]
        if k == 0 and len(points) == len(s.values) and len(points) > 1:
            area = " ".join(f"L{x:.1f},{y:.1f}" for x, y, _, _ in points)
            out.append(
                f'<path d="M{points[0][0]:.1f},{bottom} {area} L{points[-1][0]:.1f},{bottom} Z" '
                f'fill="{colour}" fill-opacity="0.12" stroke="none"/>'
            )
        path, previous = [], None
        for x, y, i, _ in points:
            path.append(f"{'L' if previous == i - 1 else 'M'}{x:.1f},{y:.1f}")
            previous = i
        if path:
            dash = f' stroke-dasharray="{DASHES[k % len(DASHES)]}"' if k % len(DASHES) else ""
            out.append(
                f'<path class="line" d="{" ".join(path)}" fill="none" stroke="{colour}" '
                f'stroke-width="2" stroke-linejoin="round"{dash}/>'
            )
        out.extend(_marker(k, x, y, colour, _tip(chart, s, i, v), "point") for x, y, i, v in points)
    return out
