/* store-schema.h — the compiled-in schema migrations (generated from
 * schema/NNNN-*.sql by build-aux/sql2c.sh). Internal to the store. */
#ifndef RP_STORE_SCHEMA_H
#define RP_STORE_SCHEMA_H

struct rp_migration {
	int version;	  /* NNNN of the file name */
	const char *name; /* the file name */
	const char *sql;
};

extern const struct rp_migration rp_migrations[];
extern const int rp_migration_count;

#endif
