# Every target that needs the environment builds it first, so a fresh clone needs only `make run`
# or `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The browser test drives Debian's Chromium (Playwright's own browser download is unreachable).
CHROMIUM := /usr/bin/chromium
# `make test-dates` moves the clock with Debian's libfaketime.
FAKETIME := /usr/bin/faketime
# `make image-check` builds the Dockerfile with buildah (no Docker daemon) on a base made by
# debootstrap, and runs the image in its own namespaces (util-linux unshare, iproute2 ip).
BUILDAH := /usr/bin/buildah
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-dates image-check lint bench bench-peers clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev,deploy]'
	touch $(STAMP)

$(CHROMIUM):
	$(SUDO) apt-get update -q
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium

$(FAKETIME):
	$(SUDO) apt-get update -q
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q faketime

$(BUILDAH):
	$(SUDO) apt-get update -q
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q buildah debootstrap iproute2

run: $(STAMP)
	$(VENV)/bin/v7 store init
	$(VENV)/bin/v7 store seed
	$(VENV)/bin/v7 serve

# `make test` runs the suite on one pytest worker per core (pytest-xdist; a module's tests stay
# on one worker): most tests wait on loopback servers, moto and Chromium, so two workers halve
# the wall time. Tests marked `alone` count outcomes a slow Redis would change (a check that
# misses its deadline fails open), so they run afterwards with no neighbour loading the
# machine. `make test TEST_WORKERS=1` runs everything serially.
TEST_WORKERS ?= auto

test: $(STAMP) $(CHROMIUM)
	$(PY) -m pytest $(if $(filter 1,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile -m "not alone")
	$(if $(filter 1,$(TEST_WORKERS)),,$(PY) -m pytest -m alone)

# The date-sensitive tests at the instants calendars break (tests/dates.py lists them).
test-dates: $(STAMP) $(FAKETIME)
	$(PY) -m tests.dates

# Build the image, run its own CMD, require /healthz 200 and a clean SIGTERM exit (ci/image.sh).
image-check: $(BUILDAH)
	$(SUDO) ci/image.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/hadolint Dockerfile

bench: $(STAMP)
	$(PY) -m bench

# The peers `python -m bench stream --peer chainlit` compares V7 with, in a venv of their own
# (never the project's: chainlit is no dependency of V7). The client speaks socket.io, so the
# peers' python also runs it (bench/peers/chainlit_client.py).
PEERS := .bench-peers
PEERS_STAMP := $(PEERS)/.installed
CHAINLIT_VERSION := 2.12.0

$(PEERS_STAMP): Makefile
	test -x $(PEERS)/bin/python || $(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install -q --upgrade pip
	$(PEERS)/bin/python -m pip install -q 'chainlit==$(CHAINLIT_VERSION)' \
		'python-socketio[asyncio_client]' aiohttp uvloop
	touch $(PEERS_STAMP)

bench-peers: $(PEERS_STAMP)

clean:
	rm -rf $(VENV) $(PEERS) .pytest_cache .mypy_cache .ruff_cache
