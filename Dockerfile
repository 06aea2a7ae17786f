# The campaign site: one image for web (gunicorn), worker and beat (Celery); see docker-compose.yml.
FROM python:3.13-slim

ENV DJANGO_SETTINGS_MODULE=campaign.settings \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH

# Pango and a font with Latin and Cyrillic letters, for WeasyPrint (the consultation report's PDF).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir "uv==0.13.9" \
    && groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home app

WORKDIR /app

# Dependencies first, from the lock file only, so code changes reuse this layer.
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project --no-cache

COPY . .

# django-comments-xtd ships its translations uncompiled (.po only): compile them into the environment.
# Static files are collected once, into the image, with the hashed manifest production uses.
RUN python manage.py compile_catalogues \
    && STATIC_MANIFEST=true python manage.py collectstatic --no-input --verbosity 0 \
    && chmod 0755 docker/entrypoint.sh \
    && mkdir -p var \
    && chown -R app:app var

USER app
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
