"""The partnership network in a real headless Chromium: labels that never overlap at laptop, projector and
phone size; a click on a node highlights it and its partners, shows its details and goes into the link, which
a reload and a new visitor open with the node chosen."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from civilkort import queries
from civilkort.filters import Selection
from civilkort.network_chart import DIM, node_item, short_label
from tests.browser import a11y
from tests.browser.appserver import (
    AppServer,
    assert_clean,
    copy_data,
    page_opener,
    poll,
    serving,
    wait_idle,
    wait_settled,
)
from tests.browser.conftest import OfflinePage

pytestmark = pytest.mark.browser

SIZES = {"laptop": (1280, 800), "projektor": (1920, 1080), "telefon": (390, 844)}
AREA = "council:midt"

LABELS = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  if (!gd || !gd._fullLayout) { return null; }
  const group = [...gd.querySelectorAll('g.trace.scatter')]
    .find((g) => g.__data__ && g.__data__[0].trace.meta === 'ck-labels');
  if (!group) { return null; }
  const plot = gd.querySelector('.nsewdrag').getBoundingClientRect();
  const points = [...group.querySelectorAll('g.textpoint')];
  const shown = points.filter((p) => p.style.visibility !== 'hidden');
  return {
    all: points.length,
    placed: points.filter((p) => p.hasAttribute('data-ck-side')).length + points.length - shown.length,
    plot: {x: plot.left, y: plot.top, w: plot.width, h: plot.height},
    shown: shown.map((p) => {
      const r = p.querySelector('text').getBoundingClientRect();
      return {text: p.textContent, x: r.left, y: r.top, w: r.width, h: r.height};
    }),
  };
}"""

