# sqlext.mk: the PGXS part of an extension written in SQL and PL/pgSQL
# whose scripts scripts/sql-build.sh concatenates from sql/ (include lists
# install.list and upgrade.list).  The including Makefile sets EXTENSION
# and UPSTREAM_VERSIONS (the releases an update script starts from), then
# includes this file.  Tests run from the top level.

EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

INSTALL_SQL_FILE = $(EXTENSION)--$(EXTVERSION).sql
UPGRADE_SQL_FILES = $(foreach v,$(UPSTREAM_VERSIONS),$(EXTENSION)--$(v)--$(EXTVERSION).sql)
DATA_built = $(INSTALL_SQL_FILE) $(UPGRADE_SQL_FILES)
EXTRA_CLEAN = $(DATA_built)

SQL_SOURCES = $(wildcard sql/*.sql sql/*/*.sql sql/*.list) ../../scripts/sql-build.sh

include ../../config.mk

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(INSTALL_SQL_FILE): $(SQL_SOURCES) $(EXTENSION).control
	sh ../../scripts/sql-build.sh sql install.list $(EXTVERSION) > $@

$(UPGRADE_SQL_FILES): $(SQL_SOURCES) $(EXTENSION).control
	sh ../../scripts/sql-build.sh sql upgrade.list $(EXTVERSION) > $@
