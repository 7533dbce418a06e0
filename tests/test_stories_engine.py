"""The stories stage through the engine and the CLI: demo corpus, seeds, stable ids, repair."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import newsweave
from newsweave.cli import cli
from newsweave.demo import corpus_files
from newsweave.engine import Engine
from newsweave.errors import NotFoundError
from newsweave.settings import load_settings
from newsweave.store import open_store
from newsweave.stories import StoriesStage


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo corpus ingested once: (engine, {file stem or external id: article id})."""
    db = tmp_path_factory.mktemp("stories") / "demo.db"
    engine = newsweave.open(str(db))
    engine.ingest([str(p) for p in corpus_files()])
    ids = {}
    for a in engine.articles():
        prefix = Path(a.source.split(":", 1)[0]).name.split("_", 1)[0]
        ids[a.external_id if prefix == "10" else prefix] = a.id
    yield engine, ids
    engine.close()


def _story(engine, article_id):
    return engine.story_of(article_id)


def test_demo_dam_breach_is_one_story(demo):
    engine, ids = demo
    dam = {_story(engine, ids[f"{n:02d}"]) for n in range(1, 10)}
    assert len(dam) == 1 and None not in dam


def test_demo_unrelated_stories_are_separate(demo):
    engine, ids = demo
    dam = _story(engine, ids["01"])
    football = {_story(engine, ids[k]) for k in ("cse-2026-0228-0417", "cse-2026-0301-0052")}
    recall = {_story(engine, ids["11"]), _story(engine, ids["12"])}
    assert len(football) == 1 and len(recall) == 1
    assert len({dam} | football | recall) == 3


def test_story_record_has_the_documented_fields(demo):
    engine, ids = demo
    story = engine.story(_story(engine, ids["11"]))
    data = story.to_dict()
    for name in ("id", "title", "articles", "outlets", "first_published", "last_published",
                 "independent_origins", "entities"):
        assert name in data
    assert sorted(story.articles) == sorted([ids["11"], ids["12"]])
    assert story.outlets == ["PocketByte", "Signalpath"]
    assert story.first_published.startswith("2026-03-02")
    assert story.last_published.startswith("2026-03-03")
    assert "Kestrel" in story.title
    assert any("Kestrel" in e for e in story.entities)
    assert story.independent_origins == 2
    assert engine.story_articles(story.id) == sorted(story.articles)


def test_stories_lists_every_article_once(demo):
    engine, _ = demo
    listed = [a for s in engine.stories() for a in s.articles]
    assert sorted(listed) == sorted(a.id for a in engine.articles())


def test_unknown_story_is_not_found(demo):
    engine, _ = demo
    with pytest.raises(NotFoundError):
        engine.story(10_000)


def test_story_ids_are_stable_as_a_story_grows(tmp_path):
    files = corpus_files()
    dam = [p for p in files if p.name[:2] in {"01", "02", "03"}]
    later = [p for p in files if p.name[:2] in {"06", "09"}]
    with newsweave.open(str(tmp_path / "grow.db")) as engine:
        engine.ingest([str(p) for p in dam])
        first = engine.story_of(engine.articles()[0].id)
        engine.ingest([str(p) for p in later])
        stories = {engine.story_of(a.id) for a in engine.articles()}
        assert stories == {first}


# Two reports that only a third (BRIDGE) connects: a merge for restory to find.
FLOOD = ("Flood hits Morvik\n\nThe Tavra Dam on the Selka River broke near Morvik late on "
         "Monday, flooding Morvik; Governor Dorota Krael declared an emergency in Morvik.")
EVACUATION = ("Kelsa evacuated\n\nRescuers evacuated Kelsa and Dunovo after the breach; "
              "Minister Aleksandr Petrin flew to Kelsa, where Dunovo residents sheltered.")
BRIDGE = ("Tavra Dam breach floods Morvik, Kelsa and Dunovo\n\nThe Tavra Dam on the Selka "
          "River broke; Morvik, Kelsa and Dunovo were flooded and evacuated. Governor Dorota "
          "Krael and Minister Aleksandr Petrin met in Morvik.")


