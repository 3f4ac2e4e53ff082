# trustdesk — the two commands a newcomer needs are `make run` and `make test`.
BUILD ?= build
BUILD_SAN ?= build-san
BUILD_FUZZ ?= build-fuzz
FUZZ_TIME ?= 20
FUZZ_TARGETS := $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DB ?= sqlite:data/trustdesk.db
LISTEN ?= 127.0.0.1:8080

.PHONY: all build build-san deps run test bench clean fuzz check-src lint-openapi web e2e

all: build

deps:
	@bash scripts/deps.sh

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWERROR=ON >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-san:
	@cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DWERROR=ON -DASAN=ON -DUBSAN=ON >/dev/null
	@cmake --build $(BUILD_SAN) -j $(JOBS)

run: deps build web
	@bash scripts/run.sh "$(BUILD)/trustdesk" "$(DB)" "$(LISTEN)"

test: deps
	@bash scripts/test.sh

# The web app (web/ -> web/dist), served by `trustdesk serve` at /.
web:
	@bash scripts/web.sh

# Only the end-to-end tests (Chromium), against build/trustdesk and web/dist.
e2e: build web
	@node tests/e2e/run.mjs "$(BUILD)/trustdesk"

# libFuzzer (needs clang): each target for FUZZ_TIME seconds, starting from
# the seeds in tests/fuzz/corpus/<target>/ and the working corpus kept in
# $(BUILD_FUZZ)/corpus/<target>/ between runs; crashes land in
# $(BUILD_FUZZ)/crashes/<target>/. Not part of `make test`.
fuzz:
	@bash scripts/deps.sh --fuzz
	@cmake -S . -B $(BUILD_FUZZ) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DWERROR=ON -DFUZZ=ON -DUBSAN=ON >/dev/null
	@cmake --build $(BUILD_FUZZ) -j $(JOBS) --target $(FUZZ_TARGETS)
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD_FUZZ)/corpus/$$t $(BUILD_FUZZ)/crashes/$$t; \
		echo "== $$t ($(FUZZ_TIME) s)"; \
		$(BUILD_FUZZ)/$$t -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
			-artifact_prefix=$(BUILD_FUZZ)/crashes/$$t/ \
			$(BUILD_FUZZ)/corpus/$$t tests/fuzz/corpus/$$t; \
	done

bench: deps build
	@bash bench/run.sh "$(BUILD)/trustdesk"

check-src:
	@bash scripts/checksrc

lint-openapi:
	@bash scripts/lint-openapi.sh

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ)
