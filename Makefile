# trustdesk — the two commands a newcomer needs are `make run` and `make test`.
BUILD ?= build
BUILD_SAN ?= build-san
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DB ?= sqlite:data/trustdesk.db
LISTEN ?= 127.0.0.1:8080

.PHONY: all build build-san deps run test bench clean fuzz check-src lint-openapi

all: build

deps:
	@bash scripts/deps.sh

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWERROR=ON >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-san:
	@cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DWERROR=ON -DASAN=ON -DUBSAN=ON >/dev/null
	@cmake --build $(BUILD_SAN) -j $(JOBS)

run: deps build
	@bash scripts/run.sh "$(BUILD)/trustdesk" "$(DB)" "$(LISTEN)"

test: deps
	@bash scripts/test.sh

bench: deps build
	@bash bench/run.sh "$(BUILD)/trustdesk"

check-src:
	@bash scripts/checksrc

lint-openapi:
	@bash scripts/lint-openapi.sh

clean:
	rm -rf $(BUILD) $(BUILD_SAN)
