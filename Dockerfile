# One image for the web server and the workers (docs/DEPLOY.md). Not built by the tests (no
# network on the machines that run them): tests/deploy/test_deployment.py checks that its
# command is the documented one.
FROM python:3.11-slim
# WeasyPrint (PDF reports) needs Pango
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/socialpulse
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir ".[postgres]"
RUN useradd --system --home-dir /srv/socialpulse --create-home socialpulse
USER socialpulse
ENV SOCIALPULSE_HOME=/srv/socialpulse
EXPOSE 8000
CMD ["socialpulse", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", "--no-worker", "--allowed-host", "analytics.example.org"]
