/* The system's SQLite (Debian libsqlite3-dev), found through pkg-config "sqlite3". */
#ifndef CHORUS_CSQLITE_SHIM_H
#define CHORUS_CSQLITE_SHIM_H
#include <sqlite3.h>

/* SQLITE_TRANSIENT is a macro Swift cannot import: it tells SQLite to copy a bound value. */
static inline sqlite3_destructor_type chorus_sqlite_transient(void) { return SQLITE_TRANSIENT; }
#endif
