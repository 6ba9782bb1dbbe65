# The two commands a newcomer needs: `make run` and `make test`.
# Everything else is a building block of those two.
BUILD_DIR ?= build
SAN_DIR   ?= build-sanitize
JOBS      ?= $(shell nproc)
CMAKE_GEN := -G Ninja

.PHONY: all deps build run test test-sanitize bench fuzz format clean

all: build

deps:
	@scripts/install-deps

$(BUILD_DIR)/build.ninja: CMakeLists.txt src/CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo

# `make build` never installs anything (it fails with the compiler's message
# when a package is missing); `make run` and `make test` install first.
build: $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: deps
	@$(MAKE) --no-print-directory build
	@scripts/run

test: deps
	@$(MAKE) --no-print-directory build
	cd $(BUILD_DIR) && ctest --output-on-failure

$(SAN_DIR)/build.ninja: CMakeLists.txt src/CMakeLists.txt
	cmake -S . -B $(SAN_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DTOCSIN_SANITIZE=ON

# The same unit and integration tests under AddressSanitizer + UBSan.
test-sanitize: deps $(SAN_DIR)/build.ninja
	cmake --build $(SAN_DIR) -j $(JOBS)
	cd $(SAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure

bench: deps build
	cmake --build $(BUILD_DIR) -j $(JOBS) --target probe_throughput
	bench/probe_vs_peers.sh
	cmake -S . -B $(BUILD_DIR)  # finds prometheus-cpp if `deps` just installed it
	cmake --build $(BUILD_DIR) -j $(JOBS) --target metrics_hotpath
	$(BUILD_DIR)/bench/metrics_hotpath --benchmark_repetitions=5 \
	  --benchmark_report_aggregates_only=true \
	  --benchmark_out=$(BUILD_DIR)/bench/metrics_hotpath.json --benchmark_out_format=json

# The scale of `tocsin serve` (bench/README.md): about 10 minutes, so not
# part of `bench`.
.PHONY: bench-scale
bench-scale: deps build
	cmake --build $(BUILD_DIR) -j $(JOBS) --target rollup_query
	python3 bench/serve_scale.py

# Alert delivery under load (bench/alert_delivery.py): latency from the
# confirming check to the email, and a 5,000-monitor storm; about 10 minutes.
.PHONY: bench-alerts
bench-alerts: deps build
	python3 bench/alert_delivery.py

# The REST API under load (bench/api_load.py): 10,000 monitors, a month of
# history, wrk against the monitor list, a summary and logins; about 8 minutes.
.PHONY: bench-api
bench-api: deps build
	cmake --build $(BUILD_DIR) -j $(JOBS) --target seed_history
	python3 bench/api_load.py

# The console in headless Chromium (bench/console_load.py): first-load size,
# a list of 10,000 monitors, a one-year chart; about 3 minutes.
.PHONY: bench-console
bench-console: deps build
	cmake --build $(BUILD_DIR) -j $(JOBS) --target seed_history
	python3 bench/console_load.py

# The weekly summaries of 1,000 users with 10 URLs each on 30 days of
# history (bench/weekly_summaries.py): CPU of one pass of the weekly job.
.PHONY: bench-weekly
bench-weekly: deps build
	cmake --build $(BUILD_DIR) -j $(JOBS) --target weekly_summaries
	python3 bench/weekly_summaries.py

# A public status page of 50 monitors with 90 days of history
# (bench/status_page_load.py): render time and throughput.
.PHONY: bench-status
bench-status: deps build
	cmake --build $(BUILD_DIR) -j $(JOBS) --target seed_history
	python3 bench/status_page_load.py

# libFuzzer targets for the parsers of outside input, each run for a while
# on its own corpus (kept in the build dir between runs), starting from the
# committed seeds and dictionary in tests/fuzz/ (docs/fuzzing.md). New inputs
# go to the first corpus directory only; the seeds are read, never written.
FUZZ_DIR     ?= build-fuzz
FUZZ_SECONDS ?= 20
FUZZ_SEEDS   := tests/fuzz
FUZZ_TARGETS := url_fuzz config_fuzz sketch_fuzz check_record_fuzz request_fuzz
fuzz: deps
	cmake -S . -B $(FUZZ_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTOCSIN_FUZZ=ON \
	  -DCMAKE_CXX_COMPILER=clang++
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target $(FUZZ_TARGETS)
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t && echo "fuzz: $$t for $(FUZZ_SECONDS)s" && \
	  $(FUZZ_DIR)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
	    -artifact_prefix=$(FUZZ_DIR)/$$t- \
	    -dict=$(FUZZ_SEEDS)/$$t.dict $(FUZZ_DIR)/corpus/$$t $(FUZZ_SEEDS)/$$t \
	    > $(FUZZ_DIR)/$$t.log 2>&1 || \
	    { tail -40 $(FUZZ_DIR)/$$t.log; exit 1; }; \
	  echo "fuzz: $$t: $$(grep -E '^#[0-9]+[[:space:]]+DONE' $(FUZZ_DIR)/$$t.log | tail -1)"; \
	done

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD_DIR) $(SAN_DIR)
