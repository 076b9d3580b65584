# Đôn Đốc: the two commands of the README.
#   make up    install into .venv, then run Đôn Đốc on the embedded default
#   make test  install into .venv (with test extras), then run the whole test suite
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: up test install bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Cần Python 3.11 ($(PYTHON)) (Python 3.11 required)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

up: $(STAMP)
	$(BIN)/dondoc up

test: $(STAMP)
	bash scripts/test.sh

bench: $(STAMP)
	$(BIN)/python bench/bench_status.py

clean:
	rm -rf $(VENV) var test-artifacts
