"""Fetch and revise through the real analysis stages: a revised article is analysed again,
stays one article in one story, and the store stays consistent."""

from __future__ import annotations

import newsweave
from fetch_news import STORIES, build_site
from fetch_site import article_html, serve
from newsweave.fetch import Fetcher, load_fetch_options
from newsweave.fetch.collect import fetch_into
from newsweave.fetch.revisions import claim_changes, list_revisions


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
        assert engine.check_store() == []


def test_an_edit_that_breaks_corroboration_shows_in_the_claims(tmp_path):
    """Two outlets report the same toll; one later changes it without a note."""
    first = ["Flood water damaged two supports of the Harlow river bridge on Tuesday, and "
             "the regional transport office closed it to traffic.",
             "The death toll from the floods rose to 12, the emergency service said on "
             "Tuesday evening.",
             "Engineers will inspect the bridge over the next three days."]
    second = ["The regional transport office shut the Harlow river bridge on Tuesday after "
              "flood water damaged two of its supports.",
              "The death toll from the floods rose to 12, the emergency service said.",
              "Drivers are diverted through the northern ring road."]
    fetcher = Fetcher(load_fetch_options(fetch_allow_private=1, fetch_host_delay=0.0))
    with serve() as site, newsweave.open(str(tmp_path / "c.db")) as engine:
        a, b = site.base + "/a/flood", site.base + "/b/flood"
        site.set("/a/flood", article_html("Harlow bridge shut after floods", first, canonical=a))
        site.set("/b/flood", article_html("Floods close Harlow bridge", second, canonical=b))
        ids = fetch_into(engine, [a, b], fetcher).new
        assert engine.story_of(ids[0]) == engine.story_of(ids[1])
        site.set("/a/flood", article_html("Harlow bridge shut after floods",
                                          [first[0], first[1].replace("12", "9"), first[2]],
                                          canonical=a))
        fetch_into(engine, [a], fetcher)
        revision = list_revisions(engine, ids[0])[-1]
        assert revision.stealth
        changed = claim_changes(engine, revision)
        assert changed and changed[0]["before"] == "corroborated"
        assert changed[0]["after"] == "contested"
        assert "9" in (changed[0]["now"] or "")
