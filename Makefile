# One obvious command each: make serve, make test, make lint, make bench.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install serve test test-py test-frontend lint bench system-deps frontend clean hub-proxy

# Debian packages the service and its tests use: bubblewrap sandboxes runtimes,
# slirp4netns gives them outbound network, iproute2 (ip) fences it (docs/security.md),
# e2fsprogs and mount (losetup) give each runtime its bounded disk (docs/limits.md),
# chromium drives the browser tests. Installed only when missing and running as root.
system-deps:
	@missing=""; \
	command -v bwrap >/dev/null || missing="$$missing bubblewrap"; \
	command -v slirp4netns >/dev/null || missing="$$missing slirp4netns"; \
	command -v ip >/dev/null || [ -x /usr/sbin/ip ] || missing="$$missing iproute2"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v mkfs.ext4 >/dev/null || missing="$$missing e2fsprogs"; \
	command -v losetup >/dev/null || missing="$$missing mount"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages:$$missing (run as root or install them)"; fi; \
	fi

$(STAMP): pyproject.toml hatch_build.py frontend/package.json frontend/package-lock.json
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

frontend: install
	cd frontend && npm run build

# JupyterHub's proxy (npm), for the jupyterhub provider's tests and bench (docs/cluster.md).
HUB_PROXY := .hub-proxy/node_modules/.bin/configurable-http-proxy
$(HUB_PROXY):
	npm install --no-audit --no-fund --prefix .hub-proxy configurable-http-proxy@5
hub-proxy: $(HUB_PROXY)

serve: system-deps install
	$(VENV)/bin/cloudbook serve

lint: install
	$(VENV)/bin/ruff check cloudbook tests bench
	$(VENV)/bin/ruff format --check cloudbook tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy --config-file cloudbook/colab_runtime/mypy.ini
	cd frontend && npm run typecheck

test-frontend: install
	cd frontend && npm test

# Two runs: pytest-playwright's sync browser session keeps an event loop running in the
# main thread, which breaks async tests collected after it.
test-py: system-deps install frontend hub-proxy
	$(VENV)/bin/pytest -q -m "not e2e"
	$(VENV)/bin/pytest -q -m e2e

test: lint test-frontend test-py

bench: system-deps install hub-proxy
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) -m bench
	$(PY) -m bench.gpu_session
	$(PY) -m bench.github_open
	$(PY) -m bench.cluster
	$(PY) -m bench.ws_load
	$(PY) -m bench.live_keystroke
	$(PY) -m bench.live_memory

clean:
	rm -rf $(VENV) frontend/node_modules cloudbook/static .hub-proxy
