"""Prepare the load test's own database: ``python -m tests.system.loadsite POSTERS`` (run by test_load.py).

Runs in a subprocess whose DATABASE_URL names the private PostgreSQL: migrates it, loads the demo
note (``load_demo``: four versions, sixteen sections, organisations, approved sample comments), and
signs in POSTERS members. Prints one JSON object on its last line: the members' session keys, the
section pages posters comment on and the pages readers read. Nothing in it is personal: the members'
addresses are made up here and in the test alike (``poster_email``).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from unittest import mock

import django


def poster_email(number: int) -> str:
    return f"load-poster-{number}@example.org"


def main(posters: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaign.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from campaign.pages.management.commands import load_demo
    from guidance.models import Document

    call_command("migrate", interactive=False, verbosity=0)
    # The coordinator's password file would replace the one of a developer's `make demo`.
    with (
        tempfile.TemporaryDirectory() as folder,
        mock.patch.object(load_demo, "password_path", return_value=Path(folder) / "password"),
    ):
        load_demo.load_demo(say=lambda line: None)

    document = Document.objects.get(slug=load_demo.DOCUMENT_SLUG)
    sections = [section.get_absolute_url() for section in document.sections.order_by("pk")]
    User = get_user_model()
    sessions = []
    for number in range(posters):
        user, _ = User.objects.get_or_create(username=f"load-poster-{number}", defaults={"email": poster_email(number)})
        client = Client()
        client.force_login(user)  # a session in the database, as after signing in
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    readers = [
        reverse("campaign:home"),
        document.get_absolute_url(),
        reverse("campaign:endorsers"),
        reverse("campaign:organisations"),
        reverse("campaign:about"),
        *sections,
    ]
    return {"sessions": sessions, "sections": sections, "readers": readers}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
