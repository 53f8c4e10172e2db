# config.mk: settings shared by every Makefile of the project.

PG_CONFIG ?= pg_config

# Where 'make install' puts the programs, the library and the man pages
# (DESTDIR is prepended to each).  The extensions go where PG_CONFIG's
# server looks for them (pg_config --pkglibdir, --sharedir).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/skytools
SYSCONFDIR ?= $(PREFIX)/etc
UNITDIR ?= $(PREFIX)/lib/systemd/system

# Warnings are errors in our own C code.  PostgreSQL's headers trip
# -Wunused-parameter and -Wsign-compare, so those stay warnings-off for
# extension code.
WARN_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare \
	-Wno-missing-field-initializers
EXT_CFLAGS = $(WARN_CFLAGS)

# make SANITIZE=1: AddressSanitizer and UndefinedBehaviorSanitizer for the
# programs and unit tests.
ifeq ($(SANITIZE),1)
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

# $(SAN_STAMP): a file (.build-flags) that changes only when SAN_FLAGS
# does.  Programs and the library depend on it, so switching between
# SANITIZE=1 and a plain build rebuilds instead of linking a mix.
SAN_STAMP = $(shell f=.build-flags; [ "$$(cat $$f 2>/dev/null)" = "$(SAN_FLAGS)" ] || echo "$(SAN_FLAGS)" > $$f; echo $$f)
.build-flags: ;

# What a program linking lib/libskytools.a links besides it.
SKY_LIBS = -L$(shell $(PG_CONFIG) --libdir) -lpq -ljansson -levent -levent_pthreads -lpthread -lm
