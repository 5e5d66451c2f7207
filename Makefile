# Every target is one line; the virtual environment is built on first use from uv.lock.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: demo test lint fmt bench serve migrate clean

$(UV):
	$(PYTHON) -m venv .tools && .tools/bin/pip install --quiet --disable-pip-version-check "uv>=0.5"

$(BIN)/comity: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --all-extras --python $(PYTHON) --quiet && touch $@

demo: $(BIN)/comity
	$(BIN)/comity demo

test: $(BIN)/comity
	$(BIN)/pytest -q -n auto

lint: $(BIN)/comity
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy && $(BIN)/lint-imports

fmt: $(BIN)/comity
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: $(BIN)/comity
	$(BIN)/pytest bench -q -s -p no:cacheprovider --benchmark-only --benchmark-columns=min,median,mean,ops,rounds -o testpaths=bench -o python_files='bench_*.py'

serve: $(BIN)/comity
	$(BIN)/comity serve

migrate: $(BIN)/comity
	$(BIN)/comity db upgrade

clean:
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache
