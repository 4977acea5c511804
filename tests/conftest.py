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

# CI replays the same examples on every run (a landing must not depend on luck); locally each run
# explores new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def saved_models(tmp_path_factory) -> dict:
    """name -> {format: path, "expected": get_config() as JSON data} for every test model."""
    warnings.filterwarnings("ignore")
    folder = tmp_path_factory.mktemp("models")
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
def code_models(tmp_path_factory) -> dict:
    """A model with every kind of code-bearing place, at the top and nested (see tests/scan_models.py)."""
    from tests.scan_models import save_code_models

    warnings.filterwarnings("ignore")
    return save_code_models(tmp_path_factory.mktemp("code_models"))


@pytest.fixture(scope="session")
def compare_files(tmp_path_factory) -> dict:
    """Models with seeded weights for `compare` and `clone --check` (see tests/compare_models.py)."""
    from tests.compare_models import write_compare_models

    warnings.filterwarnings("ignore")
    return write_compare_models(tmp_path_factory.mktemp("compare"))


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
