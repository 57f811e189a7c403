# A Debian 12 image with jaild's build and test dependencies, running the
# same steps as `make test` (the Makefile is the single source of truth).
FROM debian:12
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        build-essential cmake pkg-config make ca-certificates git \
        libmicrohttpd-dev libjansson-dev libsqlite3-dev libssl-dev \
        libcurl4-openssl-dev curl python3 nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
CMD ["make", "test"]
