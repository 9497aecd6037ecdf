# syntax=docker/dockerfile:1
# Civilsamfundskortet: one image for every replica and for the one-shot migration (see deploy/compose.yaml).
#   docker build -t civilkort:0.1.0 .
# Three stages: the Python dependencies in a virtual environment; the map's Leaflet files from npm (the only
# stage with Node); the runtime (slim Python, the venv, the app, the Leaflet files, a non-root user).
# The Python version is the one the test suite runs on; bump it here and in CI together.
ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm

FROM ${PYTHON_IMAGE} AS python-deps
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt /tmp/requirements.txt
# the compiled packages all ship manylinux wheels, so no stage needs a compiler
RUN pip install -r /tmp/requirements.txt

FROM python-deps AS assets
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# scripts/install_assets.py needs only these three modules of the app (and folium/branca from the venv)
COPY assets/package.json assets/package-lock.json assets/
COPY civilkort/__init__.py civilkort/settings.py civilkort/assets.py civilkort/
COPY scripts/install_assets.py scripts/
RUN python scripts/install_assets.py && python scripts/install_assets.py --check

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=8501 \
    CIVILKORT_DATA_DIR=/data
RUN groupadd --system --gid 10001 civilkort \
    && useradd --system --uid 10001 --gid civilkort --create-home --home-dir /home/civilkort \
       --shell /usr/sbin/nologin civilkort
COPY --from=python-deps /opt/venv /opt/venv
WORKDIR /app
# the app is owned by root and read-only to the app's user; .dockerignore keeps out secrets, data and tests
COPY . /app
COPY --from=assets /app/static/vendor /app/static/vendor
# writable: the data folder (builds fetched or built here, uploads) and the published map files
RUN python -m compileall -q /app/app.py /app/serve.py /app/app_pages /app/civilkort /app/etl /app/ui \
    && mkdir -p /data /app/static/kort \
    && chown civilkort:civilkort /data /app/static/kort
USER civilkort
EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "/app/deploy/healthcheck.py"]
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["serve"]
