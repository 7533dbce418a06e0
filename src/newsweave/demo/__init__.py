"""The bundled demo corpus: fictional outlets reporting fictional events, written for newsweave.

See ``corpus/README.md`` for the scenario and what each file should teach each stage.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any


def corpus_path() -> Path:
    """The folder holding the demo articles (HTML, text, JSONL and a feed)."""
    return Path(str(files("newsweave.demo") / "corpus"))


def corpus_files() -> list[Path]:
    """The demo articles, without the corpus README."""
    return sorted(p for p in corpus_path().iterdir() if p.is_file() and p.name != "README.md")


def run_demo(out_dir: str | Path = "newsweave-demo") -> dict[str, object]:
    """Build a fresh store from the demo corpus in ``out_dir`` and write its outputs there.

    Returns a summary: where each output went and what the stages made of the
    corpus. Only files this function creates in ``out_dir`` are replaced.
    """
    import json

    from newsweave.engine import open_engine

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "newsweave.db"
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    with open_engine(str(db)) as engine:
        report = engine.ingest([str(p) for p in corpus_files()])
        articles = engine.articles()
        briefs = _write_briefs(engine, out)
    export = out / "articles.json"
    export.write_text(
        json.dumps([a.to_dict() for a in articles], ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    return {
        "db": str(db),
        "outputs": {"articles": str(export), **briefs},
        "ingest": report.to_dict(),
        "articles": [
            {"id": a.id, "outlet": a.outlet, "title": a.title, "removed": len(a.removed)}
            for a in articles
        ],
    }


def _write_briefs(engine: Any, out: Path) -> dict[str, str]:
    """The cited brief of every story, as Markdown, HTML and JSON (``brief-<id>.<ext>``)."""
    from newsweave.brief import render

    written: dict[str, str] = {}
    for story in engine.stories():
        brief = engine.brief(story.id)
        for fmt in ("md", "html", "json"):
            path = out / f"brief-{story.id}.{fmt}"
            path.write_text(render(brief, fmt), encoding="utf-8")
            written[f"brief {story.id} ({fmt})"] = str(path)
    return written
