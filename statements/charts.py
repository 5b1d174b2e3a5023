"""A hand-written SVG bar chart of monthly statement totals, drawn on the server (no JS, no CDN)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from statements.money import format_gbp, round_money

SERIES = (
    ("output", "Output payments", "#1d70b8"),
    ("service", "Service fee", "#00703c"),
    ("clawbacks", "Clawbacks", "#d4351c"),
)


@dataclass(frozen=True)
class MonthPoint:
    label: str
    output: Decimal
    service: Decimal
    clawbacks: Decimal  # shown as a positive bar
    highlight: bool = False


def points_from_series(series, *, highlight_id=None) -> list[MonthPoint]:
    points = []
    for statement, calculation in series:
        output = calculation.output_fee + (calculation.mentor.output_fee if calculation.mentor else 0)
        clawbacks = calculation.clawbacks_total + (
            calculation.mentor.clawbacks_total if calculation.mentor else 0
        )
        points.append(
            MonthPoint(
                label=f"{statement.name[:3]} {statement.year % 100:02d}",
                output=round_money(output),
                service=round_money(calculation.service_fee),
                clawbacks=round_money(abs(clawbacks)),
                highlight=statement.pk == highlight_id,
            )
        )
    return points


def monthly_totals_svg(points: list[MonthPoint], *, title: str = "Monthly totals") -> SafeString:
    """Grouped bars per month (output, service fee, clawbacks) with a y axis in pounds and a legend."""
    width, height = max(360, 70 + 54 * len(points)), 260
    left, right, top, bottom = 70, 10, 30, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([p.output for p in points] + [p.service for p in points] + [p.clawbacks for p in points] + [1])
    scale = Decimal(plot_h) / Decimal(peak)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="statement-chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#505a5f"/>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#505a5f"/>',
    ]
    for step in range(5):
        value = peak * step / 4
        y = top + plot_h - float(value * scale)
        parts.append(f'<line x1="{left - 4}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(format_gbp(round_money(value)))}</text>'
        )
    group_w = plot_w / max(len(points), 1)
    bar_w = min(14.0, (group_w - 8) / 3)
    for index, point in enumerate(points):
        x0 = left + index * group_w + (group_w - 3 * bar_w) / 2
        if point.highlight:
            parts.append(
                f'<rect x="{left + index * group_w:.1f}" y="{top}" width="{group_w:.1f}" height="{plot_h}" '
                f'fill="#fff7bf"/>'
            )
        for offset, (key, name, colour) in enumerate(SERIES):
            value = getattr(point, key)
            bar_h = float(value * scale)
            x = x0 + offset * bar_w
            parts.append(
                f'<rect class="bar-{key}" x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{bar_w:.1f}" '
                f'height="{bar_h:.1f}" fill="{colour}"><title>{escape(point.label)} {escape(name)}: '
                f"{escape(format_gbp(value))}</title></rect>"
            )
        cx = left + index * group_w + group_w / 2
        parts.append(
            f'<text x="{cx:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{escape(point.label)}</text>'
        )
    for offset, (_, name, colour) in enumerate(SERIES):
        x = left + offset * 130
        parts.append(f'<rect x="{x}" y="{height - 16}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{height - 7}">{escape(name)}</text>')
    parts.append(f'<text x="{left}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
