"""The review's inline SVG charts: well-formed, escaped, stacked by month and category."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from review.charts import deductible_share_svg, monthly_bills_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_monthly_bars_stack_each_category_and_escape_text():
    svg = monthly_bills_svg(
        monthly={
            1: {"utilities": Decimal("100.00"), "rent": Decimal("900.00")},
            3: {"utilities": Decimal("50.00")},
        },
        categories=[("rent", "Rent"), ("utilities", "Utilities <&>")],
        title="2024 bills of <Home & Co>",
    )
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag == f"{SVG}svg"
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    tips = sorted(r.find(f"{SVG}title").text for r in bars)
    assert tips == ["Jan: Rent $900.00", "Jan: Utilities <&> $100.00", "Mar: Utilities <&> $50.00"]
    assert "<Home" not in svg and "&lt;Home &amp; Co&gt;" in svg
    assert "<script" not in svg


def test_deductible_share_bar():
    svg = deductible_share_svg(
        deductible=Decimal("250.00"),
        total=Decimal("1000.00"),
        deductible_label="line 36",
        title="Deductible share",
    )
    ET.fromstring(svg)
    assert "Deductible (line 36): $250.00 (25%)" in svg
    assert "Not deductible: $750.00 of $1,000.00" in svg
    more = deductible_share_svg(
        deductible=Decimal("1200"), total=Decimal("1000"), deductible_label="line 36", title="t"
    )
    assert "includes carryovers from earlier years" in more