NODES = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const out = {};
  gd._fullData.forEach((t) => {
    if (t.mode !== 'markers' || !t.customdata) { return; }
    const opacity = t.marker.opacity, width = t.marker.line.width;
    Array.from(t.customdata).forEach((item, i) => {
      const o = Array.isArray(opacity) || ArrayBuffer.isView(opacity) ? opacity[i] : opacity;
      out[item] = {opacity: o, outlined: (out[item] || {}).outlined || width === 3};
    });
  });
  return out;
}"""

WHERE = """(item) => {
  const gd = document.querySelector('.js-plotly-plot');
  const L = gd._fullLayout, box = gd.getBoundingClientRect();
  for (const t of gd._fullData) {
    const i = t.mode === 'markers' && t.customdata ? Array.from(t.customdata).indexOf(item) : -1;
    if (i >= 0) { return {x: box.left + L._size.l + L.xaxis.l2p(t.x[i]), y: box.top + L._size.t + L.yaxis.l2p(t.y[i])}; }
  }
  return null;
}"""


@pytest.fixture(scope="module")
def server(small_db_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    data = copy_data(small_db_dir, tmp_path_factory, "network")
    with serving(data, tmp_path_factory.mktemp("streamlit-network")) as running:
        yield running


@pytest.fixture
def open_at(
    offline_pages: Callable[..., OfflinePage], server: AppServer, request: pytest.FixtureRequest
) -> Iterator[Callable[[str, str], OfflinePage]]:
    openers: dict[str, Any] = {}

    def open_(size: str, path: str) -> OfflinePage:
        if size not in openers:
            w, h = SIZES[size]
            openers[size] = page_opener(offline_pages, server, request, {"width": w, "height": h})
        return next(openers[size])(path)

    yield open_
    for opener in openers.values():
        next(opener, None)


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


def _placed_labels(page: Any) -> dict:
    """The labels once the page's script has placed every one of them (after the chart's last draw)."""

    def ready() -> dict | None:
        found = page.evaluate(LABELS)
        return found if found and found["all"] and found["placed"] == found["all"] else None

    return poll(page, ready, "netværkets navne placeret", timeout=30)


@pytest.mark.parametrize("size", list(SIZES))
def test_labels_never_overlap_and_stay_in_the_chart(open_at, server: AppServer, size: str) -> None:
    """All of Denmark (130 nodes in the example): up to 40 names asked for, as many shown as fit."""
    opage = open_at(size, "netvaerk")
    page = opage.page
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    labels = _placed_labels(page)
    shown, plot = labels["shown"], labels["plot"]
    assert len(shown) >= (4 if size == "telefon" else 10), labels
    for i, a in enumerate(shown):
        assert a["w"] > 0 and a["text"].strip()
        assert plot["x"] - 1 <= a["x"] and a["x"] + a["w"] <= plot["x"] + plot["w"] + 1, (a, plot)
        assert plot["y"] - 1 <= a["y"] and a["y"] + a["h"] <= plot["y"] + plot["h"] + 1, (a, plot)
        for b in shown[i + 1 :]:
            assert not _overlap(a, b), (a, b)
    opage.screenshot(f"network-labels-{size}")
    assert_clean(opage, server.base)


def test_a_click_highlights_the_partners_shows_the_details_and_the_link_reopens_it(
    open_at, server: AppServer, small_db
) -> None:
    nodes, edges = queries.network(small_db, Selection(area=AREA))
    hub = nodes.sort_values("n_partners", ascending=False).iloc[0]
    item = node_item(hub.kind, hub.node_id)
    mine = edges[(edges["source"] == hub.node_id) | (edges["target"] == hub.node_id)]
    partners = set(mine["source"]) | set(mine["target"])
    lit = {node_item(k, i) for k, i in zip(nodes["kind"], nodes["node_id"]) if i in partners}
    names = dict(zip(nodes["node_id"], nodes["name"]))

    opage = open_at("laptop", f"netvaerk?omraade={AREA.replace(':', '%3A')}")
    page = opage.page
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    _placed_labels(page)
    # the node's place is read when nothing moves any more (a late run or relayout would move it from under
    # the click)
    wait_settled(page)
    before = page.evaluate(NODES)
    assert all(n["opacity"] == 1 and not n["outlined"] for n in before.values())

    where = page.evaluate(WHERE, item)
    page.mouse.click(where["x"], where["y"])
    poll(page, lambda: f"valgt={item.replace(':', '%3A')}" in page.url, f"valgt={item} i adressen")
    wait_idle(page)

    def highlighted() -> dict | None:
        now = page.evaluate(NODES)
        return now if any(n["outlined"] for n in now.values()) else None

    after = poll(page, highlighted, "den valgte fremhævet")
    assert {i for i, n in after.items() if n["outlined"]} == {item}
    assert {i for i, n in after.items() if n["opacity"] == 1} == lit
    assert all(n["opacity"] == DIM for i, n in after.items() if i not in lit)
    labelled = {label["text"] for label in _placed_labels(page)["shown"]}
    assert "".join(short_label(hub["name"])) in labelled  # the chosen one first, then its partners only
    assert labelled <= {"".join(short_label(names[i])) for i in partners}

    _details_show(page, hub["name"], [names[i] for i in partners if i != hub.node_id])
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    opage.screenshot("network-click-laptop")
    page.get_by_role("heading", name=hub["name"]).scroll_into_view_if_needed()
    opage.screenshot("network-details-laptop")

    found = a11y.blocking(a11y.violations(page))  # the details too (the axe test opens the page unchosen)
    assert found == [], json.dumps(found, indent=1, ensure_ascii=False)

    link = page.url
    page.reload()  # a reload keeps the choice
    wait_idle(page)
    _details_show(page, hub["name"], [])
    assert poll(page, highlighted, "valgt efter genindlæsning")

    for size in ("projektor", "telefon"):  # a shared link opens with the node chosen, in a new session
        other = open_at(size, link.split("/", 3)[3])
        _details_show(other.page, hub["name"], [])
        poll(other.page, lambda p=other.page: any(n["outlined"] for n in p.evaluate(NODES).values()), "valgt")
        other.page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        _placed_labels(other.page)
        other.screenshot(f"network-link-{size}")
        assert_clean(other, server.base)
    assert_clean(opage, server.base)


def _details_show(page: Any, name: str, partner_names: list[str]) -> None:
    heading = page.get_by_role("heading", name=name)
    heading.wait_for(timeout=30_000)
    page.get_by_role("link", name="Se på kortet").wait_for()
    assert page.get_by_role("combobox", name="Vælg en enhed eller organisation").count() == 1
    # the partners' table is drawn in the same run as the heading but may reach the page a moment after it
    partners = page.get_by_role("table").first
    for partner in partner_names:
        poll(
            page,
            lambda partner=partner: (
                partners.get_by_role("rowheader", name=partner).count() >= 1
                or partners.get_by_text(partner).count() >= 1
            ),
            f"{partner} i partnerlisten",
        )


def test_a_tap_on_a_phone_chooses_a_node(chromium: Any, server: AppServer, small_db) -> None:
    """Plotly sends no selection for a tap on a touch screen (plotly/plotly.js#6721); the page passes it on."""
    nodes, _ = queries.network(small_db, Selection(area=AREA))
    hub = nodes.sort_values("n_partners", ascending=False).iloc[0]
    item = node_item(hub.kind, hub.node_id)
    w, h = SIZES["telefon"]
    context = chromium.new_context(
        viewport={"width": w, "height": h}, has_touch=True, is_mobile=True, locale="da-DK"
    )
    try:
        page = context.new_page()
        page.goto(f"{server.base}/netvaerk?omraade={AREA.replace(':', '%3A')}")
        wait_idle(page)
        page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        _placed_labels(page)
        where = page.evaluate(WHERE, item)
        page.touchscreen.tap(where["x"], where["y"])
        poll(page, lambda: f"valgt={item.replace(':', '%3A')}" in page.url, f"valgt={item} efter et tryk")
        _details_show(page, hub["name"], [])
    finally:
        context.close()
