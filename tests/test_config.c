/*
 * test_config.c: reading pie.conf, and the errors a bad file gives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "config.h"

/* Writes text to a new temporary file; returns its path (static). */
static const char *
conf_file(const char *text)
{
	static char	 path[64];
	int		 fd;

	/* mkstemp's template ends in six X, which it replaces. */
	snprintf(path, sizeof(path), "/tmp/pie-test-conf-");
	memset(path + strlen(path), 'X', 6);
	path[sizeof("/tmp/pie-test-conf-") + 5] = '\0';
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static enum pie_res
load(const char *text, struct config **c, char *err)
{
	const char	*path = conf_file(text);
	enum pie_res	 res = config_load(path, c, err, 512);

	unlink(path);
	return res;
}

Test(config, defaults_apply_to_an_empty_file)
{
	struct config	*c;
	char		 err[512];

	cr_assert_eq(load("", &c, err), PIE_OK);
	cr_assert_eq(c->workers, 4);
	cr_assert_eq(c->max_body, 1 << 20);
	cr_assert_eq(c->leeway, 60);
	cr_assert_str_eq(c->clients_claim, "clients");
	cr_assert_null(c->listen);
	config_free(c);
}

Test(config, reads_every_section)
{
	struct config	*c;
	char		 err[512];

	cr_assert_eq(load("[server]\nlisten = unix:/tmp/x.sock\n"
	    "workers = 8\nsocket_mode = 0666\n; a comment\n"
	    "[database]\nsocket = /tmp/db.sock\nuser = u\npassword = p\n"
	    "[auth]\nleeway = 5\nissuer = https://id.example\n", &c, err),
	    PIE_OK, "%s", err);
	cr_assert_str_eq(c->listen, "unix:/tmp/x.sock");
	cr_assert_eq(c->workers, 8);
	cr_assert_eq(c->socket_mode, 0666);
	cr_assert_str_eq(c->db_socket, "/tmp/db.sock");
	cr_assert_str_eq(c->db_password, "p");
	cr_assert_eq(c->leeway, 5);
	cr_assert_str_eq(c->issuer, "https://id.example");
	config_free(c);
}

Test(config, unknown_key_is_named_with_its_line)
{
	struct config	*c = NULL;
	char		 err[512];

	cr_assert_eq(load("[server]\nworkers = 2\n\nwrokers = 3\n", &c, err),
	    PIE_ERR_INVALID);
	cr_assert(strstr(err, ":4: unknown key \"wrokers\" in [server]"),
	    "%s", err);
	cr_assert_null(c);
}

Test(config, out_of_range_number_is_refused)
{
	struct config	*c = NULL;
	char		 err[512];

	cr_assert_eq(load("[server]\nworkers = 0\n", &c, err),
	    PIE_ERR_INVALID);
	cr_assert(strstr(err, ":2: workers: expected a number between 1 "
	    "and 256"), "%s", err);
	cr_assert_eq(load("[server]\nworkers = 4x\n", &c, err),
	    PIE_ERR_INVALID);
}

Test(config, bad_listen_and_level_are_refused)
{
	struct config	*c = NULL;
	char		 err[512];

	cr_assert_eq(load("[server]\nlisten = /tmp/x\n", &c, err),
	    PIE_ERR_INVALID);
	cr_assert(strstr(err, "listen") != NULL, "%s", err);
	cr_assert_eq(load("[server]\nlog_level = loud\n", &c, err),
	    PIE_ERR_INVALID);
	cr_assert(strstr(err, "log_level") != NULL, "%s", err);
}

Test(config, secrets_are_read_from_files)
{
	struct config	*c;
	char		 err[512], text[256];
	const char	*secret = conf_file("s3cret\n");
	char		 spath[64];

	snprintf(spath, sizeof(spath), "%s", secret);
	snprintf(text, sizeof(text), "[database]\npassword_file = %s\n",
	    spath);
	cr_assert_eq(load(text, &c, err), PIE_OK, "%s", err);
	cr_assert_str_eq(c->db_password, "s3cret");
	config_free(c);

	snprintf(text, sizeof(text), "[database]\npassword = x\n"
	    "password_file = %s\n", spath);
	cr_assert_eq(load(text, &c, err), PIE_ERR_INVALID);
	cr_assert(strstr(err, "not both") != NULL, "%s", err);
	unlink(spath);

	cr_assert_eq(load("[database]\npassword_file = /nonexistent\n", &c,
	    err), PIE_ERR_INVALID);
	cr_assert(strstr(err, "/nonexistent") != NULL, "%s", err);
}

Test(config, missing_file_is_an_io_error)
{
	struct config	*c;
	char		 err[512];

	cr_assert_eq(config_load("/nonexistent/pie.conf", &c, err,
	    sizeof(err)), PIE_ERR_IO);
	cr_assert(strstr(err, "/nonexistent/pie.conf") != NULL);
}

Test(config, overlong_line_is_refused_with_its_number)
{
	struct config	*c = NULL;
	char		 err[512], text[600];

	snprintf(text, sizeof(text), "[auth]\nissuer = %0400d\n", 7);
	cr_assert_eq(load(text, &c, err), PIE_ERR_INVALID);
	cr_assert(strstr(err, ":2: line longer than") != NULL, "%s", err);
	cr_assert_null(c);
}
