#!/usr/bin/env bash
# Entry point of the image: one role per container (see docker-compose.yml).
#
#   web          migrate (one container at a time), then gunicorn on 0.0.0.0:8000
#   worker       a Celery worker consuming every queue
#   beat         the Celery beat scheduler (run exactly one)
#   migrate      only migrate
#   healthcheck  exit 0 when http://localhost:8000/health/ answers 200 (database, cache and broker up)
#   manage ARGS  python manage.py ARGS (e.g. `docker compose run --rm web manage createsuperuser`)
#   anything else is executed as given.
set -euo pipefail
cd /app
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-campaign.settings}

migrate() {
  # Several web containers may start at once: a PostgreSQL advisory lock lets one migrate
  # while the others wait, then find nothing left to do.
  python - <<'PY'
import django

django.setup()
from django.core.management import call_command
from django.db import connection

LOCK = 7_245_113  # any constant shared by every container of this project
locking = connection.vendor == "postgresql"
with connection.cursor() as cursor:
    if locking:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
    try:
        call_command("migrate", interactive=False, verbosity=1)
    finally:
        if locking:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
PY
}

role=${1:-web}
case "$role" in
  web)
    migrate
    # /app/gunicorn.conf.py says what an access log line holds: never a client's address.
    exec gunicorn campaign.wsgi \
      --bind 0.0.0.0:8000 \
      --workers "${WEB_CONCURRENCY:-3}" \
      --max-requests 2000 --max-requests-jitter 200 \
      --access-logfile -
    ;;
  worker)
    exec celery -A campaign worker \
      --queues default,screening,mail,training \
      --concurrency "${WORKER_CONCURRENCY:-2}" \
      --loglevel "${LOG_LEVEL:-INFO}"
    ;;
  beat)
    exec celery -A campaign beat \
      --schedule /app/var/celerybeat-schedule \
      --loglevel "${LOG_LEVEL:-INFO}"
    ;;
  migrate)
    migrate
    ;;
  healthcheck)
    # /health/ checks the database, the cache and the broker; a page could come from the page
    # cache while they are down. The request carries a host the site accepts (the first of ALLOWED_HOSTS) and says it came
    # through the TLS proxy, so neither ALLOWED_HOSTS nor SECURE_SSL_REDIRECT turns it away.
    exec python - <<'PY'
import os
import sys
import urllib.error
import urllib.request

hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",")]
host = next((h for h in hosts if h and h != "*"), "localhost")
request = urllib.request.Request(
    "http://localhost:8000/health/", headers={"Host": host, "X-Forwarded-Proto": "https"}
)
try:
    with urllib.request.urlopen(request, timeout=8) as response:  # noqa: S310 - fixed local URL
        status = response.status
except urllib.error.HTTPError as exc:
    status = exc.code
    print(exc.read().decode(errors="replace")[:200], file=sys.stderr)  # names what is down
except OSError as exc:
    sys.exit(f"unhealthy: {exc}")
if status != 200:
    sys.exit(f"unhealthy: GET /health/ answered {status}")
PY
    ;;
  manage)
    shift
    exec python manage.py "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
