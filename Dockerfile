# The API (`lens serve`, the default command) and the worker (`lens worker`) share this image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # The bundled models ship inside Python packages: never reach for a model hub at run time.
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

WORKDIR /srv/lens

# Torch alone first, from the CPU index (PyPI's default wheel drags in GBs of CUDA libraries);
# its own layer, so code changes do not download it again.
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
# Editable, so `lens db upgrade` finds migrations/ beside the package.
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu -e .

RUN useradd --create-home --uid 1000 lens && mkdir /data /search && chown lens /data /search
USER lens
# The embedded default: a SQLite file on the volume. docker-compose.yml points it at PostgreSQL.
ENV LENS_DATABASE_URL=sqlite:////data/lens.db
VOLUME ["/data"]

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["lens", "serve", "--host", "0.0.0.0", "--port", "8000"]
