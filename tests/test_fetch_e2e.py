"""Fetch and revise through the real analysis stages: a revised article is analysed again,
stays one article in one story, and the store stays consistent."""

from __future__ import annotations

import newsweave
from fetch_news import STORIES, build_site
from fetch_site import article_html, serve
from newsweave.fetch import Fetcher, load_fetch_options
from newsweave.fetch.collect import fetch_into


def test_revision_through_every_stage(tmp_path):
    fetcher = Fetcher(load_fetch_options(fetch_allow_private=1, fetch_host_delay=0.0))
    with serve() as site, newsweave.open(str(tmp_path / "e2e.db")) as engine:
        build_site(site)
        first = fetch_into(engine, [site.base + "/feed.xml"], fetcher)
        assert len(first.new) == 3
        stories = {s.id for s in engine.stories()}
        url = site.base + "/news/bridge"
        title, paras = STORIES["bridge"]
        site.set("/news/bridge", article_html(
            title, [*paras[:2], paras[2].replace("rose to 12", "rose to 9")], canonical=url))
        report = fetch_into(engine, [url], fetcher)
        revised = report.revised[0]["article"]
        assert "rose to 9" in engine.article(revised).text
        for stage in engine.stages:
            assert engine.store.pending(stage.name, stage.version) == []
        assert {s.id for s in engine.stories()} == stories
        assert engine.story_of(revised) in stories
        assert engine.store.count_articles() == 3
        assert engine.check() == []
