# A thin layer over CMake presets so the README's two commands stay short.
# `make run`  : build (release) and run the app on profiles/default.yaml (headless without a display)
# `make test` : the whole test suite: CI build with -Werror, the ASan+UBSan build, and a build
#               without the desktop UI (proves the engine and `serve` need no Widgets)
# `make fuzz` : the libFuzzer targets (clang, ASan+UBSan), FUZZ_SECONDS each; docs/fuzzing.md
JOBS ?= $(shell nproc)
PROFILE ?= profiles/default.yaml
FUZZ_SECONDS ?= 60

.PHONY: deps run test test-ci test-asan test-headless build bench fuzz clean

deps:
	@bash installer/install-deps.sh

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

run: build
	./build/release/app/gatehouse $(PROFILE)

test: test-ci test-asan test-headless

test-ci: deps
	cmake --preset ci >/dev/null
	cmake --build --preset ci -j $(JOBS)
	ctest --preset ci -j 2

test-asan: deps
	cmake --preset asan-ubsan >/dev/null
	cmake --build --preset asan-ubsan -j $(JOBS)
	ctest --preset asan-ubsan -j 2

test-headless: deps
	cmake --preset headless >/dev/null
	cmake --build --preset headless -j $(JOBS)
	ctest --preset headless -j 2

fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh

bench: build
	bash bench/run.sh

clean:
	rm -rf build
