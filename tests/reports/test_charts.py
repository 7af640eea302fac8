"""Charts: accessible inline SVG with escaped text."""

from xml.etree import ElementTree

from lms.reports import charts

NS = "{http://www.w3.org/2000/svg}"


def test_coverage_svg_is_accessible_and_escaped():
    """The bar chart has role=img, title and desc, one bar per row and a 100% line."""
    rows = [{"name": "Xã <A> & B", "coverage": 0.5}, {"name": "Phường Hà Tu", "coverage": None},
            {"name": "Xã Đầy Đủ", "coverage": 1.0}]
    svg = charts.coverage_svg(charts.coverage_chart(rows, "Độ bao phủ", "3 xã"))
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own SVG
    assert root.get("role") == "img"
    assert root.find(f"{NS}title").text == "Độ bao phủ" and root.find(f"{NS}desc").text == "3 xã"
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Xã <A> & B" in texts and "—" in texts and "100%" in texts
    widths = [float(r.get("width")) for r in root.iter(f"{NS}rect")]
    assert widths[0] * 2 == widths[2] and widths[1] == 0
    assert "style=" not in svg and "<script" not in svg


def test_trend_svg_points():
    """The trend has one point per quarter with its label."""
    points = [{"quarter": "Q1/2025", "coverage": 0.25}, {"quarter": "Q2/2025",
                                                         "coverage": 0.5}]
    svg = charts.trend_svg(charts.trend_chart(points, "Xu hướng", "d"))
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own SVG
    assert len(list(root.iter(f"{NS}circle"))) == 2
    assert root.find(f"{NS}desc").text == "d"
    assert "Q2/2025" in [t.text for t in root.iter(f"{NS}text")]


def test_page_chart_puts_lagging_units_first(world, client, login_as):
    """Whatever the table's order, the province chart lists units by coverage, lowest first,
    units without a target last (by code)."""
    import re

    from tests.reports.conftest import FROM, TO

    login_as("admin")
    html = client.get("/reports/coverage", query_string={
        "unit": "22", "from": FROM.isoformat(), "to": TO.isoformat(), "sort": "name",
        "dir": "desc"}).get_data(as_text=True)
    labels = re.findall(r'text-anchor="end" font-size="11" fill="[^"]+">([^<]+)</text>', html)
    a, b, c = (world["units"][k].name for k in "ABC")
    assert labels[:2] == [a, b]  # 4/6, then 2/2
    assert labels.index(c) > 1 and len(labels) == 54
