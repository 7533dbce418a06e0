"""The web UI in a real browser: Playwright driving the system's Chromium (Debian package;
no browser is downloaded). Skips with a reason when Chromium or Playwright is absent,
fails instead when CI=true. Screenshots of every page go to an artefacts folder (its path
is printed; set NEWSWEAVE_ARTEFACTS to choose it)."""

from __future__ import annotations

import os
import shutil
import urllib.request
from pathlib import Path

import pytest

import newsweave
from web_support import built_store, hostile_ids, running_server

CHROMIUM = os.environ.get("NEWSWEAVE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]


def _require_browser() -> None:
    missing = None
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the playwright package is missing (pip install playwright)"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(missing + " (CI=true: browser tests may not skip)")
        pytest.skip(missing)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    _require_browser()
    from playwright.sync_api import sync_playwright

    db = built_store(tmp_path_factory.mktemp("web"))
    with newsweave.open(db) as engine:
        stories = [s.id for s in engine.stories()]
        pairs = [(e.source, e.derived) for e in engine.provenance_graph().edges
                 if e.kind in ("copy", "rewrite")]
        entity = engine.entities()[0].id
    artefacts = Path(os.environ.get("NEWSWEAVE_ARTEFACTS")
                     or tmp_path_factory.mktemp("web-screenshots"))
    artefacts.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {artefacts}")
    with running_server(db) as base, sync_playwright() as p:
        for story in stories:  # briefs computed before the pages are looked at
            with urllib.request.urlopen(f"{base}/api/v1/stories/{story}/brief",
                                        timeout=300) as r:
                assert r.status == 200
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield {"base": base, "browser": browser, "db": db, "stories": stories,
                   "pairs": pairs, "entity": entity, "artefacts": artefacts}
        finally:
            browser.close()


class Watched:
    """A page whose console errors, page errors and dialogs are collected."""

    def __init__(self, site: dict) -> None:
        self.page = site["browser"].new_page(viewport={"width": 1280, "height": 900})
        self.base = site["base"]
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("dialog", lambda d: (self.errors.append(f"dialog: {d.message}"),
                                          d.dismiss()))

    def open(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and
                                                                  response.status)

    def pwned(self) -> str:
        return str(self.page.evaluate("typeof window.__pwned"))


def _pages(site: dict) -> dict[str, str]:
    a, b = site["pairs"][0]
    hostile = hostile_ids(site["db"])
    with newsweave.open(site["db"]) as engine:
        hostile_story = engine.story_of(hostile[0])
    return {
        "stories": "/", "story": f"/stories/{site['stories'][0]}",
        "article": f"/articles/{a}", "compare": f"/compare?a={a}&b={b}",
        "entity": f"/entities/{site['entity']}", "search": "/search?q=dam",
        "ingest": "/ingest", "hostile-story": f"/stories/{hostile_story}",
        "hostile-article": f"/articles/{hostile[0]}",
        "hostile-article-url": f"/articles/{hostile[2]}",
        "hostile-compare": f"/compare?a={hostile[0]}&b={hostile[1]}",
        "hostile-search": "/search?q=levee",
    }


def test_every_page_loads_without_console_errors(site):
    w = Watched(site)
    for name, path in _pages(site).items():
        w.open(path)
        assert w.page.locator("main").count() == 1 and w.page.locator("nav").count() >= 1
        w.page.screenshot(path=str(site["artefacts"] / f"{name}.png"), full_page=True)
        assert not w.errors, (path, w.errors)
    assert len(list(site["artefacts"].glob("*.png"))) >= 12


def test_hostile_articles_run_no_script(site):
    w = Watched(site)
    for name, path in _pages(site).items():
        if not name.startswith("hostile"):
            continue
        w.open(path)
        # hover and focus every link and text block, to fire any injected handler
        for element in w.page.locator("main a, main p, main li, main h1, main dd").all()[:80]:
            element.hover(timeout=2000, force=True)
        assert w.pwned() == "undefined", path
        assert w.page.locator("script").count() == 0
        assert w.page.locator("main img, main iframe, main object").count() == 0
        assert not w.errors, (path, w.errors)
    # a javascript: or data: URL is shown as text, never as a link
    hrefs = w.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert not [h for h in hrefs if h.startswith(("javascript:", "data:"))]


def test_search_with_facets(site):
    w = Watched(site)
    w.open("/search")
    w.page.fill("#q", "dam OR levee")
    w.page.press("#q", "Enter")
    w.page.wait_for_selector("ol.hits li")
    hits = w.page.locator("ol.hits li").count()
    assert hits > 3 and w.page.locator("ol.hits mark").count() > 0
    facets = w.page.locator("aside.facets ul").first.locator("a")
    first_outlet = facets.first.inner_text()
    facets.first.click()
    w.page.wait_for_selector("ol.hits li")
    narrowed = w.page.locator("ol.hits li").count()
    assert 0 < narrowed < hits and "outlet=" in w.page.url
    assert w.page.locator("ol.hits .meta").first.inner_text().startswith(first_outlet[:10])
    w.page.click("text=Clear filters")
    w.page.check("input[name=origins]")
    w.page.click("form.search button")
    w.page.wait_for_selector("ol.hits li")
    assert w.page.locator("ol.hits li").count() < hits  # copies folded
    w.page.screenshot(path=str(site["artefacts"] / "search-facets.png"), full_page=True)
    assert not w.errors, w.errors


def test_citation_click_lands_on_the_highlighted_passage(site):
    w = Watched(site)
    w.open(f"/stories/{site['stories'][0]}")
    cite = w.page.locator("a.cite[href*='hl=']").first
    cite.click()
    w.page.wait_for_load_state()
    assert "#hl" in w.page.url and "hl=" in w.page.url
    mark = w.page.locator("mark#hl")
    assert mark.count() == 1 and len(mark.inner_text()) > 20
    assert mark.is_visible()
    box, viewport = mark.bounding_box(), w.page.viewport_size
    assert box is not None and viewport is not None
    assert 0 <= box["y"] < viewport["height"], "the passage is scrolled into view"
    colour = mark.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    w.page.screenshot(path=str(site["artefacts"] / "citation.png"))
    assert not w.errors, w.errors


def test_compare_marks_passages_and_lineage_edges_open_it(site):
    w = Watched(site)
    w.open(f"/stories/{site['stories'][0]}")
    edge = w.page.locator("svg.lineage a.edge.copy, svg.lineage a.edge.rewrite").first
    href = edge.get_attribute("href")
    edge.focus()  # the keyboard reaches an edge; nodes drawn over it cannot catch a key
    w.page.keyboard.press("Enter")
    w.page.wait_for_url(f"**{href}")
    assert "/compare?a=" in w.page.url
    marks = w.page.locator(".compare mark")
    assert marks.count() >= 2
    kinds = set(w.page.eval_on_selector_all(".compare mark", "els => els.map(e => e.className)"))
    assert kinds <= {"verbatim", "edited", "paraphrase", "quote"} and kinds
    assert w.page.locator(".compare .column").count() == 2
    assert not w.errors, w.errors


def test_basic_accessibility(site):
    w = Watched(site)
    for path in ("/", "/search?q=dam", f"/stories/{site['stories'][0]}", "/ingest"):
        w.open(path)
        # every form control has a label
        unlabelled = w.page.evaluate("""() => [...document.querySelectorAll(
            'input:not([type=hidden]), select, textarea')].filter(e =>
            !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)""")
        assert not unlabelled, (path, unlabelled)
        assert w.page.locator("header").count() and w.page.locator("footer").count()
        assert w.page.locator("h1").count() == 1
    # the keyboard reaches the skip link first, and it moves focus to the content
    w.open("/")
    w.page.keyboard.press("Tab")
    assert w.page.evaluate("document.activeElement.className") == "skip"
    w.page.keyboard.press("Enter")
    assert w.page.evaluate("document.activeElement.id") == "main"
    # body text contrast: dark ink on white (WCAG AA needs 4.5:1)
    ratio = w.page.evaluate("""() => {
        const rgb = s => s.match(/\\d+/g).slice(0, 3).map(Number).map(v => {
            v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        const lum = c => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
        const st = getComputedStyle(document.body);
        const a = lum(rgb(st.color)), b = lum(rgb(st.backgroundColor));
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }""")
    assert ratio >= 4.5
    assert not w.errors, w.errors


def test_ingest_form_leads_to_a_status_page_that_reloads_itself(site, tmp_path: Path):
    """The form posts, the browser lands on the job's page, and the page's meta refresh
    (no script: the CSP forbids it) reloads it until the new article is in its story."""
    import sqlite3

    from web_support import TOKEN_INGEST

    copy = str(tmp_path / "copy.db")  # this test writes: not to the shared store
    with sqlite3.connect(site["db"]) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    tokens = {TOKEN_INGEST: frozenset({"ingest", "read"})}
    with running_server(copy, tokens) as base:
        w = Watched({**site, "base": base})
        w.open("/ingest")
        w.page.fill("#token", TOKEN_INGEST)
        w.page.fill("#text", "Tram line reopens in Orvik\n\nThe tram line through Orvik "
                             "reopened on Monday after track repairs, the city said.")
        w.page.click("form.ingest button[type=submit]")
        assert "/ingest/" in w.page.url
        w.page.wait_for_selector("text=Ingest: done", timeout=120_000)
        assert "1 new, 0 already known, 0 rejected" in w.page.inner_text("main")
        story = w.page.locator("main a[href^='/stories/']").first
        story.click()
        assert "Tram line reopens in Orvik" in w.page.inner_text("main")
        assert not w.errors, w.errors
