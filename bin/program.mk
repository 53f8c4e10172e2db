# bin/program.mk: how every program in bin/ is built and installed.  A
# program's Makefile sets PROGRAM, OBJS and HEADERS (what every object
# depends on), optionally PROGRAM_CFLAGS, PROGRAM_LIBS, PROGRAM_LDFLAGS and
# an "install-extra::" rule, then includes this file.
include ../../config.mk

LIBSKY = ../../lib/libskytools.a

CFLAGS += -std=gnu11 -O2 -g $(WARN_CFLAGS) $(SAN_FLAGS) \
	-I../../lib/include $(PROGRAM_CFLAGS) -I$(shell $(PG_CONFIG) --includedir)
LDLIBS = $(LIBSKY) $(SKY_LIBS) $(PROGRAM_LIBS)
LDFLAGS += $(SAN_FLAGS) $(PROGRAM_LDFLAGS)

all: $(PROGRAM)

$(PROGRAM): $(OBJS) $(LIBSKY)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(OBJS): $(HEADERS) $(SAN_STAMP)

# always ask lib/ (it rebuilds when its sources or flags change)
$(LIBSKY): FORCE
	$(MAKE) -C ../../lib

FORCE:

install: $(PROGRAM) install-extra
	install -d '$(DESTDIR)$(BINDIR)'
	install -m 755 $(PROGRAM) '$(DESTDIR)$(BINDIR)/$(PROGRAM)'

install-extra::

clean:
	rm -f $(PROGRAM) $(OBJS) .build-flags

.PHONY: all install install-extra clean FORCE
