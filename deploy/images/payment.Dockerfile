# syntax=docker/dockerfile:1
# Image of the payment service. Build from the repository root:
#   docker build -f deploy/images/payment.Dockerfile -t registry.example.com/gqjy/payment:<tag> .
# The tag must match newTag in deploy/images/images.yaml.
# One image runs every role: the Deployments pass --role api, relay or
# consumers (CMD below is the default).

# Both stages use the base image pinned by exact tag in base_images of
# deploy/images/images.yaml (tests/deploy checks they agree). Append
# @sha256:<digest> here and there once the digest is known.
FROM python:3.11.14-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements.lock ./
COPY contracts/ contracts/
COPY libs/eventplatform/ libs/eventplatform/
COPY services/payment/ services/payment/
# Installs only the runtime part of requirements.lock: pip resolves what the
# three packages declare as dependencies, and the lock, given as constraints,
# pins each one to its locked version. Test and tooling packages in the lock
# (pytest, playwright, checkov and the like) are nobody's dependency here, so
# they stay out of the image.
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --constraint requirements.lock \
      ./contracts ./libs/eventplatform ./services/payment

FROM python:3.11.14-slim-bookworm AS runtime
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin app
COPY --from=build /opt/venv /opt/venv
# The pods mount the root filesystem read-only, so Python writes no bytecode.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PAYMENT_HTTP_PORT=8080
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["python", "-m", "payment_service"]
CMD ["--role", "api"]
