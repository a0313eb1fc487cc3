# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORTAL_VAR_DIR=/var/lib/portal
# Safe when run bare (`docker run -p 8000:8000 IMAGE`): DEBUG off, so visitors see the portal's
# Chinese error pages; a key generated once into the volume unless SECRET_KEY is given; no
# HTTPS redirect, since TLS ends at the reverse proxy in front (docker-compose.yml: nginx).
ENV DEBUG=false SECRET_KEY_FILE=/var/lib/portal/secret_key SECURE_SSL_REDIRECT=false
WORKDIR /app
# pg_dump/pg_restore for `manage.py backup` and `restore` (Debian 12: client 15, as the server).
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml dev.py ./
RUN python -c "import tomllib,subprocess,sys; d=tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']; subprocess.check_call([sys.executable,'-m','pip','install','--no-cache-dir',*d])"
COPY . .
RUN DEBUG=false SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput -v0
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "60"]
