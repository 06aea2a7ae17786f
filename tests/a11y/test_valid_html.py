"""Every page type is valid HTML for the Nu Html Checker (npm package vnu-jar, run with Java).

The HTML of all page types is written to files and checked in one run of the checker, since
starting the JVM costs more than checking a page. ``npm ci`` installs the checker (.ci/run).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

VNU = Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _checker() -> list[str]:
    java = shutil.which("java")
    if java and VNU.exists():
        return [java, "-jar", str(VNU)]
    message = f"the Nu Html Checker needs Java and {VNU} (npm ci)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def check(files: list[Path]) -> list[dict]:
    """Run the checker once over the files; return its error messages."""
    result = subprocess.run(
        [*_checker(), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        return json.loads(result.stderr)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"the checker did not answer in JSON (exit {result.returncode}): {result.stderr[-2000:]}")


def report(messages: list[dict]) -> str:
    """Each distinct error once (dates and ids vary), with the pages and lines where it occurs."""
    groups: dict[str, list[str]] = {}
    for m in messages:
        page = Path(m.get("url", "")).name.removesuffix(".html")
        key = re.sub(r"^Bad value “[^”]*”", "Bad value “…”", m.get("message", ""))
        extract = " ".join(m.get("extract", "").split())
        groups.setdefault(key, []).append(f"{page}:{m.get('lastLine', '?')}  {extract}")
    lines = [f"{len(messages)} HTML errors, {len(groups)} distinct:"]
    for key, places in groups.items():
        lines.append(f"- {key} ({len(places)}x)")
        lines.extend(f"    {place}" for place in places[:3])
    return "\n".join(lines)


def test_every_page_type_is_valid_html(page_types, fetch, tmp_path):
    files = []
    for page in page_types:
        status, html = fetch(page)
        assert status == page.status, (page.name, status)
        path = tmp_path / f"{page.name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)
    # A page with a known error proves the checker ran and reads our files (one JVM start for both).
    canary = tmp_path / "canary.html"
    canary.write_text('<!DOCTYPE html><html lang="en"><title>x</title><p id="a"><span id="a"></span>')
    messages = check([canary, *files])
    assert any(m["url"].endswith("/canary.html") and "Duplicate ID" in m["message"] for m in messages), messages
    errors = [m for m in messages if m.get("type") == "error" and not m["url"].endswith("/canary.html")]
    if errors:
        pytest.fail(report(errors))
