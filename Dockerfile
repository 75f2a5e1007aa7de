# Rentwise web, worker and beat image (one image, three commands: see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=incomeapp.settings.prod

# WeasyPrint's font subsetting and a metric-compatible Arial for letters and notices.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected at build time; these throwaway values only let the settings load.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --no-input -v 0

RUN useradd --create-home --uid 10001 rentwise && mkdir -p /app/var && chown -R rentwise /app/var
USER rentwise

EXPOSE 8000
CMD ["gunicorn", "incomeapp.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
