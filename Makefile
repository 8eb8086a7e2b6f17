# The two set-up commands (README.md): `make demo` and `make test`. Both install what is missing
# (scripts/install-deps.sh, Debian packages only), configure, build, then run.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build demo test test-sanitize bench soak fuzz clean

all: build

deps:
	bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	bash scripts/demo.sh $(BUILD)/cli/avf

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# ASan+UBSan build of the whole suite (slow; not part of `make test`).
test-sanitize: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DAVF_SANITIZE="address;undefined"
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)

# Benchmarks (not part of `make test`): see bench/README.md and docs/benchmarks.md.
bench: deps
	bash bench/run.sh

# Crash harness, long variant (not part of `make test`): >= 200 kill -9 trials of avf run and
# zones import on 200k detections, with the figures (tests/reliability/soak.sh).
soak: build
	bash tests/reliability/soak.sh $(BUILD)

# Fuzzing (not part of `make test`; its corpus is replayed there): libFuzzer targets built with
# clang, FUZZ_SECONDS each (default 60). See tests/fuzz/run.sh.
fuzz:
	bash scripts/install-deps.sh fuzz
	bash tests/fuzz/run.sh

clean:
	rm -rf $(BUILD) build-asan build-fuzz