def test_merged_id_resolves_to_survivor(tmp_path):
    """Two reports that only a third connects: the later story merges into the older one."""
    # Only this stage, automatic repair off: the test is about restory and id resolution.
    settings = load_settings(story_repair_articles=0)
    with Engine(open_store(str(tmp_path / "merge.db")), settings, [StoriesStage()]) as engine:
        a = engine.ingest_text(FLOOD).new[0]
        b = engine.ingest_text(EVACUATION).new[0]
        first, second = engine.story_of(a), engine.story_of(b)
        assert first != second
        engine.ingest_text(BRIDGE)
        report = engine.restory()
        assert {"story": second, "into": first} in report["merged"]
        assert engine.story(second).id == first
        assert engine.story_of(b) == first
        assert sorted(engine.story_articles(second)) == sorted(engine.story(first).articles)


def test_restory_leaves_extract_a_note_to_re_resolve_moved_articles(tmp_path, monkeypatch):
    """A merge changes which story an article's names resolve in: the stories stage never
    calls the extract stage; it invalidates exactly the articles of the changed stories,
    which the extract stage re-resolves in its own run."""
    calls: list[list[int]] = []
    monkeypatch.setattr("newsweave.extract.rebuild",
                        lambda store, settings, ids=None: calls.append(list(ids or [])))
    settings = load_settings(story_repair_articles=0)
    with Engine(open_store(str(tmp_path / "names.db")), settings, [StoriesStage()]) as engine:
        a = engine.ingest_text(FLOOD).new[0]
        b = engine.ingest_text(EVACUATION).new[0]
        c = engine.ingest_text(BRIDGE).new[0]
        assert engine.store.invalidated("extract") == []  # no merge yet
        assert engine.restory()["merged"]
        assert set(engine.store.invalidated("extract")) == {a, b, c}
        assert calls == []  # stories did not run extract's code
    with Engine(open_store(str(tmp_path / "names.db")), settings) as engine:
        engine.analyze()  # the extract stage's own run consumes the note
        assert engine.store.invalidated("extract") == []
        engine.restory()  # nothing changes the second time
        assert engine.store.invalidated("extract") == []


def test_a_failed_re_resolution_keeps_its_note_for_the_next_run(tmp_path, monkeypatch):
    import pytest

    from newsweave.extract import consume_invalidations

    settings = load_settings(story_repair_articles=0)
    with Engine(open_store(str(tmp_path / "keep.db")), settings, [StoriesStage()]) as engine:
        ids = [engine.ingest_text(t).new[0] for t in (FLOOD, EVACUATION, BRIDGE)]
        engine.restory()
        assert set(engine.store.invalidated("extract")) == set(ids)

        def broken(*args, **kwargs):
            raise RuntimeError("resolver broke")

        monkeypatch.setattr("newsweave.extract.update", broken)
        with pytest.raises(RuntimeError, match="resolver broke"):
            consume_invalidations(engine.store, settings)
        assert set(engine.store.invalidated("extract")) == set(ids)  # nothing half-done
        monkeypatch.undo()
        assert consume_invalidations(engine.store, settings) == len(ids)
        assert engine.store.invalidated("extract") == []


def test_document_count_is_kept_without_scanning(tmp_path):
    settings = load_settings()
    with Engine(open_store(str(tmp_path / "count.db")), settings, [StoriesStage()]) as engine:
        engine.ingest_text("Quake hits Tonga\n\nA strong earthquake struck Tonga on Monday.")
        engine.ingest_text("Flood in Morvik\n\nThe river burst its banks in Morvik.")
        assert engine.store.stories.document_count() == 2


def test_seeds_form_one_story(seeds_dir, db_path):
    with newsweave.open(db_path) as engine:
        engine.ingest([str(seeds_dir)])
        stories = engine.stories()
        assert len(stories) == 1
        assert len(stories[0].articles) == 5
        assert stories[0].title


