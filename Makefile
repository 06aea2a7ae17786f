# The two commands a newcomer needs: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := python3 -m uv
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint format bench check-migrations audit messages clean

.venv/.synced: pyproject.toml uv.lock .python-version
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	$(PY) manage.py compile_catalogues
	@touch $@

# django-comments-xtd ships its translations as .po files only: compile them into the environment
# (manage.py compile_catalogues, pure Python). The project's own locale/*.mo are committed.
messages: .venv/.synced
	@$(PY) manage.py compile_catalogues >/dev/null

demo: .venv/.synced messages
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py collectstatic --no-input --verbosity 0
	HOST=$(HOST) PORT=$(PORT) bash scripts/demo.sh

# The Nu Html Checker (npm package vnu-jar, run with Java) for tests/a11y/test_valid_html.py; that
# test is skipped without it (and fails under CI). --ignore-scripts: vnu-jar's install script
# would download a Java runtime; the machine's is used.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --ignore-scripts --no-audit --no-fund; \
	else echo "npm not found: the HTML validation test will be skipped"; fi

test: .venv/.synced messages node_modules/.package-lock.json
	$(PY) -m pytest $(PYTEST_ARGS)

lint: .venv/.synced
	.venv/bin/ruff check .
	.venv/bin/lint-imports --no-cache
	.venv/bin/ruff format --check .
	.venv/bin/djlint templates --lint
	.venv/bin/djlint templates --check

format: .venv/.synced
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .
	.venv/bin/djlint templates --reformat

check-migrations: .venv/.synced
	$(PY) manage.py makemigrations --check --dry-run

# Known vulnerabilities in the locked dependencies: pip-audit over uv.lock (every group), then
# scripts/audit_dependencies.py for what pip-audit cannot do here (exceptions, with reasons, in .ci/pip-audit-ignore).
PIP_AUDIT := pip-audit==2.10.1
audit: .venv/.synced
	@mkdir -p var
	$(UV) export --frozen --all-groups --no-emit-project --quiet -o var/audit-requirements.txt
	$(UV) tool run --from $(PIP_AUDIT) pip-audit --requirement var/audit-requirements.txt --require-hashes \
		--disable-pip --vulnerability-service pypi --progress-spinner off --format json --output var/pip-audit.json \
		$$(grep -o '^[A-Z][A-Z0-9-]*' .ci/pip-audit-ignore | sed 's/^/--ignore-vuln /') || test -s var/pip-audit.json
	python3 scripts/audit_dependencies.py var/pip-audit.json

# The performance benchmarks (bench/, README "Performance"): `make bench`, or BENCH_ARGS=--quick as CI runs it.
bench: .venv/.synced
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf var .venv node_modules
