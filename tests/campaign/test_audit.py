"""scripts/audit_dependencies.py: what it adds to pip-audit's report (the policy on its findings)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

FOUND = {
    "name": "somepackage",
    "version": "1.0",
    "vulns": [{"id": "PYSEC-0000-1", "aliases": ["CVE-0000-1"], "fix_versions": ["1.1"]}],
}


def run(tmp_path, monkeypatch, dependencies: list[dict], ignore: str = "") -> int:
    (tmp_path / "ignore").write_text(ignore)
    monkeypatch.setattr(audit, "IGNORE_FILE", tmp_path / "ignore")
    (tmp_path / "report.json").write_text(json.dumps({"dependencies": dependencies}))
    return audit.main(str(tmp_path / "report.json"))


def test_a_vulnerability_fails_the_audit(tmp_path, monkeypatch, capsys):
    assert run(tmp_path, monkeypatch, [FOUND]) == 1
    assert "VULNERABLE somepackage 1.0: PYSEC-0000-1 (fixed in: 1.1)" in capsys.readouterr().out


def test_an_ignored_vulnerability_with_a_reason_passes_even_by_alias(tmp_path, monkeypatch):
    assert run(tmp_path, monkeypatch, [FOUND], "CVE-0000-1 not reachable: we never call the parser\n") == 0


def test_an_ignored_vulnerability_without_a_reason_stops_the_audit(tmp_path, monkeypatch):
    with pytest.raises(SystemExit, match="has no reason"):
        run(tmp_path, monkeypatch, [FOUND], "PYSEC-0000-1\n")


def test_nothing_audited_is_said_loudly_not_passed_as_clean(tmp_path, monkeypatch, capsys):
    skipped = {"name": "somepackage", "skip_reason": "Dependency not found on PyPI and could not be audited: x (1.0)"}
    monkeypatch.setattr(audit, "from_project_json", lambda dependency: None)  # no network
    assert run(tmp_path, monkeypatch, [skipped]) == 0
    assert "SKIPPED: none of the 1 locked packages could be audited" in capsys.readouterr().out
