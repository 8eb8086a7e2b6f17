# The two set-up commands (README.md): `make demo` and `make test`. Both install what is missing
# (scripts/install-deps.sh, Debian packages only), configure, build, then run.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build demo test package check-deb test-sanitize test-asan test-tsan bench soak fuzz clean format format-check lint

all: build

deps:
	bash scripts/install-deps.sh

# AVF_MPI=ON: the install script brings OpenMPI, so `make test` (and CI) builds and tests
# `mpirun -np N avf run` (docs/mpi.md); a plain cmake configure leaves it off.
$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAVF_MPI=ON $(CMAKE_FLAGS)

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	bash scripts/demo.sh $(BUILD)/cli/avf

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The Debian package: $(BUILD)/avf_<version>_<arch>.deb (CPack; cmake/avf_install.cmake), which
# `apt-get install ./avf_*.deb` installs with the libraries it needs. `make check-deb` installs it
# into a clean Debian 12 root made by debootstrap and runs avf and the demo there (minutes; not
# part of `make test`, which checks the install and the .deb in a scratch root).
package: build
	cd $(BUILD) && cpack
check-deb: package
	bash scripts/install-deps.sh deb
	bash scripts/check-deb.sh $(BUILD)/avf_*.deb

# Sanitizers (slow; not part of `make test`; docs/reliability.md §5): the whole suite under
# ASan+UBSan (build-asan), then the tests that drive the parallel pipeline under TSan (build-tsan).
# `make test-asan` / `make test-tsan` run one half.
test-sanitize: deps
	$(MAKE) test-asan
	$(MAKE) test-tsan

# Sanitizer builds are Debug (assertions on) at -O1, as the ASan docs advise (at -O0 the suite took 55 min).
SAN_FLAGS ?= -O1 -g
test-asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=$(SAN_FLAGS)" "-DCMAKE_C_FLAGS_DEBUG=$(SAN_FLAGS)" \
	  -DAVF_SANITIZE="address;undefined"
	cmake --build build-asan -j $(JOBS)
	cd build-asan && UBSAN_OPTIONS="suppressions=$(CURDIR)/tests/ubsan.supp:halt_on_error=1:print_stacktrace=1 $(UBSAN_OPTIONS)" \
	  ctest --output-on-failure -j $(JOBS)

# TSan: oneTBB rebuilt with -fsanitize=thread (scripts/build-tbb-tsan.sh says why), and only the
# executables behind TSAN_TESTS: the scenario runner (the pipeline in-process, 1 and 2 threads),
# the demo runs of the avf binary with 1 and 2 threads, the 10-run determinism test, and the
# two-thread block parser. Reports that are not avf's are in tests/tsan.supp, each with its reason.
TSAN_TESTS ?= ^(scenarios: ?|cli: ?the demo |reliability: ?determinism|ingest: ?two threads|pipeline: ?the (writer|merging))
TSAN_TARGETS ?= avf test_scenarios test_cli test_reliability test_ingest test_pipeline
test-tsan: deps
	bash scripts/build-tbb-tsan.sh build-tsan/tbb-tsan
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=$(SAN_FLAGS)" "-DCMAKE_C_FLAGS_DEBUG=$(SAN_FLAGS)" \
	  -DAVF_SANITIZE=thread \
	  -DTBB_DIR=$(CURDIR)/build-tsan/tbb-tsan/lib/cmake/TBB
	cmake --build build-tsan -j $(JOBS) --target $(TSAN_TARGETS)
	cd build-tsan && TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1 $(TSAN_OPTIONS)" \
	  ctest --output-on-failure -j $(JOBS) -R '$(TSAN_TESTS)'

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

# Style held by tools (.clang-format, .clang-tidy). `make format` rewrites every C/C++ file git
# tracks; `make format-check` fails on any file that is off the style (.ci/run calls it: seconds);
# `make lint` runs clang-tidy over LINT_DIRS — the modules cleaned so far — and their headers, and
# fails on a warning.
FORMAT_FILES = git ls-files '*.cpp' '*.hpp' '*.c' '*.h' '*.hpp.in'
LINT_DIRS ?= core core/spill ingest storage pipeline cli fusion geo
format: deps
	$(FORMAT_FILES) | xargs clang-format -i
format-check: deps
	$(FORMAT_FILES) | xargs clang-format --dry-run --Werror
lint: configure
	cmake --build $(BUILD) -j $(JOBS) --target avf
	git ls-files $(addsuffix /*.cpp,$(LINT_DIRS)) | xargs -P $(JOBS) -n 1 clang-tidy -p $(BUILD) --quiet --warnings-as-errors='*' \
	  --header-filter='$(CURDIR)/(core|geo|ingest|fusion|storage|pipeline|cli)/'

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz
