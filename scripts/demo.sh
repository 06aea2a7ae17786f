#!/usr/bin/env bash
# Start the embedded site: gunicorn and a real Celery worker (with beat) together.
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
# Every absolute link (mail, feeds, sitemap, exports) is built from SITE_URL: the address it runs at.
export SITE_URL=${SITE_URL:-http://$HOST:$PORT}

.venv/bin/celery -A campaign worker --beat --loglevel INFO \
  --queues default,screening,mail,training --concurrency 2 \
  --schedule var/celerybeat-schedule &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null' EXIT INT TERM

cat <<MSG

  The campaign site is starting at $SITE_URL/
  Moderation desk (coordinators): $SITE_URL/desk/
  Coordinator login: coordinator / $(cat var/demo-coordinator-password 2>/dev/null || echo "see 'manage.py load_demo'")
  Mail is printed here, in this terminal. Ctrl-C stops the site and the worker.

MSG
# gunicorn.conf.py (read from this directory) says what an access log line holds: never a client's address.
.venv/bin/gunicorn campaign.wsgi --bind "$HOST:$PORT" --workers 2 --access-logfile -
