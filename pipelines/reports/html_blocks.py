"""Building blocks of the audit report's HTML: styles, escaped tables and inline SVG charts.

Every cell and label goes through `escape`, which masks e-mail-shaped strings before
HTML-escaping, so a builder cannot forget either; nothing here loads an external asset.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from pipelines.reports.masking import mask_emails

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1000px;margin:2em auto;
padding:0 1em;color:#1d1d1f;line-height:1.45}
h1{border-bottom:3px solid #1f4e79}h2{color:#1f4e79;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#eef3f8}td.n{text-align:right;font-variant-numeric:tabular-nums}
p.note{color:#555;font-size:.93em}.missing{color:#8a5a00;font-style:italic}
.bad{color:#b00020;font-weight:600}.ok{color:#1b7a1b;font-weight:600}code{font-size:.95em}
"""


def escape(value: Any) -> str:
    return html.escape(mask_emails(value))


def table(headers: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{escape(cell)}</td>' if i in numeric else f"<td>{escape(cell)}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def bar_chart(
    items: Sequence[tuple[str, float]], *, threshold: float | None = None, percent: bool = False
) -> str:
    """A horizontal bar chart as inline SVG; an optional dashed line marks a threshold."""
    if not items:
        return '<p class="note">No data.</p>'
    width, label_width, row_height = 640, 230, 22
    top = max([value for _, value in items] + [threshold or 0]) or 1
    scale = (width - label_width - 70) / top
    parts = []
    for index, (label, value) in enumerate(items):
        y = index * row_height
        shown = f"{value:.1%}" if percent else f"{value:,.0f}"
        over = threshold is not None and value > threshold
        # Masked before cutting: a cut-off address would no longer look like one.
        short_label = escape(mask_emails(label)[:34])
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{short_label}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{max(value * scale, 1):.1f}" '
            f'height="{row_height - 8}" fill="{"#b00020" if over else "#1f4e79"}"/>'
            f'<text x="{label_width + value * scale + 5:.1f}" y="{y + 15}">{shown}</text>'
        )
    height = len(items) * row_height + 4
    if threshold is not None:
        x = label_width + threshold * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height}" stroke="#b00020" '
            f'stroke-dasharray="4 3"/>'
        )
    return (
        f'<svg role="img" width="{width}" height="{height}" '
        f'font-size="12" font-family="sans-serif">{"".join(parts)}</svg>'
    )


def counts_table(mapping: Mapping[str, int], label: str) -> str:
    items = sorted(mapping.items(), key=lambda item: (-item[1], item[0]))
    return bar_chart(items) + table([label, "documents"], [list(i) for i in items], {1})
