"""Session fixtures: real Keras models, built once and saved in every format."""

from __future__ import annotations

import json
import os
import warnings

os.environ.setdefault("KERAS_BACKEND", "numpy")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from tests.models import BUILDERS, save_all  # noqa: E402
from tests.session_cache import built_once  # noqa: E402

# `make test` (and CI) replays the same examples on every run: a landing must not depend on luck.
# `make fuzz` (HYPOTHESIS_PROFILE=fuzz) explores new examples on each run, more of them.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("fuzz", derandomize=False, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def saved_models(request, tmp_path_factory) -> dict:
    """name -> {format: path, "expected": get_config() as JSON data} for every test model."""
    return built_once(request, tmp_path_factory, "models", ("models.py", "conftest.py"), build_saved_models)


def fresh_keras() -> None:
    """Reset Keras's automatic names (`dense`, `dense_1`, ...), so a build names its layers the same
    whatever the process that runs it built before."""
    import keras

    warnings.filterwarnings("ignore")
    keras.backend.clear_session()


def build_saved_models(folder) -> dict:
    fresh_keras()
    models = {}
    for name, build in BUILDERS.items():
        model = build()
        paths = save_all(name, model, folder)
        paths["expected"] = json.loads(json.dumps(model.get_config()))
        models[name] = paths
    return models


@pytest.fixture(scope="session")
def legacy_dir(tmp_path_factory):
    """Hand-written Keras 1/2 style configs and .h5 files (see tests/legacy.py)."""
    from tests.legacy import write_legacy_files

    return write_legacy_files(tmp_path_factory.mktemp("legacy"))


@pytest.fixture(scope="session")
def code_models(request, tmp_path_factory) -> dict:
    """A model with every kind of code-bearing place, at the top and nested (see tests/scan_models.py)."""

    def build(folder):
        from tests.scan_models import save_code_models

        fresh_keras()
        return save_code_models(folder)

    return built_once(request, tmp_path_factory, "code_models", ("scan_models.py", "conftest.py"), build)


@pytest.fixture(scope="session")
def scan_probes(request, tmp_path_factory) -> dict:
    """Attack probes and clean files for scan, built as an attacker would (see tests/scan_probes.py)."""

    def build(folder):
        from tests.scan_probes import write_probes

        fresh_keras()
        return write_probes(folder)

    return built_once(request, tmp_path_factory, "scan_probes", ("scan_probes.py", "conftest.py"), build)


@pytest.fixture(scope="session")
def compare_files(request, tmp_path_factory) -> dict:
    """Models with seeded weights for `compare` and `clone --check` (see tests/compare_models.py)."""

    def build(folder):
        from tests.compare_models import write_compare_models

        fresh_keras()
        return write_compare_models(folder)

    return built_once(request, tmp_path_factory, "compare", ("compare_models.py", "conftest.py"), build)


@pytest.fixture(scope="session")
def application_configs(request) -> dict[str, dict]:
    """Every `keras.applications` model's config (see tests/applications.py)."""
    from tests.applications import application_configs as build

    return build(getattr(request.config, "cache", None))  # None under -p no:cacheprovider


@pytest.fixture(scope="session")
def model_pair(tmp_path_factory) -> tuple[str, str]:
    """Two versions of a small model for the diff pictures (see tests/models.py)."""
    from tests.models import save_model_pair

    return save_model_pair(tmp_path_factory.mktemp("pair"))
