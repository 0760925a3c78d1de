# PrivacyLift — set-up and test entry points (see README.md, "Set-up").
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint venv test-deps system-deps bench bench-setup notebook-deps notebooks notebooks-run

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt

# Serves the app on http://localhost:8501 with the built-in demo data (built on the first start).
run: venv
	$(BIN)/streamlit run app.py

# Debian's chromium (browser tests, static chart export) — never a downloaded browser; Debian's PostgreSQL server
# and a headless JDK for the warehouse tests (a throwaway cluster, a local SparkSession; tests marked postgres/spark).
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s fonts-dejavu-core >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-dejavu-core; \
	fi
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	fi
	@if ! command -v java >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless; \
	fi

test-deps: $(BIN)/python system-deps
	$(BIN)/pip install -q -r requirements-test.txt

# Lint (ruff, configured in pyproject.toml): the same check the pre-commit hook runs.
lint: test-deps
	$(BIN)/ruff check .

# The whole suite (unit, property, notebooks, AppTest, real browser), after the lint.
test: test-deps lint
	$(BIN)/python -m pytest -n 2

bench: venv
	$(BIN)/python bench/run_all.py

# The figures the README quotes: the suite's wall and CPU time and the app's first start, with the machine.
bench-setup: test-deps
	$(BIN)/python bench/bench_setup.py

notebook-deps: $(BIN)/python
	$(BIN)/pip install -q -r requirements-notebooks.txt

# Opens the analyst notebooks in JupyterLab (it prints its address, http://localhost:8888/lab?token=…).
notebooks: notebook-deps
	$(BIN)/jupyter lab notebooks/

# Re-executes every notebook and stores its outputs (figures as plotly JSON and as PNG, which GitHub shows).
notebooks-run: notebook-deps system-deps
	$(BIN)/python notebooks/tools/execute.py
