"""A small bar chart of weekly balances as inline SVG, drawn on the server (no JavaScript), with its figures also in a
table on the page for anyone who cannot see it. Bars above the line are arrears, below it credit."""

from decimal import Decimal

from incomeapp.money import format_money

WIDTH, HEIGHT, GAP = 520, 120, 2


def balance_bars(points: list[tuple]) -> dict:
    """{"bars": [...], "axis_y": y of the zero line, "width", "height", "summary"} for the template."""
    values = [balance for _, balance in points]
    top = max([Decimal(0), *values])
    bottom = min([Decimal(0), *values])
    span = (top - bottom) or Decimal(1)
    axis_y = top / span * HEIGHT
    bar_width = Decimal(WIDTH) / max(len(points), 1) - GAP
    bars = []
    for index, (week_end, balance) in enumerate(points):
        size = abs(balance) / span * HEIGHT
        bars.append(
            {
                "x": round(index * (bar_width + GAP), 1),
                "y": round(axis_y - size if balance > 0 else axis_y, 1),
                "width": round(bar_width, 1),
                "height": round(max(size, Decimal("0.5")), 1),
                "owed": balance > 0,
                "label": f"week ending {week_end:%-d %B %Y}: {format_money(balance)}",
            }
        )
    first, last = points[0][1], points[-1][1]
    summary = f"Balance over the last {len(points)} weeks, from {format_money(first)} to {format_money(last)}."
    return {"bars": bars, "axis_y": round(axis_y, 1), "width": WIDTH, "height": HEIGHT, "summary": summary}
