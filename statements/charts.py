"""Payments by month: a stacked SVG bar per statement, drawn on the server (no JS, no CDN).

Payments (output, service fee, uplift fees, positive adjustments) stack upwards from zero; deductions
(clawbacks, negative adjustments) stack downwards, so every part of a month stays visible. Each month
carries its total excluding VAT as a marker and, on hover, every figure; a table with the same figures is
the text alternative. The drawing scales to its container (a fixed view box at 100% width), so it fits
any page width.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from statements.money import ZERO, format_gbp, round_money

# (key, legend, colour): colours from the GOV.UK palette, distinct for colour-blind readers in order.
SERIES = (
    ("output", "Output payments", "#1d70b8"),
    ("service", "Service fee", "#00703c"),
    ("uplift", "Uplift fees", "#912b88"),
    ("adjustments", "Adjustments", "#f47738"),
    ("clawbacks", "Clawbacks", "#d4351c"),
)
WIDTH, HEIGHT = 960, 320
LEFT, RIGHT, TOP, BOTTOM = 78, 12, 44, 36
MIN_VISIBLE_PX = 2.0  # a non-zero part is never thinner than this, so it stays visible beside large ones


@dataclass(frozen=True)
class MonthPoint:
    """One statement's figures, rounded for presentation. Clawbacks are negative; adjustments signed."""

    label: str  # short, for the axis: "Apr 24"
    name: str  # "April 2024"
    status: str
    output: Decimal
    service: Decimal
    uplift: Decimal
    adjustments: Decimal
    clawbacks: Decimal
    total_ex_vat: Decimal
    total: Decimal
    highlight: bool = False
    url: str = ""

    def value(self, key: str) -> Decimal:
        return getattr(self, key)


def point_from_calculation(statement, calculation, *, highlight=False, url="") -> MonthPoint:
    mentor = calculation.mentor
    output = calculation.output_fee + (mentor.output_fee if mentor else ZERO)
    clawbacks = calculation.clawbacks_total + (mentor.clawbacks_total if mentor else ZERO)
    # The reconcile amount (a manual correction with no line of its own) is drawn with the adjustments,
    # so the parts of a bar add up to its total excluding VAT.
    adjustments = calculation.additional_adjustments + calculation.reconcile_amount
    return MonthPoint(
        label=f"{statement.name[:3]} {statement.year % 100:02d}",
        name=statement.name,
        status=statement.status,
        output=round_money(output),
        service=round_money(calculation.service_fee),
        uplift=round_money(calculation.uplift_fees),
        adjustments=round_money(adjustments),
        clawbacks=round_money(clawbacks),
        total_ex_vat=round_money(calculation.total_ex_vat),
        total=round_money(calculation.total),
        highlight=highlight,
        url=url,
    )


def points_from_series(series, *, highlight_id=None, url_for=None) -> list[MonthPoint]:
    return [
        point_from_calculation(
            statement,
            calculation,
            highlight=statement.pk == highlight_id,
            url=url_for(statement) if url_for else "",
        )
        for statement, calculation in series
    ]


def _parts(point: MonthPoint) -> tuple[list[tuple[str, Decimal]], list[tuple[str, Decimal]]]:
    """(upward parts, downward parts) in stacking order; zero parts are left out."""
    up, down = [], []
    for key, _, _ in SERIES:
        value = point.value(key)
        if value > 0:
            up.append((key, value))
        elif value < 0:
            down.append((key, value))
    return up, down


def _nice_step(span: Decimal) -> Decimal:
    """A round gridline step (1, 2 or 5 × 10ⁿ) giving about four lines over `span`."""
    raw = float(span) / 4 or 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return Decimal(str(factor * magnitude))
    return Decimal(str(10 * magnitude))


def _compact_gbp(value: Decimal) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1_000_000:
        return f"{sign}£{value / 1_000_000:.1f}m".replace(".0m", "m")
    if value >= 1_000:
        return f"{sign}£{value / 1_000:.1f}k".replace(".0k", "k")
    return f"{sign}£{value:.0f}"


def month_summary(point: MonthPoint) -> str:
    figures = "; ".join(f"{name} {format_gbp(point.value(key))}" for key, name, _ in SERIES)
    return (
        f"{point.name} ({point.status}): {figures}; total excluding VAT {format_gbp(point.total_ex_vat)}; "
        f"total {format_gbp(point.total)}"
    )


