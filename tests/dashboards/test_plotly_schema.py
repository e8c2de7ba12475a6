"""Every figure a dashboard page emits is a valid plotly figure, by plotly's own schema, written
exactly as plotly.io's orjson engine writes it, and the vendored plotly.js is the build the plotly
package describes."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.offline import get_plotlyjs_version

from wcc.extensions import db

CHART = re.compile(r'<script type="application/json" data-chart="([^"]+)"[^>]*>(.*?)</script>', re.S)
RANGES = ["period_from=1403&period_to=1404", "period_from=1404-Q2&period_to=1404-Q2", ""]


def figures(body: str) -> dict[str, tuple[dict, str]]:
    """Each chart of a page by name: its figure, and its JSON as the page has it."""
    return {name: (json.loads(html.unescape(text)), text) for name, text in CHART.findall(body)}


@pytest.mark.parametrize("lang", ["fa", "en", "ru"])
def test_every_chart_of_every_dashboard_passes_plotlys_schema(client, login_as, figures_data, lang):
    goal = figures_data.goals["EXPORT-RU"]
    goal.public_dashboard = True
    db.session.commit()
    login_as(figures_data.users["ministry"])
    pages = ["/dashboards", "/dashboards?goal=SATISFACTION", "/dashboards/provinces/IR-10",
             "/dashboards/members/IR-10-KASHAN", "/dashboards/members/IR-10", "/public/goals/EXPORT-RU",
             *[f"/dashboards/goals/{code}" for code in figures_data.goals]]
    seen = set()
    for page in pages:
        for span in RANGES:
            url = f"{page}{'&' if '?' in page else '?'}{span}&lang={lang}"
            response = client.get(url)
            assert response.status_code == 200, url
            found = figures(response.get_data(as_text=True))
            assert found, url
            for name, (fig, text) in found.items():
                go.Figure(fig)  # raises ValueError on any property plotly does not know or a wrong value
                # The page's JSON is plotly.io's, escaped the same way for a <script> element.
                assert text == pio.to_json(json.loads(text), validate=False, engine="orjson"), (url, name)
                seen.add(name)
    assert {"chart-heatmap", "chart-ranking", "chart-trend", "chart-compliance", "chart-map", "chart-provinces",
            "chart-members", "chart-spread", "chart-comparison"} <= seen


def test_the_vendored_plotly_js_is_the_packages_version():
    bundle = Path(__file__).resolve().parents[2] / "static/vendor/plotly/plotly-wcc.min.js"
    with bundle.open(encoding="utf-8") as fh:
        head = fh.read(200)
    assert f"plotly.js v{get_plotlyjs_version()} " in head, (plotly.__version__, head[:60])


def test_a_figure_with_markup_in_its_text_cannot_close_the_script_element():
    from wcc.dashboards.charts import figure_json

    fig = {"data": [{"type": "bar", "x": [1], "y": ["</script><script>alert(1)</script>"],
                     "hovertext": ["<!-- a\u2028b\u2029c -->"]}], "layout": {}}
    text = str(figure_json(fig))
    assert "<" not in text and ">" not in text and "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == fig
    assert text == pio.to_json(fig, validate=False, engine="orjson")
