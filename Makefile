# A thin layer over CMake presets so the README's two commands stay short.
# `make run`  : build (release) and run the app on profiles/default.yaml (headless without a display)
# `make test` : the whole test suite: every test in the ASan+UBSan build (-Werror), the
#               command-line and round-trip suites also on `gatehouse-headless` (the app linked
#               without the desktop UI: proves the engine and `serve` need no Widgets), and every
#               fuzz target for FUZZ_SECONDS, and the .deb built, linted, installed and purged
#               (package-test, as root). `make test-ci` runs every test in an optimised build;
#               `make test-headless` builds with the UI off altogether.
# `make package`: build/package/gatehouse_VERSION_ARCH.deb (CPack; SPEC §7.9)
# `make fuzz` : the libFuzzer targets (clang, ASan+UBSan), FUZZ_SECONDS each; docs/fuzzing.md
JOBS ?= $(shell nproc)
PROFILE ?= profiles/default.yaml
FUZZ_SECONDS ?= 60

.PHONY: deps run test test-ci test-asan test-headless build bench fuzz package package-test clean

deps:
	@bash installer/install-deps.sh

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

run: build
	./build/release/app/gatehouse $(PROFILE)

test: test-asan fuzz package-test

test-ci: deps
	cmake --preset ci >/dev/null
	cmake --build --preset ci -j $(JOBS)
	ctest --preset ci -j 2

test-asan: deps
	cmake --preset asan-ubsan >/dev/null
	cmake --build --preset asan-ubsan -j $(JOBS)
	ctest --preset asan-ubsan -j 2

# A build with the UI switched off; `make test` covers this with gatehouse-headless instead.
HEADLESS_TESTS = tst_commands tst_proxy_round_trip
test-headless: deps
	cmake --preset headless >/dev/null
	cmake --build --preset headless -j $(JOBS) --target gatehouse $(HEADLESS_TESTS)
	ctest --preset headless -j 2 -R '^($(subst $() ,|,$(HEADLESS_TESTS)))$$'

fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh

package: deps
	cmake --preset package >/dev/null
	cmake --build --preset package -j $(JOBS)
	cpack --preset package

# Builds the package itself (make package), then checks, installs and purges it.
package-test: deps
	bash tests/package/run.sh

bench: build
	bash bench/run.sh

clean:
	rm -rf build
