# Ouendan: one image for the web process (gunicorn) and the worker (manage.py run_huey).
# Build: docker build -t ouendan .    Run: see compose.yaml and docs/production.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH="/app/.venv/bin:$PATH" \
    DJANGO_SETTINGS_MODULE=ouendan.settings.production

# gettext: compiled translations; IPAex fonts: Japanese receipts and certificates (PDF);
# postgresql-client: pg_dump / pg_restore for `manage.py backup` and `restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        gettext fonts-ipaexfont-gothic fonts-ipaexfont-mincho postgresql-client \
    && rm -rf /var/lib/apt/lists/*
COPY --from=ghcr.io/astral-sh/uv:0.9 /uv /usr/local/bin/uv

WORKDIR /app
# Dependencies first (cached while only the code changes), exactly as locked.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN uv sync --frozen --no-dev \
    && python manage.py compilemessages --ignore .venv -v 0 \
    && SECRET_KEY=build DATABASE_URL=sqlite:////tmp/build.sqlite3 REDIS_URL=redis://build \
       EMAIL_URL=dummymail:// ALLOWED_HOSTS=build WAGTAILADMIN_BASE_URL=https://build \
       python manage.py collectstatic --no-input -v 0 \
    && useradd --system --uid 10001 --home-dir /app ouendan \
    && mkdir -p /app/data && chown ouendan /app/data

USER ouendan
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import os, urllib.request as u; \
    u.urlopen(u.Request('http://127.0.0.1:8000/health/', \
    headers={'Host': os.environ['ALLOWED_HOSTS'].split(',')[0]}))"
# Web by default; the worker runs the same image with `python manage.py run_huey`.
CMD ["gunicorn", "ouendan.wsgi", "--bind=0.0.0.0:8000", "--workers=3", "--threads=4"]
