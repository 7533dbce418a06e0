"""watch and sources: conditional GET, discovery, back-off, resume, revisions, signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from fetch_news import STORIES, build_site
from fetch_site import Site, article_html, rss, serve
from newsweave.cli import cli
from newsweave.engine import Engine
from newsweave.errors import InputError
from newsweave.fetch import Fetcher, load_fetch_options
from newsweave.fetch.watch import Watcher, read_sources_file
from newsweave.settings import load_settings
from newsweave.store import open_store
from newsweave.store.sources import fetch_tables

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def site() -> Iterator[Site]:
    with serve() as running:
        build_site(running)
        yield running


def open_engine(path: Path) -> Engine:
    settings = load_settings(db=str(path))
    return Engine(open_store(settings.db), settings, stages=[])


def watcher_on(engine: Engine, lines: list[str]) -> Watcher:
    fetcher = Fetcher(load_fetch_options(fetch_allow_private=1, fetch_host_delay=0.0))
    return Watcher(engine, fetcher, every=900, log=lines.append)


def test_conditional_get_and_resume_after_restart(tmp_path, site):
    lines: list[str] = []
    with open_engine(tmp_path / "w.db") as engine:
        watcher = watcher_on(engine, lines)
        watcher.add([site.base + "/feed.xml"])
        first = watcher.poll_round(all_sources=True)
        assert [(p.status, p.new) for p in first] == [("200", 3)]
        assert [(p.status, p.new) for p in watcher.poll_round(all_sources=True)] == [("304", 0)]
    assert len(lines) == 2 and "status=304 new=0" in lines[1]
    with open_engine(tmp_path / "w.db") as engine:  # a restarted watcher resumes
        watcher = watcher_on(engine, lines)
        watcher.add([site.base + "/feed.xml"])
        assert [p.status for p in watcher.poll_round(all_sources=True)] == ["304"]
        state = fetch_tables(engine.store).sources()[0]
        assert state.polls == 3 and state.items == 3 and state.etag and state.health == "ok"


def test_only_new_entries_are_fetched(tmp_path, site):
    with open_engine(tmp_path / "w.db") as engine:
        watcher = watcher_on(engine, [])
        watcher.add([site.base + "/feed.xml"])
        watcher.poll_round(all_sources=True)
        hits = dict(site.hits)
        base = site.base
        site.set("/news/extra", article_html(
            "Ferry service resumes", ["The island ferry resumed service on Friday after "
                                      "repairs to its engine took three weeks, the operator "
                                      "said.", "Two crossings a day will run until March."],
            canonical=f"{base}/news/extra"))
        items = [{"title": "Ferry service resumes", "link": f"{base}/news/extra"}] + [
            {"title": t, "link": f"{base}/news/{slug}"} for slug, (t, _p) in STORIES.items()]
        site.set("/feed.xml", rss("Harlow Gazette", items), "application/rss+xml")
        result = watcher.poll_round(all_sources=True)
        assert result[0].new == 1
        assert site.hits["/news/extra"] == 1
        assert site.hits.get("/news/budget") == hits.get("/news/budget")  # seen: not refetched


def test_an_entry_whose_page_fails_is_tried_again(tmp_path, site):
    base = site.base
    site.set("/flaky.xml", rss("Flaky", [{"title": "Ferry", "link": f"{base}/news/ferry"}]),
             "application/rss+xml")
    with open_engine(tmp_path / "w.db") as engine:
        watcher = watcher_on(engine, lines := [])
        watcher.add([base + "/flaky.xml"])
        first = watcher.poll_round(all_sources=True)[0]
        assert first.new == 0 and "HTTP 404" in first.rejected[0]
        assert "rejected=1" in lines[0]
        site.set("/news/ferry", article_html("Ferry service resumes", [
            "The island ferry resumed service on Friday after repairs to its engine took "
            "three weeks, the operator said."], canonical=f"{base}/news/ferry"))
        # The feed itself is unchanged, but its validators were dropped: a full GET.
        second = watcher.poll_round(all_sources=True)[0]
        assert second.status == "200" and second.new == 1
        assert watcher.poll_round(all_sources=True)[0].status == "304"


def test_a_full_content_entry_edited_in_place_becomes_a_revision(tmp_path, site):
    base = site.base
    _title, paras = STORIES["harbour"]

    def publish(text: list[str]) -> None:
        site.set("/wire.xml", rss("Wire", [{"title": "Harbour strike", "guid": "wire-1",
                                            "link": f"{base}/wire/1",
                                            "content": "".join(f"<p>{p}</p>" for p in text)}]),
                 "application/rss+xml")

    publish(paras)
    with open_engine(tmp_path / "w.db") as engine:
        watcher = watcher_on(engine, [])
        watcher.add([base + "/wire.xml"])
        assert watcher.poll_round(all_sources=True)[0].new == 1
        publish([paras[0], paras[1].replace("9 percent", "7 percent"), paras[2]])
        polled = watcher.poll_round(all_sources=True)[0]
        assert (polled.new, polled.revised) == (0, 1)
        assert engine.store.count_articles() == 1


def test_feed_discovery_from_a_home_page(tmp_path, site):
    with open_engine(tmp_path / "w.db") as engine:
        watcher = watcher_on(engine, [])
        watcher.add([site.base + "/"])
        polls = watcher.poll_round(all_sources=True)
        assert [p.status for p in polls] == ["discovered", "200"]
        kinds = {s.url: s.kind for s in fetch_tables(engine.store).sources()}
        assert kinds == {site.base + "/": "site", site.base + "/feed.xml": "feed"}
        assert engine.store.count_articles() == 3


def test_failing_sources_back_off(tmp_path, site):
    with open_engine(tmp_path / "w.db") as engine:
        watcher = watcher_on(engine, [])
        watcher.add([site.base + "/gone.xml", site.base + "/feed.xml"])
        polls = watcher.poll_round(all_sources=True)
        assert polls[0].status == "HTTP 404" and polls[0].error
        state = fetch_tables(engine.store).sources()[0]
        assert state.failures == 1 and state.health == "failing" and state.next_poll
        again = watcher.poll_round(all_sources=True)
        assert [p.url for p in again] == [site.base + "/feed.xml"]  # the 404 one waits


def test_a_watched_page_that_changes_becomes_a_revision(tmp_path, site):
    url = site.base + "/news/budget"
    with open_engine(tmp_path / "w.db") as engine:
        watcher = watcher_on(engine, [])
        watcher.add([url])
        assert watcher.poll_round(all_sources=True)[0].new == 1
        title, paras = STORIES["budget"]
        site.set("/news/budget", article_html(title, [paras[0].replace("31 to 9", "30 to 10"),
                                                      *paras[1:]], canonical=url))
        polls = watcher.poll_round(all_sources=True)
        assert polls[0].revised == 1 and engine.store.count_articles() == 1


def test_sources_file_formats(tmp_path):
    listed = tmp_path / "feeds.txt"
    listed.write_text("# my feeds\nhttps://a.example/rss\n\nhttps://b.example/atom  # b\n"
                      "http://intranet.local/feed.xml allow-private\n")
    found = read_sources_file(str(listed))
    assert found.urls == ["https://a.example/rss", "https://b.example/atom",
                          "http://intranet.local/feed.xml"]
    assert found.allow_hosts == {"intranet.local"}
    listed.write_text("https://a.example/rss allow-everything\n")
    with pytest.raises(InputError, match="unknown flag"):
        read_sources_file(str(listed))
    opml = tmp_path / "feeds.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><body><outline text="x">'
                    '<outline xmlUrl="https://c.example/feed"/></outline></body></opml>')
    assert read_sources_file(str(opml)).urls == ["https://c.example/feed"]


def test_cli_watch_once_and_sources(tmp_path, site, monkeypatch):
    monkeypatch.setenv("NEWSWEAVE_REUSE_EMBED", "0")
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(site.base + "/gone.xml\n")
    db = str(tmp_path / "c.db")
    runner = CliRunner()
    done = runner.invoke(cli, ["--db", db, "watch", str(feeds), "--once", "--json",
                               "--allow-private", "--delay", "0"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)[0]["status"] == "HTTP 404"
    listed = runner.invoke(cli, ["--db", db, "sources", "--json"])
    assert json.loads(listed.stdout)[0]["health"] == "failing"
    fresh = str(tmp_path / "d.db")
    refused = runner.invoke(cli, ["--db", fresh, "watch", str(feeds), "--once", "--json"])
    assert "loopback" in json.loads(refused.stdout)[0]["error"]  # no --allow-private
    # Marked allow-private in the sources file: that source alone is opened.
    feeds.write_text(site.base + "/feed.xml allow-private\nhttp://10.0.0.1/feed.xml\n")
    opened = runner.invoke(cli, ["--db", str(tmp_path / "e.db"), "watch", str(feeds), "--once",
                                 "--json", "--delay", "0"])
    polls = {p["url"]: p for p in json.loads(opened.stdout)}
    assert polls[site.base + "/feed.xml"]["status"] == "200"
    assert "private" in polls["http://10.0.0.1/feed.xml"]["error"]


def test_sigterm_finishes_the_poll_in_hand_and_stops(tmp_path, site):
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(site.base + "/gone.xml\n")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsweave", "--db", str(tmp_path / "s.db"), "watch",
         str(feeds), "--every", "1s", "--allow-private", "--delay", "0"],
        stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    line = ""
    while " poll " not in line and time.monotonic() < deadline:
        line = proc.stderr.readline()
    assert " poll " in line
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0


def test_cli_fetch_refuses_a_bad_since_and_reports_rejections(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "x.db")
    bad = runner.invoke(cli, ["--db", db, "fetch", "http://127.0.0.1:9/", "--since", "soon"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    refused = runner.invoke(cli, ["--db", db, "fetch", "http://127.0.0.1:9/a", "--json"])
    assert refused.exit_code == 1
    assert "loopback" in json.loads(refused.stdout)["rejected"][0]["reason"]


def test_an_unexpected_error_in_one_source_does_not_stop_the_round(tmp_path, site, monkeypatch):
    with open_engine(tmp_path / "w.db") as engine:
        watcher = watcher_on(engine, [])
        watcher.add([site.base + "/news/budget", site.base + "/feed.xml"])
        real = Watcher._take

        def broken(self, source, response, collector):
            if source.url.endswith("/news/budget"):
                raise RuntimeError("parser bug")
            return real(self, source, response, collector)

        monkeypatch.setattr(Watcher, "_take", broken)
        polls = watcher.poll_round(all_sources=True)
        assert [p.status for p in polls] == ["error", "200"]
        assert "RuntimeError: parser bug" in (polls[0].error or "")
