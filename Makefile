# modelcfg: `make demo` runs the tool on the bundled examples, `make test` runs the suite (the same
# examples every run); `make fuzz` runs the property tests on new random examples.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export KERAS_BACKEND ?= numpy

.PHONY: install test fuzz demo lint schemas bench clean

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
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
