/*
 * main.c: pie-fcgi, the one binary.
 *
 *	pie-fcgi [-c FILE]		run the worker pool
 *	pie-fcgi -t [-c FILE]		check the configuration and keys
 *	pie-fcgi -m [-d DIR] [-c FILE]	apply the database migrations
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "config.h"
#include "log.h"
#include "master.h"
#include "migrate.h"

static void
usage(void)
{
	fprintf(stderr, "usage: pie-fcgi [-t | -m [-d dir]] "
	    "[-c config-file]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char	*file = PIE_SYSCONFDIR "/pie/pie.conf", *dir = NULL;
	struct config	*cfg;
	struct auth_ctx	*auth;
	char		 err[1024];
	int		 ch, test = 0, migrate = 0, rc;

	master_close_inherited();
	while ((ch = getopt(argc, argv, "c:d:mtV")) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'm':
			migrate = 1;
			break;
		case 't':
			test = 1;
			break;
		case 'V':
			printf("pie-fcgi %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc || (test && migrate))
		usage();

	if (master_load(file, &cfg, &auth, err, sizeof(err)) != PIE_OK) {
		fprintf(stderr, "pie-fcgi: %s\n", err);
		if (test)
			fprintf(stderr, "pie-fcgi: configuration file %s "
			    "test failed\n", file);
		return 1;
	}
	log_threshold = (enum log_level)log_level_parse(cfg->log_level);
	log_timestamps = cfg->log_timestamps;

	if (test) {
		printf("pie-fcgi: configuration file %s test is "
		    "successful\n", file);
		rc = 0;
	} else if (migrate)
		rc = migrate_run(cfg, dir) == PIE_OK ? 0 : 1;
	else
		return master_run(file, cfg, auth);

	config_free(cfg);
	auth_free(auth);
	return rc;
}
