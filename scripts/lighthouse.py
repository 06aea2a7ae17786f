"""Lighthouse's performance score of some pages of a running site, a few runs each, medians printed.

    python scripts/lighthouse.py http://127.0.0.1:8000 / /note/guidance-note/sections/KEY/ --runs 5

Lighthouse (mobile profile, simulated slow 4G and a 4x slower CPU) comes from npm through ``npx``
(Google's package, about 185 MB, fetched once into npm's cache) and drives Debian's Chromium
(``CHROME_PATH``, default /usr/bin/chromium). Run it on a quiet machine: its blocking time is the main
thread's, and other processes add to it. Not part of ``make test``: a score is a figure to watch,
noisy from one run to the next.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

LIGHTHOUSE = "lighthouse@12.8.2"
FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run"


def audit(url: str, output: Path) -> dict:
    """One Lighthouse run of ``url`` (retried twice when Chrome's trace fails to record)."""
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    command = ["npx", "--yes", LIGHTHOUSE, url, "--only-categories=performance", f"--chrome-flags={FLAGS}"]
    command += ["--output=json", f"--output-path={output}", "--quiet"]
    for _ in range(3):
        if subprocess.run(command, env=env, check=False).returncode == 0:  # noqa: S603 - our own arguments
            report = json.loads(output.read_text())
            metrics = report["audits"]["metrics"]["details"]["items"][0]
            return {
                "score": report["categories"]["performance"]["score"],
                "tbt_ms": metrics["totalBlockingTime"],
                "fcp_ms": metrics["firstContentfulPaint"],
                "lcp_ms": metrics["largestContentfulPaint"],
                "si_ms": metrics["speedIndex"],
                "dom": report["audits"]["dom-size"]["numericValue"],
            }
    raise RuntimeError(f"Lighthouse failed three times on {url}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the site's address, such as http://127.0.0.1:8000")
    parser.add_argument("paths", nargs="+", help="pages to audit, such as / or /note/guidance-note/")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "report.json"
        for path in args.paths:
            runs = [audit(args.base.rstrip("/") + path, output) for _ in range(args.runs)]
            scores = ", ".join(f"{run['score']:.2f}" for run in runs)
            print(
                f"{path}: score median {statistics.median(r['score'] for r in runs):.2f} ({scores}); "
                f"blocking {statistics.median(r['tbt_ms'] for r in runs):.0f} ms, "
                f"first paint {statistics.median(r['fcp_ms'] for r in runs):.0f} ms, "
                f"largest paint {statistics.median(r['lcp_ms'] for r in runs):.0f} ms, "
                f"speed index {statistics.median(r['si_ms'] for r in runs):.0f} ms, {runs[0]['dom']:.0f} elements",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
