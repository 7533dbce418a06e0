"""Fetching into an engine: pages, AMP and tracking aliases, feeds, sitemaps, OPML,
revisions with stealth edits, and hostile XML, all against a local site."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

import pytest
from click.testing import CliRunner

from fetch_news import STORIES, build_site
from fetch_site import BILLION_LAUGHS, EXTERNAL_ENTITY, Site, article_html, serve
from newsweave.cli import cli
from newsweave.engine import Engine
from newsweave.fetch import Fetcher, load_fetch_options
from newsweave.fetch.collect import fetch_into
from newsweave.fetch.revisions import list_revisions, still_saying
from newsweave.settings import Settings, load_settings
from newsweave.store import Store, open_store
from newsweave.store.sources import fetch_tables


class RecordingStage:
    """A real (tiny) stage that records which articles it was run on."""

    name = "recording"
    version = 1
    requires: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.seen: list[int] = []

    def run(self, store: Store, article_ids: Sequence[int], settings: Settings) -> None:
        self.seen.extend(article_ids)
        store.mark_done(self.name, article_ids, self.version)


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as running:
        build_site(running)
        yield running


@pytest.fixture
def stage() -> RecordingStage:
    return RecordingStage()


@pytest.fixture
def engine(tmp_path, stage) -> Iterator[Engine]:
    settings = load_settings(db=str(tmp_path / "f.db"))
    opened = Engine(open_store(settings.db), settings, stages=[stage])
    yield opened
    opened.close()


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    made = Fetcher(load_fetch_options(fetch_allow_private=1, fetch_host_delay=0.0))
    yield made
    made.close()


def test_one_article_however_many_urls(engine: Engine, fetcher: Fetcher, site: Site):
    first = fetch_into(engine, [site.base + "/news/bridge"], fetcher)
    assert len(first.new) == 1 and not first.rejected
    again = fetch_into(engine, [site.base + "/amp/news/bridge",
                                site.base + "/news/bridge?utm_source=x&utm_medium=y"], fetcher)
    assert again.new == [] and set(again.known) == set(first.new)
    article = engine.article(first.new[0])
    assert article.url == site.base + "/news/bridge"
    assert article.metadata["fetched_at"] and article.metadata["canonical_url"] == article.url
    urls = fetch_tables(engine.store).urls_of(first.new[0])
    assert site.base + "/amp/news/bridge" in urls
    hits = site.hits.get("/news/bridge", 0)
    third = fetch_into(engine, [site.base + "/amp/news/bridge"], fetcher)
    assert third.known == first.new and third.revised == []
    assert site.hits.get("/news/bridge", 0) == hits  # the canonical page is not fetched again


def test_feed_full_entries_are_taken_and_summary_only_ones_fetched(engine, fetcher, site):
    report = fetch_into(engine, [site.base + "/feed.xml"], fetcher)
    assert len(report.new) == 3 and not report.rejected, report.to_dict()
    titles = {engine.article(i).title for i in report.new}
    assert titles == {t for t, _ in STORIES.values()}
    assert site.hits.get("/news/harbour") is None  # full content: no page fetch
    assert site.hits["/news/bridge?utm_source=rss"] == 1


def test_sitemap_index_with_lastmod_filter(engine, fetcher, site):
    report = fetch_into(engine, [site.base + "/sitemap.xml"], fetcher, since="2026-12-01")
    assert len(report.new) == 2 and report.skipped == 1
    assert "/news/harbour" not in site.hits


def test_a_gzipped_sitemap_file(engine, fetcher, site):
    import gzip

    site.set("/sitemap.xml.gz", gzip.compress(site.pages["/news-sitemap.xml"].body),
             "application/x-gzip")
    site.set("/bomb.xml.gz", gzip.compress(b"<urlset>" + b" " * 30_000_000), "application/x-gzip")
    report = fetch_into(engine, [site.base + "/sitemap.xml.gz"], fetcher)
    assert len(report.new) == 3 and not report.rejected
    small = Fetcher(load_fetch_options(fetch_allow_private=1, fetch_host_delay=0.0,
                                       fetch_max_bytes=1_000_000))
    bomb = fetch_into(engine, [site.base + "/bomb.xml.gz"], small)
    assert "over the size limit" in bomb.rejected[0].reason


def test_opml_lists_feeds(engine, fetcher, site):
    report = fetch_into(engine, [site.base + "/feeds.opml"], fetcher)
    assert len(report.new) == 3


def test_a_changed_page_becomes_a_revision_and_the_stages_rerun(engine, fetcher, site, stage):
    url = site.base + "/news/bridge"
    first = fetch_into(engine, [url], fetcher).new[0]
    assert stage.seen == [first]
    title, paras = STORIES["bridge"]
    changed = [*paras[:2], paras[2].replace("rose to 12", "rose to 9")]
    site.set("/news/bridge", article_html(title, changed, canonical=url))
    report = fetch_into(engine, [url], fetcher)
    assert report.new == [] and report.revised[0]["article"] == first
    assert report.revised[0]["stealth"] is True
    assert stage.seen == [first, first]  # stages ran again on the new version
    assert "rose to 9" in engine.article(first).text
    revs = fetch_tables(engine.store).revisions([first])
    assert [r.rev for r in revs] == [1, 2]
    assert {"op": "replace", "old": "12", "new": "9"}.items() <= revs[1].diff[0].items()
    # A correction noted in the text is not a stealth edit.
    noted = [*changed, "Correction: an earlier version of this article gave the wrong toll."]
    site.set("/news/bridge", article_html(title, noted, canonical=url))
    third = fetch_into(engine, [url], fetcher)
    assert third.revised[0]["rev"] == 3 and third.revised[0]["stealth"] is False
    assert engine.store.count_articles() == 1


def test_revisions_show_the_articles_still_carrying_the_old_wording(engine, fetcher, site,
                                                                    tmp_path):
    url = site.base + "/news/bridge"
    first = fetch_into(engine, [url], fetcher).new[0]
    title, paras = STORIES["bridge"]
    copy = engine.ingest_text("Flood update\n\n" + paras[2] + " Roads stay closed.").new[0]
    site.set("/news/bridge", article_html(
        title, [*paras[:2], paras[2].replace("rose to 12", "rose to 9")], canonical=url))
    fetch_into(engine, [url], fetcher)
    revision = list_revisions(engine, first)[-1]
    assert revision.stealth
    assert still_saying(engine, revision) == [
        {"old": "rose to 12", "new": "rose to 9", "articles": [copy]}]
    engine.close()
    shown = CliRunner().invoke(cli, ["--db", str(tmp_path / "f.db"), "revisions", str(first),
                                     "--json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert [r["rev"] for r in data] == [1, 2] and data[1]["still_elsewhere"][0]["articles"]
    assert "rose to 9" in data[1]["text"]
    missing = CliRunner().invoke(cli, ["--db", str(tmp_path / "f.db"), "revisions", "999"])
    assert missing.exit_code == 2


def test_markup_only_changes_are_not_revisions(engine, fetcher, site):
    url = site.base + "/news/budget"
    fetch_into(engine, [url], fetcher)
    title, paras = STORIES["budget"]
    site.set("/news/budget", article_html(title, paras, canonical=url,
                                          extra_head="<meta name='x' content='42'>"))
    report = fetch_into(engine, [url], fetcher)
    assert report.revised == [] and len(report.known) == 1


@pytest.mark.parametrize("bomb", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_xml_bombs_fail_cleanly(engine, fetcher, site, bomb):
    site.set("/bomb.xml", bomb, "application/rss+xml")
    site.set("/bomb-sitemap.xml", bomb.replace("<rss", "<urlset").replace("</rss>", "</urlset>"),
             "application/xml")
    report = fetch_into(engine, [site.base + "/bomb.xml", site.base + "/bomb-sitemap.xml"],
                        fetcher)
    assert report.new == [] and len(report.rejected) == 2
    assert all("entities" in r.reason for r in report.rejected)


def test_refused_and_failing_urls_are_rejections_not_crashes(engine, site):
    strict = Fetcher(load_fetch_options(fetch_host_delay=0.0))
    report = fetch_into(engine, [site.base + "/news/bridge", "ftp://x/", site.base + "/nope"],
                        strict)
    assert len(report.rejected) == 3 and report.new == []
    assert "loopback" in report.rejected[0].reason
