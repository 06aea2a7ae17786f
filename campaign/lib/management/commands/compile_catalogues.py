"""``manage.py compile_catalogues``: compile the translations installed apps ship without .mo files.

Django reads compiled catalogues (.mo) only, and django-comments-xtd ships its translations as .po
files alone, so without this step its words (form labels, admin fields, messages) stay English.
The build runs this command after installing the dependencies (``make`` through ``.venv/.synced``,
the Dockerfile, CI): for each language of the site, every installed app's ``.po`` catalogue with
no ``.mo`` beside it is compiled next to it. It uses polib, so no system package
(GNU gettext) is needed. The project's own catalogues (``locale/``) are compiled with
``compilemessages`` and committed; ``tests/campaign/test_catalogues.py`` checks they match.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import to_locale


def stale_catalogues() -> list[tuple[Path, Path]]:
    """Return (po, mo) for every installed app's catalogue in a site language that has no .mo.

    Only a missing .mo counts: a package's own .mo is kept even when its file looks older than
    the .po (an installer does not keep the times of the files it writes).
    """
    own = {Path(path).resolve() for path in settings.LOCALE_PATHS}  # compiled and committed
    found = []
    for app in apps.get_app_configs():
        locale_dir = Path(app.path).resolve() / "locale"
        if locale_dir in own or not locale_dir.is_dir():
            continue
        for code, _name in settings.LANGUAGES:
            for po in sorted((locale_dir / to_locale(code) / "LC_MESSAGES").glob("*.po")):
                mo = po.with_suffix(".mo")
                if not mo.exists():
                    found.append((po, mo))
    return found


class Command(BaseCommand):
    requires_system_checks = []  # a build step: it reads only the installed apps' files
    help = "Compile the .po catalogues installed apps ship without .mo (django-comments-xtd) for the site's languages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="only list what needs compiling; exit 1 if anything")

    def handle(self, *args: Any, **options: Any) -> None:
        stale = stale_catalogues()
        if options["check"]:
            for po, _mo in stale:
                self.stdout.write(f"not compiled: {po}")
            if stale:
                raise CommandError(f"{len(stale)} catalogue(s) need compiling: run manage.py compile_catalogues.")
            return
        for po, mo in stale:
            try:
                polib.pofile(str(po)).save_as_mofile(str(mo))
            except OSError as exc:
                raise CommandError(f"Cannot write {mo}: {exc.strerror or exc}.") from None
            self.stdout.write(f"compiled {mo}")
        if not stale:
            self.stdout.write("Every installed catalogue is compiled.")
