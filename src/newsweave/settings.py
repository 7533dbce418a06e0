"""Every setting in one place: name, default, environment variable and help.

The CLI flags and the documentation are derived from this table, so a setting
exists once. Values come from, in order: an explicit argument, the
environment variable ``NEWSWEAVE_<NAME>``, the default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "NEWSWEAVE_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "newsweave.db", "Path of the SQLite store, or the postgresql:// URL of a "
            "PostgreSQL database."),
    Setting("batch_size", 100, "Records (articles read from the inputs) written to the store per "
            "transaction; also the batch each stage analyses at a time."),
    Setting(
        "max_bytes", 20_000_000, "Inputs larger than this many bytes are rejected, not read."
    ),
    Setting(
        "recurring_min_articles",
        3,
        "A short line seen in at least this many articles of one outlet is boilerplate.",
    ),
    Setting(
        "recurring_max_chars",
        200,
        "Only lines up to this length count as possible recurring boilerplate.",
    ),
    # -- stories --
    Setting(
        "story_threshold",
        0.22,
        "Mean similarity (0-1) an article needs to a story's articles to join it.",
    ),
    Setting(
        "story_name_weight",
        0.5,
        "Weight of capitalised names (people, places, organisations) against other words.",
    ),
    Setting(
        "story_name_penalty",
        0.6,
        "Similarity factor for two reports that both name people or places but share none.",
    ),
    Setting(
        "story_date_penalty",
        0.5,
        "Similarity factor for publication dates far apart (years mentioned by two undated "
        "reports: stories.vectors.YEAR_PENALTY, 0.7).",
    ),
    Setting(
        "story_window_days",
        14,
        "Publication dates more than this many days apart count as disagreeing.",
    ),
    Setting(
        "story_repair_articles",
        120,
        "After each ingest, re-cluster up to this many articles around close calls; 0: off.",
    ),
    Setting(
        "story_attach_threshold",
        0.14,
        "Mean similarity from which a story of 1-4 articles joins a story of 5 or more whose "
        "names agree with it (below story_threshold); 0: off.",
    ),
    Setting(
        "story_semantic_weight",
        0.5,
        "Weight of the sentence vectors' agreement (English MiniLM, stored by the reuse "
        "stage) as a multiplier of two reports' word similarity; 0: off.",
    ),
    Setting(
        "story_semantic_floor",
        0.5,
        "Sentence-vector cosine below which two reports' agreement counts as none.",
    ),
    # -- reuse --
    Setting(
        "reuse_embed",
        1,
        "Embed titles and leads (multilingual) to find rewrites and translations; 0: off.",
    ),
    Setting(
        "reuse_neighbours",
        10,
        "Nearest articles by embedding that each new article is aligned with.",
    ),
    Setting(
        "reuse_min_cosine",
        0.86,
        "Embedding cosine (0-1) from which a neighbour is aligned as a possible rewrite.",
    ),
    Setting(
        "reuse_english",
        1,
        "Also embed English articles' whole text with an English model (MiniLM) and score "
        "English pairs by both models; 0: the multilingual model alone (faster ingest).",
    ),
    Setting(
        "reuse_english_lead",
        0,
        "1: embed every English article with the multilingual model too, and score English "
        "pairs by both models (slower ingest); 0: only once the store holds an article in "
        "another language (then every English article, once, so translations are found "
        "whichever arrives first).",
    ),
    # -- extract --
    Setting(
        "extract_workers",
        2,
        "Processes for named-entity recognition and parsing in the extract stage.",
    ),
    Setting(
        "extract_quote_similarity",
        85.0,
        "Partial-match score (0-100) from which two quotations count as one statement.",
    ),
    # -- crosscheck --
    Setting(
        "brief_embeddings",
        1,
        "1: align a story's claims with sentence embeddings too (aligns translations and "
        "rewordings; ~25 claims/s); 0: text features only (fast); 2: embeddings of the "
        "English model (MiniLM; about 3.5x cheaper per claim, MSRP accuracy 0.776 "
        "against 0.784).",
    ),
)


@dataclass(slots=True)
class Settings:
    """Resolved settings; build with :func:`load_settings` (defaults live in SETTINGS)."""

    db: str
    batch_size: int
    max_bytes: int
    recurring_min_articles: int
    recurring_max_chars: int
    # -- stories --
    story_threshold: float
    story_name_weight: float
    story_name_penalty: float
    story_date_penalty: float
    story_window_days: int
    story_repair_articles: int
    story_attach_threshold: float
    story_semantic_weight: float
    story_semantic_floor: float
    # -- reuse --
    reuse_embed: int
    reuse_neighbours: int
    reuse_min_cosine: float
    reuse_english: int
    reuse_english_lead: int
    # -- extract --
    extract_workers: int
    extract_quote_similarity: float
    # -- crosscheck --
    brief_embeddings: int


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, then ``overrides`` (``None`` values are ignored).

    >>> load_settings(batch_size=10).batch_size
    10
    """
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    for setting in SETTINGS:
        raw = os.environ.get(setting.env)
        if raw is not None and raw != "":
            values[setting.name] = _convert(setting, raw)
    for name, value in overrides.items():
        if value is not None:
            values[name] = value
    unknown = set(values) - {f.name for f in fields(Settings)}
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    return Settings(**values)


def parse_setting(name: str, raw: str) -> Any:
    """The value of setting ``name`` given as text (a flag, ``--setting NAME VALUE``);
    ValueError naming the setting for an unknown name or a value of the wrong type.

    >>> parse_setting("story_threshold", "0.3")
    0.3
    """
    found = next((s for s in SETTINGS if s.name == name.replace("-", "_")), None)
    if found is None:
        raise ValueError(f"unknown setting {name!r}: expected one of "
                         f"{', '.join(s.name for s in SETTINGS)}")
    return _convert(found, raw)


def _convert(setting: Setting, raw: str) -> Any:
    if isinstance(setting.default, float):
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"{setting.env}={raw!r}: expected a number") from None
    if isinstance(setting.default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{setting.env}={raw!r}: expected a whole number") from None
    return raw
