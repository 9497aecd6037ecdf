# Two commands matter:  `make run` (the app on example data)  and  `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
SCALE ?= council
# Municipality boundaries: a path or URL (see README). Defaults to ../shared/geo when present.
BOUNDARIES ?= $(firstword $(wildcard ../shared/geo/kommuner.geojson))

.PHONY: setup setup-dev run demo test test-fast lint bench clean services services-stop

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

static/vendor/.installed: assets/package.json assets/package-lock.json scripts/install_assets.py
	$(PY) scripts/install_assets.py

setup: $(VENV)/.installed static/vendor/.installed  ## install runtime dependencies and the offline map assets

setup-dev: setup $(VENV)/.installed-dev

data/current.txt:
	$(MAKE) demo

demo: setup  ## (re)build the example database
	$(PY) -m etl demo --scale $(SCALE) $(if $(BOUNDARIES),--boundaries "$(BOUNDARIES)")

run: setup data/current.txt  ## run the app on the example data (serve.py: app.py, its frontend compressed)
	$(VENV)/bin/streamlit run serve.py --server.port $(PORT)

# Tests that need PostgreSQL or the S3 server skip without them; after `make services` they run against
# them (their addresses come from scripts/test-services.sh env). nginx and the OIDC provider are started
# by the tests themselves when installed.
test: setup-dev  ## run the whole test suite (unit, app and browser tests)
	eval "$$(scripts/test-services.sh env 2>/dev/null)"; \
	CIVILKORT_TEST_BOUNDARIES="$(BOUNDARIES)" $(PY) -m pytest $(PYTEST_ARGS)

test-fast: setup-dev  ## skip the browser tests
	eval "$$(scripts/test-services.sh env 2>/dev/null)"; \
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

services: setup-dev  ## start PostgreSQL and the S3 server on loopback for the tests (scripts/test-services.sh)
	scripts/test-services.sh start

services-stop:  ## stop them and delete their data
	scripts/test-services.sh stop

lint: setup-dev
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

NATIONAL := bench-output/national
bench: setup-dev  ## print speed figures at national scale (not part of the tests)
	$(PY) benchmarks/build_national.py $(if $(BOUNDARIES),--boundaries "$(BOUNDARIES)")
	CIVILKORT_DATA_DIR=$(NATIONAL) $(PY) -m etl demo --scale national -q $(if $(BOUNDARIES),--boundaries "$(BOUNDARIES)") > /dev/null
	CIVILKORT_DATA_DIR=$(NATIONAL) $(PY) benchmarks/filter_latency.py
	CIVILKORT_DATA_DIR=$(NATIONAL) $(PY) benchmarks/views_latency.py
	CIVILKORT_DATA_DIR=$(NATIONAL) $(PY) benchmarks/radar_latency.py
	CIVILKORT_DATA_DIR=$(NATIONAL) $(PY) benchmarks/search_latency.py
	CIVILKORT_DATA_DIR=$(NATIONAL) $(PY) benchmarks/hsds_api_load.py
	CIVILKORT_DATA_DIR=$(NATIONAL) $(PY) benchmarks/housing_proximity.py
	$(PY) benchmarks/map_payload.py
	$(PY) benchmarks/import_speed.py
	$(PY) benchmarks/duplicates_speed.py
	CIVILKORT_DATA_DIR=$(NATIONAL) $(PY) -m etl council-report --out bench-output/rapporter -q

clean:
	rm -rf data/builds data/current.txt test-output bench-output
