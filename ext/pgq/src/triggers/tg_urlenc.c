/*
 * tg_urlenc.c: the urlencoder shared with the client side (common/),
 * compiled here as one of the triggers' objects, so that PGXS installs
 * its JIT bitcode beside theirs (an object outside this directory would
 * put it outside the server's bitcode directory).
 */
#include "../../../../common/urlenc.c"
