# SkyTools in C: top-level Makefile.
#
#   make            build every component
#   make install    install the extensions into the server, the programs, and
#                   the library (PREFIX, default /usr/local; DESTDIR honoured)
#   make check      every test, as an unprivileged user (scripts/run-tests.sh)
#   make demo DIR=/tmp/skydemo   the README demo in a throwaway cluster
#   make bench      the benchmarks in bench/ (scripts/bench.sh)
#   make fuzz       libFuzzer on the row decoder (FUZZ_SECONDS=60)
#   make format     clang-format the C sources in place

EXTS = $(wildcard ext/*)
BINS = $(patsubst %/,%,$(wildcard bin/*/)) examples

.PHONY: all install check demo bench fuzz format clean lib $(EXTS) $(BINS)

all: $(EXTS) $(BINS)

$(EXTS):
	$(MAKE) -C $@

lib:
	$(MAKE) -C lib

$(BINS): lib
	$(MAKE) -C $@

install: all
	for e in $(EXTS) $(BINS) lib; do $(MAKE) -C $$e install || exit 1; done

check:
	scripts/run-tests.sh

bench:
	scripts/bench.sh

fuzz:
	$(MAKE) -C lib fuzz

demo:
	scripts/demo.sh $(DIR)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	for e in $(EXTS) $(BINS) lib; do $(MAKE) -C $$e clean; done
	rm -rf tmp_install tmp_check tmp_upstream tmp_upstream.debs tmp_upstream.py
