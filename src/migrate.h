/*
 * migrate.h: applying the schema in sql/ to a database.
 *
 * Migrations are files named NNN_name.sql, applied in order of NNN, each
 * once, recorded with its SHA-256 in the table schema_migrations.  A file
 * that changed after it was applied is an error, not a silent skip.
 */
#ifndef PIE_MIGRATE_H
#define PIE_MIGRATE_H

#include "result.h"

struct config;

/*
 * Applies the pending migrations of dir (the configured migrations_dir
 * when NULL).  Logs each file applied.  Returns PIE_OK when the database
 * is up to date.
 */
enum pie_res	 migrate_run(const struct config *, const char *dir);

#endif /* PIE_MIGRATE_H */
