# The production image: gunicorn serving config.wsgi with production settings (see the README's
# "Production" section for the environment it needs, the migration step and the daily run).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    HOST=0.0.0.0 \
    PORT=8000

WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/base.txt

COPY . .
# Hashed, compressed static files are built into the image. The settings only need placeholders here:
# nothing connects to the database or Redis while collecting.
RUN SECRET_KEY=collectstatic API_TOKEN_DIGEST_KEY=collectstatic ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://unused@localhost/unused CACHE_URL=redis://localhost:6379/0 EMAIL_URL=smtp://unused \
    python manage.py collectstatic --noinput -v0

RUN useradd --system --no-create-home app
USER app
EXPOSE 8000
CMD ["gunicorn", "--config", "python:config.gunicorn", "config.wsgi"]