def payments_chart_svg(points: list[MonthPoint], *, title: str, table_id: str = "") -> SafeString:
    """The chart; `table_id` names the table that carries the same figures (the text alternative)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_value = max([sum((v for _, v in _parts(p)[0]), ZERO) for p in points] + [ZERO])
    bottom_value = min([sum((v for _, v in _parts(p)[1]), ZERO) for p in points] + [ZERO])
    if top_value == bottom_value:
        top_value = Decimal("1")
    step = _nice_step(top_value - bottom_value)
    top_value = step * math.ceil(top_value / step)
    bottom_value = step * math.floor(bottom_value / step)
    scale = plot_h / float(top_value - bottom_value)

    def y_of(value: Decimal) -> float:
        return TOP + float(top_value - value) * scale

    first, last = (points[0].name, points[-1].name) if points else ("", "")
    description = (
        f"{len(points)} statements from {first} to {last}. The table of figures below gives each month's "
        "output payments, service fee, uplift fees, adjustments, clawbacks and totals."
        if points
        else "No statements."
    )
    described_by = f' aria-describedby="{escape(table_id)}"' if table_id else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="statement-chart" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'font-family="sans-serif" font-size="12" aria-labelledby="chart-title chart-desc"{described_by}>',
        f'<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(description)}</desc>',
    ]
    # Legend across the top.
    x = LEFT
    for key, name, colour in SERIES:
        parts.append(
            f'<g class="legend-item legend-{key}"><rect x="{x}" y="8" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 17}" y="18">{escape(name)}</text></g>'
        )
        x += 30 + 8 * len(name)
    parts.append(
        f'<g class="legend-item legend-total"><line x1="{x}" y1="14" x2="{x + 14}" y2="14" stroke="#0b0c0c" '
        f'stroke-width="3"/><text x="{x + 19}" y="18">Total excluding VAT</text></g>'
    )
    # Gridlines and the axis in pounds.
    value = bottom_value
    while value <= top_value:
        y = y_of(value)
        stroke = "#505a5f" if value == 0 else "#e5e6e7"
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{stroke}"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_compact_gbp(value)}</text>')
        value += step
    # Bars.
    group_w = plot_w / max(len(points), 1)
    bar_w = max(4.0, min(36.0, group_w * 0.6))
    label_every = max(1, math.ceil(len(points) / 16))
    for index, point in enumerate(points):
        gx = LEFT + index * group_w
        bx = gx + (group_w - bar_w) / 2
        summary = escape(month_summary(point))
        css = "month highlight" if point.highlight else "month"
        parts.append(f'<g class="{css}" data-month="{escape(point.name)}"><title>{summary}</title>')
        if point.highlight:
            parts.append(
                f'<rect x="{gx:.1f}" y="{TOP}" width="{group_w:.1f}" height="{plot_h}" fill="#fff7bf"/>'
            )
        # A transparent column, so hovering anywhere over the month shows its figures.
        parts.append(
            f'<rect x="{gx:.1f}" y="{TOP}" width="{group_w:.1f}" height="{plot_h}" fill="transparent"/>'
        )
        up, down = _parts(point)
        for stack, direction in ((up, -1), (down, 1)):
            edge = y_of(ZERO)
            for key, amount in stack:
                height = max(MIN_VISIBLE_PX, abs(float(amount)) * scale)
                y = edge - height if direction < 0 else edge
                name, colour = next((n, c) for k, n, c in SERIES if k == key)
                parts.append(
                    f'<rect class="bar bar-{key}" x="{bx:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                    f'height="{height:.1f}" fill="{colour}"><title>{escape(point.name)}: {escape(name)} '
                    f"{escape(format_gbp(amount))}</title></rect>"
                )
                edge = y if direction < 0 else edge + height
        net_y = y_of(point.total_ex_vat)
        parts.append(
            f'<line class="net-total" x1="{bx - 3:.1f}" y1="{net_y:.1f}" x2="{bx + bar_w + 3:.1f}" '
            f'y2="{net_y:.1f}" stroke="#0b0c0c" stroke-width="3"/>'
        )
        if index % label_every == 0 or point.highlight:
            weight = ' font-weight="bold"' if point.highlight else ""
            parts.append(
                f'<text x="{gx + group_w / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle"{weight}>'
                f"{escape(point.label)}</text>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))


def payments_table(points: list[MonthPoint], *, table_id: str, caption: str) -> SafeString:
    """The chart's figures as a table (its text alternative)."""
    head = format_html_join("", '<th scope="col" class="num">{}</th>', ((name,) for _, name, _ in SERIES))
    rows = format_html_join(
        "",
        '<tr{}><th scope="row">{}</th><td>{}</td>{}<td class="num">{}</td><td class="num">{}</td></tr>',
        (
            (
                mark_safe(' class="highlight"') if point.highlight else "",
                format_html('<a href="{}">{}</a>', point.url, point.name) if point.url else point.name,
                point.status,
                format_html_join(
                    "", '<td class="num">{}</td>', ((format_gbp(point.value(key)),) for key, _, _ in SERIES)
                ),
                format_gbp(point.total_ex_vat),
                format_gbp(point.total),
            )
            for point in points
        ),
    )
    return format_html(
        '<table id="{}" class="chart-data"><caption>{}</caption><thead><tr><th scope="col">Statement</th>'
        '<th scope="col">Status</th>{}<th scope="col" class="num">Total excluding VAT</th>'
        '<th scope="col" class="num">Total</th></tr></thead><tbody>{}</tbody></table>',
        table_id,
        caption,
        head,
        rows,
    )
