"""What pip-audit cannot do here: audit the packages it could not look up, and hold the ignore list to reasons.

`make audit` exports uv.lock (every group) as hashed requirements and runs pip-audit on them
(``--disable-pip --require-hashes``, PyPI's vulnerability data), writing its JSON report; then

    python3 scripts/audit_dependencies.py var/pip-audit.json

reads that report. pip-audit asks PyPI's JSON API for each exact version, which this workplace's
PyPI mirror does not serve: every package then comes back "could not be audited". For those, this
reads the same vulnerability data from the project's JSON, which describes its latest release, and
uses it when that is the locked version (else the package is listed as not audited). It fails
(exit 1) on a vulnerability that ``.ci/pip-audit-ignore`` does not list with a reason, and says
SKIPPED, loudly, when nothing at all could be audited (no network): that is not a clean result.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.request
from pathlib import Path

IGNORE_FILE = Path(__file__).resolve().parent.parent / ".ci" / "pip-audit-ignore"


def ignored() -> dict[str, str]:
    """The ignore file's entries, vulnerability ID -> reason; an entry without a reason stops the audit."""
    entries = {}
    for number, line in enumerate(IGNORE_FILE.read_text().splitlines(), start=1):
        vuln_id, _, reason = line.split("#", 1)[0].strip().partition(" ")
        if vuln_id and not reason.strip():
            sys.exit(f"{IGNORE_FILE.name}:{number}: {vuln_id} has no reason; say why it is ignored.")
        if vuln_id:
            entries[vuln_id] = reason.strip()
    return entries


def from_project_json(dependency: dict) -> None:
    """Fill in a package pip-audit skipped from PyPI's project JSON, when it describes the locked version."""
    locked = re.search(r"\(([^)]+)\)\s*$", dependency["skip_reason"])
    try:
        with urllib.request.urlopen(f"https://pypi.org/pypi/{dependency['name']}/json", timeout=30) as answer:
            project = json.load(answer)
    except (OSError, ValueError):
        return
    if locked is None or project["info"]["version"] != locked.group(1):
        dependency["skip_reason"] += f"; PyPI's data covers only its latest release, {project['info']['version']}"
        return
    del dependency["skip_reason"]
    dependency["vulns"] = [
        {"id": v["id"], "aliases": v.get("aliases") or [], "fix_versions": v.get("fixed_in") or []}
        for v in project.get("vulnerabilities") or []
        if not v.get("withdrawn")
    ]


def main(report: str) -> int:
    ignore = ignored()
    dependencies = json.loads(Path(report).read_text())["dependencies"]
    for dependency in dependencies:
        if "skip_reason" in dependency:
            from_project_json(dependency)
    audited = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [(d, v) for d in audited for v in d.get("vulns", []) if not {v["id"], *v["aliases"]} & set(ignore)]
    for dependency, vuln in vulnerable:
        fixes = ", ".join(vuln["fix_versions"]) or "no fixed version yet"
        print(f"VULNERABLE {dependency['name']} {dependency.get('version', '')}: {vuln['id']} (fixed in: {fixes})")
    for vuln_id, reason in ignore.items():
        print(f"ignored {vuln_id}: {reason}")
    for dependency in dependencies:
        if "skip_reason" in dependency:
            print(f"not audited: {dependency['skip_reason']}")
    if not audited:
        print(f"SKIPPED: none of the {len(dependencies)} locked packages could be audited: this is not a clean result.")
        return 0
    print(f"{len(audited)} of {len(dependencies)} locked packages audited: {len(vulnerable)} known vulnerabilities.")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
