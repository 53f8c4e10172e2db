# SkyTools in C: top-level Makefile.
#
#   make            build every component (and the man pages, with scdoc)
#   make install    install everything: the extensions where PG_CONFIG's
#                   server looks for them, the programs, library, headers,
#                   man pages, docs and systemd units under PREFIX (default
#                   /usr/local; see config.mk for BINDIR, LIBDIR, MANDIR,
#                   SYSCONFDIR, UNITDIR ...); DESTDIR is prepended to all
#   make check      every test, as an unprivileged user (scripts/run-tests.sh)
#   make deb        the Debian packages, into ../ (dpkg-buildpackage)
#   make demo DIR=/tmp/skydemo   the README demo in a throwaway cluster
#   make bench      the benchmarks in bench/ (scripts/bench.sh)
#   make fuzz       libFuzzer on the row decoder (FUZZ_SECONDS=60)
#   make format     clang-format the C sources in place

include config.mk

EXTS = $(patsubst %/,%,$(wildcard ext/*/))
PROGS = $(patsubst %/,%,$(wildcard bin/*/))
BINS = $(PROGS) examples
# the systemd units, with the install's paths filled in
UNITS = etc/systemd/pgqd.service etc/systemd/londiste@.service \
	etc/systemd/walmgr-syncdaemon@.service

.PHONY: all install check demo bench fuzz format clean lib $(EXTS) $(BINS) \
	programs man units install-ext install-programs install-lib \
	install-man install-units install-docs deb

all: $(EXTS) $(BINS) man units

programs: $(PROGS)

man:
	$(MAKE) -C doc/man

units: $(UNITS)

etc/systemd/%: etc/systemd/%.in FORCE
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $< > $@

FORCE:

$(EXTS):
	$(MAKE) -C $@

lib:
	$(MAKE) -C lib

$(BINS): lib
	$(MAKE) -C $@

install: install-ext install-programs install-lib install-man install-units \
	install-docs

install-ext: $(EXTS)
	$(MAKE) -C ext install

install-programs: programs
	for p in $(PROGS); do $(MAKE) -C $$p install || exit 1; done

install-lib: lib
	$(MAKE) -C lib install

install-man: man
	$(MAKE) -C doc/man install

install-units: units
	install -d '$(DESTDIR)$(UNITDIR)'
	install -m 644 $(UNITS) '$(DESTDIR)$(UNITDIR)/'

# the docs, the sample ini files and the example programs' sources
install-docs:
	install -d '$(DESTDIR)$(DOCDIR)/examples'
	install -m 644 README.md doc/*.md '$(DESTDIR)$(DOCDIR)/'
	install -m 644 etc/*.ini examples/*.c \
		'$(DESTDIR)$(DOCDIR)/examples/'

# binary packages from this tree (debian/), written to ../: the extensions
# for every PostgreSQL major whose server-dev package is installed
# (debian/control gets a postgresql-N-skytools for each)
deb:
	PG_SUPPORTED_VERSIONS=installed pg_buildext updatecontrol
	PG_SUPPORTED_VERSIONS=installed dpkg-buildpackage -b -us -uc -jauto

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
	for e in $(EXTS) $(BINS) lib doc/man; do $(MAKE) -C $$e clean; done
	rm -f $(UNITS)
	rm -rf tmp_install tmp_check tmp_upstream tmp_upstream.debs tmp_upstream.py
