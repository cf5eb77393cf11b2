"""Server-rendered inline SVG charts for the year-end review (no external script, no library).

Pure presentation: amounts come in already summed (by SQL in `review.page`) and only set
the geometry; floats are used for coordinates, never for money shown to the user. Every piece of
text is escaped, so the returned markup is safe to embed in a page. Must not import Django.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Colour-blind friendly (Okabe-Ito plus two neutrals), by bill category code (`Bill.Category`).
CATEGORY_COLOURS = {
    "mortgage_interest": "#0072B2",
    "mortgage_insurance": "#56B4E9",
    "real_estate_tax": "#D55E00",
    "insurance": "#009E73",
    "rent": "#CC79A7",
    "repairs": "#E69F00",
    "utilities": "#F0E442",
    "other": "#8C8C8C",
    "internet": "#332288",
    "phone": "#882255",
}
# A presentation attribute, not a style: the page's Content-Security-Policy allows no inline style.
FONT = "system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"


def _money(value: Decimal) -> str:
    return f"${value:,.2f}"


def _nice_ceiling(value: float) -> float:
    """A round axis maximum (1, 2, 2.5 or 5 times a power of ten) at or above `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def monthly_bills_svg(
    *,
    monthly: dict[int, dict[str, Decimal]],
    categories: list[tuple[str, str]],
    title: str,
    width: int = 640,
    height: int = 300,
) -> str:
    """Stacked bars: one per month, one segment per category (amounts paid that month), each
    category in its colour whatever the order of `categories` (codes and labels)."""
    labels = dict(categories)
    used = [key for key, _ in categories if any(key in m for m in monthly.values())]
    left, right, top, bottom = 64, 12, 28, 54 + 18 * ((len(used) + 3) // 4)
    plot_w, plot_h = width - left - right, height - top - 54
    height = top + plot_h + bottom
    month_totals = {m: sum(v.values(), Decimal(0)) for m, v in monthly.items()}
    peak = _nice_ceiling(float(max(month_totals.values(), default=Decimal(0))))
    slot = plot_w / 12
    bar_w = slot * 0.68
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" font-family="{FONT}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="16" font-size="13" font-weight="600" fill="currentColor">'
        f"{escape(title)}</text>",
    ]
    for i in range(5):
        value = peak * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="currentColor" stroke-opacity="{0.5 if i == 0 else 0.15}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="currentColor">${value:,.0f}</text>'
        )
    for month in range(1, 13):
        x = left + slot * (month - 1) + (slot - bar_w) / 2
        y = top + plot_h
        for key in used:
            amount = monthly.get(month, {}).get(key)
            if not amount:
                continue
            h = plot_h * float(amount) / peak
            y -= h
            tip = f"{MONTHS[month - 1]}: {labels[key]} {_money(amount)}"
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{CATEGORY_COLOURS[key]}"><title>{escape(tip)}</title></rect>'
            )
        total = month_totals.get(month) or Decimal(0)
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 15}" font-size="11" '
            f'text-anchor="middle" fill="currentColor">{MONTHS[month - 1]}'
            f"<title>{MONTHS[month - 1]} total {_money(total)}</title></text>"
        )
    if not used:
        parts.append(
            f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2}" font-size="13" '
            f'text-anchor="middle" fill="currentColor">No bills this year</text>'
        )
    legend_y = top + plot_h + 34
    for i, key in enumerate(used):
        lx = left + (i % 4) * (plot_w / 4)
        ly = legend_y + 18 * (i // 4)
        parts.append(
            f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="12" '
            f'fill="{CATEGORY_COLOURS[key]}"/>'
            f'<text x="{lx + 17:.1f}" y="{ly}" font-size="11" fill="currentColor">'
            f"{escape(labels[key])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def deductible_share_svg(
    *,
    deductible: Decimal,
    total: Decimal,
    deductible_label: str,
    title: str,
    total_label: str = "costs",
    width: int = 640,
) -> str:
    """One horizontal bar: the deductible part (line 36) of the home's costs, and the rest."""
    left, right, bar_y, bar_h = 12, 12, 30, 26
    height = 124
    plot_w = width - left - right
    rest = max(Decimal(0), total - deductible)
    scale = max(total, deductible)
    share = float(deductible / scale) if scale else 0.0
    deductible_w = plot_w * share
    percent = f"{share * 100:.0f}%" if scale else "—"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" font-family="{FONT}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="16" font-size="13" font-weight="600" fill="currentColor">'
        f"{escape(title)}</text>",
        f'<rect x="{left}" y="{bar_y}" width="{plot_w}" height="{bar_h}" fill="#BBBBBB">'
        f"<title>Not deductible {_money(rest)}</title></rect>",
    ]
    if deductible_w > 0:
        parts.append(
            f'<rect x="{left}" y="{bar_y}" width="{deductible_w:.1f}" height="{bar_h}" '
            f'fill="#009E73"><title>Deductible ({escape(deductible_label)}) '
            f"{_money(deductible)}</title></rect>"
        )
    legend_y = bar_y + bar_h + 12
    parts.append(
        f'<rect x="{left}" y="{legend_y}" width="12" height="12" fill="#009E73"/>'
        f'<text x="{left + 17}" y="{legend_y + 10}" font-size="12" fill="currentColor">'
        f"Deductible ({escape(deductible_label)}): {_money(deductible)} ({percent})</text>"
        f'<rect x="{left}" y="{legend_y + 20}" width="12" height="12" fill="#BBBBBB"/>'
        f'<text x="{left + 17}" y="{legend_y + 30}" font-size="12" fill="currentColor">'
        f"Not deductible: {_money(rest)} of {_money(total)} {escape(total_label)}</text>"
    )
    if deductible > total:
        parts.append(
            f'<text x="{left}" y="{height - 4}" font-size="11" fill="currentColor">'
            "The deduction includes carryovers from earlier years.</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
