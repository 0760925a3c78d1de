# PrivacyLift — set-up and test entry points (see README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test venv test-deps system-deps bench

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt

# Starts the app on the built-in demo data (built on first start, a few seconds).
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

# The whole suite (unit, property, notebooks, AppTest, real browser).
test: test-deps
	$(BIN)/python -m pytest -n 2

bench: venv
	$(BIN)/python bench/run_all.py