def test_cli_stories_and_story(demo):
    engine, _ = demo
    runner = CliRunner()
    listed = runner.invoke(cli, ["--db", engine.store.path, "stories", "--json"])
    assert listed.exit_code == 0, listed.output
    data = json.loads(listed.output)
    assert {len(s["articles"]) for s in data} >= {2}
    text = runner.invoke(cli, ["--db", engine.store.path, "stories"])
    assert "Coastal Cup" in text.output
    one = runner.invoke(cli, ["--db", engine.store.path, "story", str(data[0]["id"]), "--json"])
    assert json.loads(one.output)["id"] == data[0]["id"]
    shown = runner.invoke(cli, ["--db", engine.store.path, "story", str(data[0]["id"])])
    assert data[0]["title"][:30] in shown.output
    missing = runner.invoke(cli, ["--db", engine.store.path, "story", "99999"])
    assert missing.exit_code == 2 and "no story" in missing.output
    repaired = runner.invoke(cli, ["--db", engine.store.path, "restory", "--json"])
    assert repaired.exit_code == 0
    assert set(json.loads(repaired.output)) >= {"merged", "split"}


def test_interrupted_run_resumes(tmp_path):
    """Stage results and progress commit together: a rerun assigns only what is missing."""
    with newsweave.open(str(tmp_path / "r.db")) as engine:
        engine.ingest([str(p) for p in corpus_files()[:3]])
        assert engine.analyze()["stories"] == 0
        assert all(engine.story_of(a.id) is not None for a in engine.articles())


def test_a_users_merge_and_split_are_kept_by_restory(tmp_path):
    """Two reports a user says are one event stay one story through restory, and a report
    a user splits off stays apart, however the words would cluster them."""
    settings = load_settings(story_repair_articles=0)
    with Engine(open_store(str(tmp_path / "user.db")), settings, [StoriesStage()]) as engine:
        a = engine.ingest_text(FLOOD).new[0]
        b = engine.ingest_text(EVACUATION).new[0]
        first, second = engine.story_of(a), engine.story_of(b)
        assert first != second
        merged = engine.merge_stories(first, second)
        assert merged.id == first and sorted(merged.articles) == sorted([a, b])
        assert engine.story(second).id == first  # the old id resolves to the survivor
        engine.restory()
        assert engine.story_of(a) == engine.story_of(b)
        c = engine.ingest_text(BRIDGE).new[0]
        engine.restory()  # the bridge joins the merged story: all three are one event
        assert len({engine.story_of(x) for x in (a, b, c)}) == 1
        new = engine.split_story(engine.story_of(c), [c])
        assert new.articles == [c]
        engine.restory()  # the words say one story; the user said two: the user wins
        assert engine.story_of(c) != engine.story_of(a) == engine.story_of(b)
        actions = [e["action"] for e in engine.store.stories.history()]
        assert "user-merge" in actions and "user-split" in actions
        with pytest.raises(ValueError):
            engine.split_story(engine.story_of(a), [c])  # c is not in that story
        with pytest.raises(ValueError):
            engine.merge_stories(first, second)  # already one story


def test_stories_carry_a_confidence(demo):
    engine, _ = demo
    found = engine.stories()
    assert all(s.confidence is not None and 0.0 <= s.confidence <= 1.0 for s in found)
    big = found[0]
    assert len(big.articles) > 1 and 0.0 < big.cohesion <= 1.0
    assert big.nearest_story is None or big.nearest_story != big.id


def test_cli_merges_and_splits_stories(tmp_path):
    db = str(tmp_path / "cli.db")
    with Engine(open_store(db), load_settings(story_repair_articles=0),
                [StoriesStage()]) as engine:
        a = engine.ingest_text(FLOOD).new[0]
        b = engine.ingest_text(EVACUATION).new[0]
        first, second = engine.story_of(a), engine.story_of(b)
    runner = CliRunner()
    merged = runner.invoke(cli, ["--db", db, "stories", "merge", str(first), str(second),
                                 "--json"])
    assert merged.exit_code == 0, merged.output
    assert sorted(json.loads(merged.output)["articles"]) == sorted([a, b])
    split = runner.invoke(cli, ["--db", db, "stories", "split", str(first), str(b)])
    assert split.exit_code == 0 and "split 1 articles" in split.output
    bad = runner.invoke(cli, ["--db", db, "stories", "split", str(first), "99999"])
    assert bad.exit_code == 2 and "not in story" in bad.output
    listed = runner.invoke(cli, ["--db", db, "stories", "--json"])
    assert {"confidence", "nearest_story"} <= set(json.loads(listed.output)[0])
