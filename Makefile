# gradscope: the two commands are `make serve` and `make test`; the rest are their steps.
#   make serve   set up, build the web app, assemble dist/, serve it on http://127.0.0.1:8000
#   make test    set up, build natively and for the web, run every test through CTest
#   make bench   speed table: native CLI, wasm under node, PyTorch (bench/speed.py)
#   make bench-page   the built page's load, training and frame times in Chromium
#   make soak    the page left running for SOAK_MINUTES (60), its memory sampled every minute
#   make native | web | dist | clean
#   make sanitize   the native unit suite built with ASan + UBSan (build/sanitize); not in `make test`
#   make fuzz       the config parser under libFuzzer for FUZZ_SECONDS (build/fuzz); not in `make test`
SHELL := /bin/bash
JOBS ?= 2
PORT ?= 8000
# Third-party sources and the SDL2 wasm build, outside the repo (scripts/setup.sh fills it).
GRADSCOPE_CACHE ?= $(HOME)/.cache/gradscope
export GRADSCOPE_CACHE
CACHE := $(GRADSCOPE_CACHE)
EMSCRIPTEN_TOOLCHAIN := /usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake
# Debian's Emscripten needs node-acorn from here (docs/ARCHITECTURE.md, the toolchain).
export NODE_PATH := /usr/share/nodejs

WEB_FLAGS := -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE=$(EMSCRIPTEN_TOOLCHAIN) \
	-DEigen3_DIR=/usr/share/eigen3/cmake \
	-DIMGUI_DIR=$(CACHE)/src/imgui-1.86 -DSDL2_WASM_PREFIX=$(CACHE)/sdl2-2.26.5-wasm

.PHONY: serve test native web dist clean

serve: dist
	@echo "gradscope at http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	cd dist && python3 -m http.server $(PORT) --bind 127.0.0.1

test:
	scripts/setup.sh all
	$(MAKE) --no-print-directory native-build dist-files
	cmake -S . -B build/native -DGRADSCOPE_BROWSER_TESTS=ON \
		-DGRADSCOPE_SCREENSHOT_DIR="$(CURDIR)/build/screenshots" >/dev/null
	cd build/native && ctest --output-on-failure -j1

native:
	scripts/setup.sh native
	$(MAKE) --no-print-directory native-build

web:
	scripts/setup.sh web
	$(MAKE) --no-print-directory web-build

dist:
	scripts/setup.sh web
	$(MAKE) --no-print-directory dist-files

# Speed, reported and not tested (no thresholds). PyTorch is Debian's, under Debian's python.
.PHONY: bench bench-page soak
SOAK_MINUTES ?= 60
bench:
	scripts/setup.sh native
	scripts/setup.sh web
	$(MAKE) --no-print-directory native-build bench-wasm-build
	OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/speed.py

bench-page: dist
	scripts/setup.sh browser
	node bench/page_bench.mjs --dist dist

soak: dist
	scripts/setup.sh browser
	node bench/page_soak.mjs --dist dist --minutes $(SOAK_MINUTES)

clean:
	rm -rf build dist

# --- checks beyond `make test`, each a build of its own: run before a release (README) ---
.PHONY: sanitize fuzz
# The whole native unit suite (and the CLI it starts) built with AddressSanitizer +
# UndefinedBehaviorSanitizer; a finding ends its process with exit code 1, failing the test (or
# the test's check of the CLI's exit code). ASan and LeakSanitizer reports also go to files, so
# that none is lost in a CLI run's stderr: any file fails the run and is printed. (GCC's UBSan
# runtime, combined with ASan, writes to stderr whatever log_path says.)
SANITIZE_REPORTS := $(CURDIR)/build/sanitize/reports
sanitize:
	scripts/setup.sh sanitize
	cmake -S . -B build/sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRADSCOPE_SANITIZE=ON
	cmake --build build/sanitize -j$(JOBS)
	rm -rf "$(SANITIZE_REPORTS)" && mkdir -p "$(SANITIZE_REPORTS)"
	cd build/sanitize && status=0; \
	ASAN_OPTIONS=check_initialization_order=1:detect_stack_use_after_return=1:strict_string_checks=1:log_path="$(SANITIZE_REPORTS)/asan" \
	UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j$(JOBS) || status=$$?; \
	if [ -n "$$(ls -A "$(SANITIZE_REPORTS)")" ]; then \
		cat "$(SANITIZE_REPORTS)"/*; echo "make sanitize: sanitizer reports above"; exit 1; fi; \
	exit $$status

# libFuzzer on the config parser (tests/fuzz/config_fuzz.cpp) for FUZZ_SECONDS, built with
# clang in build/fuzz. New inputs collect in build/fuzz/corpus/config, next to the committed
# seeds in tests/fuzz/corpus/config; a failing input is saved to build/fuzz/crashes/.
FUZZ_SECONDS ?= 60
fuzz:
	scripts/setup.sh fuzz
	cmake -S tests/fuzz -B build/fuzz -DCMAKE_CXX_COMPILER=clang++-14
	cmake --build build/fuzz -j$(JOBS)
	mkdir -p build/fuzz/corpus/config build/fuzz/crashes
	@echo "fuzzing the config parser for $(FUZZ_SECONDS) s (log: build/fuzz/config_fuzz.log)"
	@build/fuzz/config_fuzz -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		-dict=tests/fuzz/config.dict -artifact_prefix=build/fuzz/crashes/ \
		build/fuzz/corpus/config tests/fuzz/corpus/config >build/fuzz/config_fuzz.log 2>&1 \
		|| { tail -n 60 build/fuzz/config_fuzz.log; echo "make fuzz: failed, input saved in build/fuzz/crashes/"; exit 1; }
	@echo "make fuzz: clean, $$(sed -n 's/^stat::number_of_executed_units: *//p' build/fuzz/config_fuzz.log) executions in $(FUZZ_SECONDS) s, corpus $$(ls build/fuzz/corpus/config | wc -l) + $$(ls tests/fuzz/corpus/config | wc -l) seeds"

# --- steps without the setup ---
.PHONY: native-build web-build bench-wasm-build dist-files
native-build:
	cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release
	cmake --build build/native -j$(JOBS)

web-build:
	cmake -S . -B build/web $(WEB_FLAGS)
	cmake --build build/web -j$(JOBS)

# Only the benchmark for node (build/web/bench.js): core, without the app, SDL or ImGui.
bench-wasm-build:
	cmake -S . -B build/web $(WEB_FLAGS)
	cmake --build build/web -j$(JOBS) --target gradscope_bench_node

# dist/ is the whole static site: the page shell, the UI module (app.js, app.wasm), and the
# compute worker (worker.js loading compute.js, compute.wasm).
dist-files: web-build
	rm -rf dist && mkdir -p dist
	cp index.html web/worker/worker.js build/web/app.js build/web/app.wasm build/web/compute.js \
		build/web/compute.wasm dist/
	scripts/notices.sh dist/THIRD_PARTY_NOTICES.txt
	@ls -l dist | tail -n +2
