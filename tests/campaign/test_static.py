"""Static files: hashed names, gzip and brotli copies, and long cache lifetimes, through whitenoise.

The tests' own settings keep plain names (the manifest needs a collectstatic first), so this
collects with the production storage into a temporary STATIC_ROOT in a child process, then
starts Django once more on that folder, as gunicorn would, and asks whitenoise for the files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEN_YEARS = 315360000

# Asks the site, started on the collected folder, what it serves; prints JSON.
SERVE = """
import json, django
django.setup()
from django.template import engines
from django.test import Client

css = engines["django"].from_string("{% load static %}{% static 'css/site.css' %}").render({})
client = Client()

def ask(url, encoding=""):
    response = client.get(url, headers={"accept-encoding": encoding} if encoding else {})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return {
        "status": response.status_code,
        "encoding": response.get("Content-Encoding", ""),
        "cache_control": response.get("Cache-Control", ""),
        "vary": response.get("Vary", ""),
        "length": len(body),
    }

print(json.dumps({
    "css": css,
    "br": ask(css, "gzip, deflate, br"),
    "gzip": ask(css, "gzip"),
    "plain": ask(css),
    "unhashed": ask("/static/css/site.css", "gzip"),
}))
"""


def _environ(static_root: Path) -> dict[str, str]:
    environ = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    environ.update(
        DJANGO_SETTINGS_MODULE="campaign.settings",
        STATIC_MANIFEST="true",
        STATIC_ROOT=str(static_root),
        DEBUG="false",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return environ


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    static_root = tmp_path_factory.mktemp("static")
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=_environ(static_root),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return static_root


@pytest.fixture(scope="module")
def served(collected) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SERVE], cwd=ROOT, env=_environ(collected), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_collectstatic_writes_hashed_names_with_gzip_and_brotli_copies(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    assert hashed != "css/site.css"
    assert hashed.startswith("css/site.") and hashed.endswith(".css")
    for suffix in ("", ".gz", ".br"):
        assert (collected / (hashed + suffix)).is_file(), hashed + suffix
    original = (collected / hashed).stat().st_size
    assert (collected / (hashed + ".br")).stat().st_size < original / 2


def test_pages_link_the_hashed_name(served):
    assert served["css"].startswith("/static/css/site.")
    assert served["css"] != "/static/css/site.css"


def test_a_hashed_file_is_served_compressed_and_kept_for_ten_years(served):
    for variant, encoding in (("br", "br"), ("gzip", "gzip"), ("plain", "")):
        response = served[variant]
        assert response["status"] == 200, variant
        assert response["encoding"] == encoding, variant
        assert "immutable" in response["cache_control"], variant
        assert f"max-age={TEN_YEARS}" in response["cache_control"], variant
        assert "public" in response["cache_control"], variant
        assert "accept-encoding" in response["vary"].lower(), variant
    assert served["br"]["length"] < served["gzip"]["length"] < served["plain"]["length"]


def test_a_file_asked_by_its_plain_name_is_kept_only_an_hour(served):
    response = served["unhashed"]
    assert response["status"] == 200
    assert "immutable" not in response["cache_control"]
    assert "max-age=3600" in response["cache_control"]
