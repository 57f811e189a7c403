# jaild - the two commands of the README do all the set-up:
#   make run    install what is missing (as root), build, start jaild
#   make test   the same set-up, then every test on a normal and an
#               ASan+UBSan build
# Other targets: build, install, bench, fuzz, lint, clean.

JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
# Debian 12 packages the build and the tests need.
PKGS     = build-essential cmake pkg-config libmicrohttpd-dev libjansson-dev \
           libsqlite3-dev libssl-dev libcurl4-openssl-dev curl python3
PKGS_JS  = nodejs npm
PKGS_FUZZ = clang libclang-rt-dev
PKGS_BENCH = wrk lxd
SUDO     =

.PHONY: all deps deps-js deps-bench deps-fuzz build build-asan build-fuzz run test \
	install bench fuzz fuzz-replay fuzz-test lint clean

all: build

# Install what is missing with apt-get when root; otherwise print the line.
deps:
	@missing=""; \
	for p in $(PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if ! command -v npm >/dev/null 2>&1; then missing="$$missing $(PKGS_JS)"; fi; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "missing packages; run as root:"; \
			echo "  apt-get install -y$$missing"; \
			exit 1; \
		fi; \
	fi

# The spec tools (spectral, prism), pinned in tests/package-lock.json.
deps-js: deps tests/node_modules/.installed
tests/node_modules/.installed: tests/package.json tests/package-lock.json
	cd tests && SCARF_ANALYTICS=false npm ci --no-audit --no-fund --loglevel=error
	touch $@

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j$(JOBS)

build-asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DJD_SANITIZE=ON >/dev/null
	cmake --build build-asan -j$(JOBS)

# Foreground, embedded defaults: TCP 127.0.0.1:8080, unix socket
# ./var/jaild.sock, data in ./var, the simulated host on Linux.
run: build
	exec ./build/jaild --data-dir ./var --listen 127.0.0.1:8080

test: build build-asan build-fuzz deps-js
	cd build && ctest --output-on-failure -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j$(JOBS)
	cd build-fuzz && ctest -L fuzz --output-on-failure -j$(JOBS)

# bench: the performance budget of DESIGN.md section 7 (bench/README.md),
# as ratios against ceilings measured in the same run; writes
# bench/results.json.  LXD (Debian's lxd) is the peer it is compared with.
deps-bench: deps
	@missing=""; \
	for p in $(PKGS_BENCH); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "bench: missing$$missing (their parts are skipped)"; \
		fi; \
	fi

bench: build deps-bench
	BUILD=$(CURDIR)/build bench/run.sh

# fuzz: clang's libFuzzer with ASan and UBSan over every parser
# (tests/fuzz); make fuzz FUZZ_SECONDS=600 for longer runs.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= $(shell command -v clang-14 2>/dev/null || echo clang)

deps-fuzz: deps
	@missing=""; \
	for p in $(PKGS_FUZZ); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "missing packages; run as root:"; \
			echo "  apt-get install -y$$missing"; \
			exit 1; \
		fi; \
	fi

build-fuzz: deps-fuzz
	CC=$(FUZZ_CC) cmake -S . -B build-fuzz -DJD_FUZZ=ON \
		-DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build-fuzz -j$(JOBS) --target fuzz_all

fuzz: build-fuzz
	JD_FUZZ_BIN=$(CURDIR)/build-fuzz/fuzz tests/fuzz/run.sh $(FUZZ_SECONDS)

fuzz-replay: build-fuzz
	JD_FUZZ_BIN=$(CURDIR)/build-fuzz/fuzz tests/fuzz/run.sh --replay

# In `make test`: every seed and regression once, then each target for
# 20 s under the sanitizers.
fuzz-test: build-fuzz
	cd build-fuzz && ctest -L fuzz --output-on-failure -j$(JOBS)

install: build
	cmake --install build

lint: deps-js
	tests/node_modules/.bin/spectral lint --fail-severity=warn \
		--ruleset .spectral.yaml openapi/openapi.yaml

clean:
	rm -rf build build-asan build-fuzz
