"""Audit the locked dependencies (uv.lock, every group) for known vulnerabilities with pip-audit.

    python3 scripts/audit_dependencies.py        # or: make audit

Exports the lock file as hashed requirements (``uv export``), runs pip-audit on them without
installing anything (``--disable-pip --require-hashes``) against PyPI's vulnerability data, and:

- fails (exit 1) on any vulnerability not listed in ``.ci/pip-audit-ignore`` (one ID per line,
  then the reason it does not apply or cannot be fixed yet; ``#`` starts a comment), and on an
  entry without a reason;
- for a package pip-audit could not look up (it asks PyPI's JSON API for the exact version, which
  some PyPI mirrors do not serve), reads the same vulnerability data from the project's JSON,
  which describes its latest release: it applies when that is the locked version; otherwise the
  package is listed as not audited;
- passes with a loud SKIPPED line when nothing at all could be audited (no network): that must not
  read as "no vulnerability".

pip-audit runs with ``uv tool run`` at a pinned version, so it never enters the project's lock.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".ci" / "pip-audit-ignore"
PIP_AUDIT = "pip-audit==2.10.1"
UV = [sys.executable, "-m", "uv"]


def ignored() -> dict[str, str]:
    """The ignore file's entries: vulnerability ID -> reason."""
    entries: dict[str, str] = {}
    if not IGNORE_FILE.exists():
        return entries
    for number, line in enumerate(IGNORE_FILE.read_text().splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        vuln_id, _, reason = line.partition(" ")
        if not reason.strip():
            sys.exit(f"{IGNORE_FILE.name}:{number}: {vuln_id} has no reason; say why it is ignored.")
        entries[vuln_id] = reason.strip()
    return entries


def main() -> int:
    environ = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    with tempfile.TemporaryDirectory() as folder:
        requirements = Path(folder) / "requirements.txt"
        report = Path(folder) / "audit.json"
        subprocess.run(  # noqa: S603 - fixed arguments
            [*UV, "export", "--frozen", "--all-groups", "--no-emit-project", "--quiet", "-o", str(requirements)],
            cwd=ROOT, env=environ, check=True,
        )  # fmt: skip
        ignore = ignored()
        command = [
            *UV, "tool", "run", "--from", PIP_AUDIT, "pip-audit",
            "--requirement", str(requirements), "--require-hashes", "--disable-pip",
            "--vulnerability-service", "pypi", "--progress-spinner", "off", "--format", "json", "--output", str(report),
        ]  # fmt: skip
        for vuln_id in ignore:
            command += ["--ignore-vuln", vuln_id]
        result = subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True)  # noqa: S603
        if not report.exists():
            print(result.stdout + result.stderr)
            return result.returncode or 1
        dependencies = json.loads(report.read_text())["dependencies"]

    for dependency in dependencies:
        if "skip_reason" in dependency:
            from_project_json(dependency)
    audited = [d for d in dependencies if "skip_reason" not in d]
    skipped = [d for d in dependencies if "skip_reason" in d]
    vulnerable = [(d, v) for d in audited for v in d.get("vulns", []) if not ({v["id"], *v["aliases"]} & set(ignore))]
    seen = {alias for d in audited for v in d.get("vulns", []) for alias in [v["id"], *v["aliases"]]}
    for dependency, vuln in vulnerable:
        fixes = ", ".join(vuln["fix_versions"]) or "no fixed version yet"
        print(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in: {fixes})")
        print(f"    {re.sub(r'\s+', ' ', vuln['description'])[:300]}")
    for vuln_id, reason in ignore.items():
        print(f"ignored {vuln_id}: {reason}" + ("" if vuln_id in seen else " (no longer reported)"))
    if not audited:
        print(
            f"SKIPPED: none of the {len(skipped)} locked packages could be audited"
            f" ({skipped[0]['skip_reason'] if skipped else 'nothing to audit'})."
            " No vulnerability data was read: this is not a clean result."
        )
        return 0
    for dependency in skipped:
        print(f"not audited: {dependency['skip_reason']}")
    print(
        f"{len(audited)} of {len(dependencies)} locked packages audited:"
        f" {len(vulnerable)} known vulnerabilities not ignored."
    )
    return 1 if vulnerable else 0


def from_project_json(dependency: dict) -> None:
    """Fill in a package pip-audit skipped from PyPI's project JSON, when it describes the locked version."""
    version = re.search(r"\(([^)]+)\)\s*$", dependency["skip_reason"])
    if version is None:
        return
    url = f"https://pypi.org/pypi/{dependency['name']}/json"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            project = json.load(response)
    except (OSError, urllib.error.URLError, ValueError):
        return
    latest = project["info"]["version"]
    if latest != version.group(1):
        dependency["skip_reason"] += f"; PyPI's data covers only its latest release, {latest}"
        return
    del dependency["skip_reason"]
    dependency["version"] = latest
    dependency["vulns"] = [
        {
            "id": vuln["id"],
            "aliases": vuln.get("aliases") or [],
            "fix_versions": vuln.get("fixed_in") or [],
            "description": vuln.get("details") or vuln.get("summary") or "",
        }
        for vuln in project.get("vulnerabilities") or []
        if not vuln.get("withdrawn")
    ]


if __name__ == "__main__":
    sys.exit(main())
