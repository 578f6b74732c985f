# Convenience wrapper around CMake; the README's two commands use it.
#   make            build (build/)
#   make demo       build and run the bundled offline sample (SPF checks)
#   make check      build and run the whole test suite (ctest summary line)
#   make asan       the whole suite under AddressSanitizer + UBSan (build-asan/)
#   make fuzz       build the libFuzzer targets with clang (build-fuzz/)
#   make bench      build the benchmarks
JOBS ?= 2
MAKEFLAGS += --no-print-directory
BUILD ?= build

all: $(BUILD)/Makefile
	@cmake --build $(BUILD) -j$(JOBS)

$(BUILD)/Makefile:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

demo: all
	@bash samples/demo.sh $(BUILD)/mailwarden

check: all
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

asan:
	@cmake -S . -B build-asan -DMW_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build-asan -j$(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j$(JOBS)

fuzz:
	@CC=clang cmake -S . -B build-fuzz -DMW_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build-fuzz -j$(JOBS)

bench: all
	@cmake --build $(BUILD) -j$(JOBS) --target $$(cd bench && ls bench_*.c | sed 's/\.c$$//' | tr '\n' ' ')

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all demo check asan fuzz bench clean
