# modelcfg: `make demo` runs the tool on the bundled examples, `make test` runs the suite (the same
# examples every run); `make fuzz` runs the property tests on new random examples.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export KERAS_BACKEND ?= numpy

.PHONY: install test test-keras-min fuzz demo lint schemas bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[backend,test]"
	# keras_hub for the tests of its backbones, without tensorflow-text (which pulls in TensorFlow)
	$(BIN)/python -m pip install --quiet kagglehub==1.0.2 kagglesdk==0.1.28 tokenizers regex
	$(BIN)/python -m pip install --quiet --no-deps keras-hub==0.32.0
	touch $(STAMP)

test: install
	$(BIN)/python -m pytest -n auto

# The lowest Keras pyproject.toml declares (keras>=X,<4), in a venv of its own, running the tests that
# carry weights through Keras's private saving API (saving_lib._load_state, H5IOStore._h5_entry_path).
KERAS_MIN := $(shell sed -n 's/^ *"keras>=\([0-9.]*\),.*/\1/p' pyproject.toml)
KERAS_MIN_VENV := .venv-keras-min
KERAS_MIN_TESTS := tests/keras_side/test_transfer.py tests/cli/test_keep_weights.py tests/cli/test_weights_option.py \
	tests/test_tfkeras_clone.py

$(KERAS_MIN_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(KERAS_MIN_VENV)
	$(KERAS_MIN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(KERAS_MIN_VENV)/bin/python -m pip install --quiet "keras==$(KERAS_MIN)" -e ".[backend,test]"
	touch $@

test-keras-min: $(KERAS_MIN_VENV)/.installed
	KERAS_BACKEND=jax $(KERAS_MIN_VENV)/bin/python -c "import keras; from packaging.version import Version as V; \
		assert V(keras.version()) == V('$(KERAS_MIN)'), keras.version()"
	KERAS_BACKEND=jax $(KERAS_MIN_VENV)/bin/python -m pytest -n 2 $(KERAS_MIN_TESTS) \
		--deselect tests/keras_side/test_transfer.py::test_a_keras_hub_backbone_with_import

FUZZ_TESTS := $(shell grep -l "^from hypothesis import" tests/test_*.py)
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -n auto $(FUZZ_TESTS)

demo: install
	PATH="$(CURDIR)/$(BIN):$$PATH" bash examples/demo.sh

lint: install
	$(BIN)/ruff check modelcfg_cli tests benchmarks examples scripts
	$(BIN)/ruff format --check modelcfg_cli tests benchmarks examples scripts
	$(BIN)/lint-imports
	$(BIN)/mypy

schemas: install
	$(BIN)/python scripts/schemagen.py
	$(BIN)/python -m modelcfg_cli.rules.schema
	$(BIN)/python scripts/keras_names.py
	$(BIN)/python scripts/hubschemas.py

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(KERAS_MIN_VENV) build dist *.egg-info .pytest_cache
