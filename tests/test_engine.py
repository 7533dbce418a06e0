import json

import pytest

import newsweave
from newsweave.errors import NotFoundError

STORY = """Ferry service resumes after storms

By Ana Lind

The island ferry resumed service on Tuesday after a week of storms cut the crossing.

Operators said timetables would be back to normal by Friday, and extra sailings were added.

Advertisement

Harbour officials said the pier had been inspected overnight and found sound.
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_ingest_text_file_cleans_and_stores(engine, tmp_path):
    report = engine.ingest([write(tmp_path, "ferry.txt", STORY)])
    assert len(report.new) == 1 and not report.known and not report.rejected
    article = engine.article(report.new[0])
    assert article.title == "Ferry service resumes after storms"
    assert "resumed service on Tuesday" in article.text
    assert "pier had been inspected" in article.text
    assert "Advertisement" not in article.text
    assert any(r.text.strip() == "Advertisement" for r in article.removed)
    assert article.language == "en"
    assert article.source.endswith("ferry.txt")
    assert len(article.content_hash) == 64


def test_reingesting_adds_nothing(engine, tmp_path):
    folder = tmp_path / "in"
    for i in range(3):
        write(folder, f"{i}.txt", STORY.replace("Tuesday", f"Tuesday {i}"))
    first = engine.ingest([str(folder)])
    again = engine.ingest([str(folder)])
    assert len(first.new) == 3
    assert again.new == [] and sorted(again.known) == sorted(first.new)
    assert len(engine.articles()) == 3


def test_identical_content_twice_in_one_batch_is_one_article(engine, tmp_path):
    a = write(tmp_path, "a.txt", STORY)
    b = write(tmp_path, "b.txt", STORY.replace("\n", "\r\n"))
    report = engine.ingest([a, b])
    assert len(report.new) == 1 and len(engine.articles()) == 1


def test_json_fields_win_over_what_the_page_says(engine, tmp_path):
    line = {"id": "x-1", "title": "Given title", "outlet": "Given Outlet",
            "published": "2026-03-03", "text": STORY, "section": "world"}
    report = engine.ingest([write(tmp_path, "a.jsonl", json.dumps(line) + "\n")])
    article = engine.article(report.new[0])
    assert (article.external_id, article.title, article.outlet) == ("x-1", "Given title",
                                                                    "Given Outlet")
    assert (article.published, article.published_how) == ("2026-03-03", "input")
    assert article.outlet_how == "input"
    assert article.metadata == {"section": "world"}
    assert article.raw_format == "json"


def test_outlet_flag_overrides(engine, tmp_path):
    report = engine.ingest([write(tmp_path, "a.txt", STORY)], outlet="Island Post")
    article = engine.article(report.new[0])
    assert (article.outlet, article.outlet_how) == ("Island Post", "user")


def test_ingest_text_api(engine):
    report = engine.ingest_text(STORY, source="<api>")
    assert engine.article(report.new[0]).source == "<api>"
    assert engine.ingest_text(STORY).known == report.new


def test_unknown_article_is_not_found(engine):
    with pytest.raises(NotFoundError, match="no article with id 7"):
        engine.article(7)


def test_lines_recurring_across_an_outlet_are_removed_whatever_the_order(tmp_path):
    tagline = "Harbour Gazette: your island, every morning since 1921"
    bodies = [
        f"Story {i} headline\n\nParagraph {i} says something new about the harbour today.\n\n"
        f"{tagline}\n\nAnother sentence {i} about the weather and the ferries."
        for i in range(4)
    ]
    with newsweave.open(str(tmp_path / "one-by-one.db"), recurring_min_articles=3) as engine:
        ids = []
        for i, body in enumerate(bodies):
            ids += engine.ingest([write(tmp_path, f"s{i}.txt", body)], outlet="Harbour").new
        texts = [engine.article(i).text for i in ids]
    assert all(tagline not in t for t in texts), texts
    assert all("says something new" in t for t in texts)
    with newsweave.open(str(tmp_path / "other.db"), recurring_min_articles=3) as engine:
        ids = engine.ingest([str(tmp_path / f"s{i}.txt") for i in range(4)],
                            outlet="Harbour").new
        article = engine.article(ids[0])
        assert tagline not in article.text
        assert any(r.reason == "recurring-line" for r in article.removed)
    # Below the threshold nothing is removed.
    with newsweave.open(str(tmp_path / "two.db"), recurring_min_articles=3) as engine:
        ids = engine.ingest([str(tmp_path / "s0.txt"), str(tmp_path / "s1.txt")],
                            outlet="Harbour").new
        assert tagline in engine.article(ids[0]).text


def test_recleaned_articles_are_analysed_again_without_duplicates(tmp_path):
    tagline = "Harbour Gazette: your island, every morning since 1921"
    with newsweave.open(str(tmp_path / "s.db"), recurring_min_articles=3) as engine:
        for i in range(4):
            body = (f"Ferry strike day {i}\n\nDock workers at Port Velna walked out for day {i} "
                    f"over pay, the union said on Monday.\n\n{tagline}\n\nFerries to the "
                    f"islands were cancelled for day {i}, the operator said.")
            engine.ingest([write(tmp_path, f"s{i}.txt", body)], outlet="Harbour")
        ids = [a.id for a in engine.articles()]
        assert all(tagline not in engine.article(i).text for i in ids)
        for stage in engine.stages:
            assert engine.store.pending(stage.name, stage.version) == [], stage.name
        members = [i for story in engine.stories() for i in story.articles]
        assert sorted(members) == sorted(ids)  # each article in exactly one story
        rows = engine.store.stories.stories_by_id(s.id for s in engine.stories())
        for story in engine.stories():  # the stored totals count each member once
            assert rows[story.id].size == len(story.articles)


class _Recorder:
    name, version, requires = "recorder", 1, ()

    def __init__(self):
        self.calls = []

    def run(self, store, article_ids, settings):
        self.calls.append(("run", list(article_ids)))


class _BatchedRecorder(_Recorder):
    def run_batches(self, store, article_ids, settings, size):
        self.calls.append(("run_batches", list(article_ids), size))


def test_run_stage_batches_or_hands_the_stage_every_batch_at_once():
    from newsweave.pipeline import run_stage

    plain, batched = _Recorder(), _BatchedRecorder()
    run_stage(plain, None, [1, 2, 3, 4, 5], None, 2)
    run_stage(batched, None, [1, 2, 3, 4, 5], None, 2)
    assert plain.calls == [("run", [1, 2]), ("run", [3, 4]), ("run", [5])]
    assert batched.calls == [("run_batches", [1, 2, 3, 4, 5], 2)]


def test_a_headline_with_only_boilerplate_after_it_is_kept_headline_only(engine, tmp_path):
    flash = tmp_path / "flash.txt"
    flash.write_text("Dam deal reached on rebuilding the Varn valley\n"
                     "Copyright 2026 The Example Press. All rights reserved.\n", encoding="utf-8")
    page = tmp_path / "menu.html"
    page.write_text("<html><head><title>Home</title></head><body><nav><a href='/'>Home</a>"
                    "</nav></body></html>", encoding="utf-8")
    report = engine.ingest([flash, page])
    assert [a.text for a in engine.articles()] == [
        "Dam deal reached on rebuilding the Varn valley"]
    assert len(report.rejected) == 1 and "menu.html" in report.rejected[0].source


# -- issue 11 bugs ---------------------------------------------------------------


def test_metadata_of_a_json_record_is_searched_in_its_body():
    import json as _json

    import newsweave

    body = ("Storm hits coast\n\nPublished: 3 March 2026, 09:15\n\nA storm hit the coast of "
            "Ardmere on Monday, officials said. Three people were hurt.")
    with newsweave.open(":memory:") as engine:
        engine.stages = []
        report = engine.ingest_text(_json.dumps({"text": body}), source="a.json")
        article = engine.article(report.new[0])
    assert (article.published, article.published_how) == ("2026-03-03T09:15", "date-line")


def test_an_unreadable_input_date_is_not_stored_as_the_date():
    import json as _json

    import newsweave

    record = {"title": "Storm", "published": "<img src=x onerror=alert(1)>",
              "text": "A storm hit the coast of Ardmere on Monday, officials said."}
    with newsweave.open(":memory:") as engine:
        engine.stages = []
        article = engine.article(engine.ingest_text(_json.dumps(record), source="a.json").new[0])
    assert article.published is None
    assert article.metadata["published_raw"] == "<img src=x onerror=alert(1)>"


def test_a_local_evening_date_keeps_its_day_for_relative_dates(tmp_path):
    import json as _json

    import newsweave

    record = {"title": "Storm", "published": "2026-03-02T23:30:00-05:00",  # Monday night
              "text": "A storm hit the coast of Ardmere yesterday, officials said."}
    with newsweave.open(str(tmp_path / "s.db")) as engine:
        article_id = engine.ingest_text(_json.dumps(record), source="a.json").new[0]
        assert engine.article(article_id).published == "2026-03-02T23:30-05:00"
        found = engine.dates(article_id)
    assert found["reported"] == "2026-03-02"
    yesterday = [e for e in found["expressions"] if e["text"].lower() == "yesterday"]
    assert yesterday and yesterday[0]["date"][:10] == "2026-03-01"


def test_dot_export_is_valid_for_titles_with_quotes_and_backslashes():
    import re

    from newsweave.model import Edge
    from newsweave.reuse.graph import Provenance, to_dot

    labels = {1: 'Wire: Mayor says "no" to plan', 2: "Repost: it's a C:\\path & <b>"}
    edge = Edge(derived=2, source=1, kind="copy", confidence=0.9, shared_fraction=0.8)
    dot = to_dot(Provenance(edges=[edge], origins=[[1, 2]], nodes=labels))
    quoted = r'"((?:[^"\\]|\\.)*)"'  # DOT's only string form: double quotes, \" and \\ inside
    found = {}
    for line in dot.splitlines()[3:-1]:
        node = re.fullmatch(rf"  a(\d+) \[label={quoted}\];", line)
        edge_line = re.fullmatch(rf"  a\d+ -> a\d+ \[label={quoted}, style=\w+\];", line)
        assert node or edge_line, line
        if node:
            found[int(node[1])] = re.sub(r"\\(.)", r"\1", node[2])
    assert found == {i: f"{i} {label}" for i, label in labels.items()}
