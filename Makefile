# The two commands a newcomer needs: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := python3 -m uv
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint format bench check-migrations messages clean

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
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py collectstatic --no-input --verbosity 0
	HOST=$(HOST) PORT=$(PORT) bash scripts/demo.sh

test: .venv/.synced messages
	$(PY) -m pytest $(PYTEST_ARGS)

lint: .venv/.synced
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/djlint templates --lint
	.venv/bin/djlint templates --check

format: .venv/.synced
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .
	.venv/bin/djlint templates --reformat

check-migrations: .venv/.synced
	$(PY) manage.py makemigrations --check --dry-run

# The performance benchmarks (bench/, README "Performance"): `make bench`, or BENCH_ARGS=--quick as CI runs it.
bench: .venv/.synced
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf var .venv
