# config.mk: settings shared by every Makefile of the project.

PG_CONFIG ?= pg_config

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
