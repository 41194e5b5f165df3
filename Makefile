# lakedrop.delivery — every entry point a user or CI needs.
#   make demo   converge the whole deployment on the embedded two-account emulator
#   make test   everything CI checks (starts and stops its own emulator)
SHELL := /bin/bash
.DEFAULT_GOAL := help

STATE     := $(CURDIR)/.lakedrop
VENV      := $(CURDIR)/.venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.lakedrop-installed
export PATH := $(VENV)/bin:$(PATH)
export PYTHONPATH := $(CURDIR)/tools$(if $(PYTHONPATH),:$(PYTHONPATH))
# Ansible, molecule and pip write under the checkout's ignored state dir, never ~/.
export ANSIBLE_HOME        := $(STATE)/ansible
export ANSIBLE_LOCAL_TEMP  := $(STATE)/tmp/ansible-local
export ANSIBLE_REMOTE_TEMP := $(STATE)/tmp/ansible-remote
export XDG_CACHE_HOME      := $(STATE)/cache
export PIP_CACHE_DIR       := $(STATE)/cache/pip
# Collections come from the venv only (it links lakedrop/delivery to this checkout).
export LAKEDROP_SITE_PACKAGES = $(shell [ -x $(PY) ] && $(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
export ANSIBLE_COLLECTIONS_PATH = $(LAKEDROP_SITE_PACKAGES)

.PHONY: help venv emulator emulator-stop emulator-status demo test lint sanity unit integration molecule bench build clean

help:
	@echo "make demo           converge site.yml on the embedded emulator (starts it)"
	@echo "make test           ruff, ansible-lint, changelog lint, bandit, ansible-test sanity, build check, pytest (unit, emulator, integration, molecule)"
	@echo "make emulator       start the emulator in the background (.lakedrop/emulator.json); emulator-stop stops it"
	@echo "make bench          burst benchmark of the upload trigger, then fast path vs DataSync latency (benchmarks/)"
	@echo "make build          build the collection tarball into .lakedrop/build/"

venv: $(STAMP)

# The venv holds a link ansible_collections/lakedrop/delivery -> this checkout, so ansible and pytest
# import the collection in place.
$(STAMP): requirements.txt tools/find-python
	@python=$$(tools/find-python) || exit 1; \
	  if [ ! -x "$(PY)" ] || ! "$(PY)" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
	    echo "creating $(VENV) with $$python"; rm -rf "$(VENV)"; "$$python" -m venv "$(VENV)" || exit 1; fi
	@# (this machine's pip config names extra local indexes that may not exist: hide that noise)
	@set -o pipefail; $(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt 2>&1 \
	  | { grep -v "^WARNING: Location 'file://" || true; }
	@site=$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'); \
	  mkdir -p "$$site/ansible_collections/lakedrop" && ln -sfn "$(CURDIR)" "$$site/ansible_collections/lakedrop/delivery"
	@touch $@

emulator: $(STAMP)
	@$(PY) -m lakedrop_emulator start

emulator-stop:
	@if [ -x "$(PY)" ]; then $(PY) -m lakedrop_emulator stop; else echo "lakedrop emulator is not running"; fi

emulator-status: $(STAMP)
	@$(PY) -m lakedrop_emulator status

demo: emulator
	@tools/demo

test: $(STAMP)
	@tools/run-tests

lint: $(STAMP)
	@tools/run-tests lint

sanity: $(STAMP)
	@tools/run-tests sanity

unit: $(STAMP)
	@tools/run-tests unit

integration: $(STAMP)
	@tools/run-tests pytest

bench: $(STAMP)
	@tools/run-bench

build: $(STAMP)
	@mkdir -p $(STATE)/build && ansible-galaxy collection build --force --output-path $(STATE)/build .

clean: emulator-stop
	rm -rf $(STATE) tests/output
