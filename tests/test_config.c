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
	cr_assert_eq(c->log_timestamps, 0);
	cr_assert_eq(c->gateway_timeout, 30);
	cr_assert_eq(c->db_lock_wait_timeout, 5);
	cr_assert_eq(c->db_read_timeout, 15);
	cr_assert_eq(c->db_write_timeout, 15);
	cr_assert_eq(c->db_ping_timeout, 2);
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

/* Loads text, which must be refused; err gets the message. */
static void
refused(const char *text, char *err)
{
	struct config	*c = NULL;

	cr_assert_eq(load(text, &c, err), PIE_ERR_INVALID, "accepted: %s",
	    text);
	cr_assert_null(c);
}

/* Loads text, which must be accepted, and frees the result. */
static void
accepted(const char *text)
{
	struct config	*c = NULL;
	char		 err[512];

	cr_assert_eq(load(text, &c, err), PIE_OK, "%s: %s", text, err);
	config_free(c);
}

Test(config, rejects_a_key_given_twice_naming_both_lines)
{
	char	 err[512];

	refused("[server]\nworkers = 4\nlog_level = info\nworkers = 9\n",
	    err);
	cr_assert(strstr(err, ":4: workers is set twice in [server], on "
	    "line 2 and on line 4"), "%s", err);
}

Test(config, rejects_a_key_given_twice_in_a_repeated_section)
{
	char	 err[512];

	refused("[database]\nretries = 2\n[server]\nworkers = 4\n"
	    "[database]\nretries = 3\n", err);
	cr_assert(strstr(err, ":6: retries is set twice in [database], on "
	    "line 2 and on line 6"), "%s", err);
}

Test(config, rejects_password_and_password_file_naming_the_other_line)
{
	char		 err[512], text[256], spath[64];

	snprintf(spath, sizeof(spath), "%s", conf_file("s3cret\n"));
	snprintf(text, sizeof(text), "[database]\npassword_file = %s\n"
	    "name = pie\npassword = x\n", spath);
	refused(text, err);
	unlink(spath);
	cr_assert(strstr(err, ":4: set either password or password_file, "
	    "not both (the other is on line 2)"), "%s", err);
}

/* Each listen value must be refused on line 2 with words in its error. */
static void
listen_refused(const char *value, const char *words)
{
	char	 text[512], err[512];

	snprintf(text, sizeof(text), "[server]\nlisten = %s\nworkers = 2\n",
	    value);
	refused(text, err);
	cr_assert(strstr(err, ":2: listen: ") != NULL, "%s: %s", value, err);
	cr_assert(strstr(err, words) != NULL, "%s: %s", value, err);
}

Test(config, rejects_tcp_ports_outside_1_to_65535)
{
	listen_refused("tcp:127.0.0.1:99999", "\"99999\" is not a number "
	    "from 1 to 65535");
	listen_refused("tcp:127.0.0.1:65536", "\"65536\"");
	listen_refused("tcp:127.0.0.1:0", "\"0\"");
	listen_refused("tcp:127.0.0.1:-1", "\"-1\"");
	listen_refused("tcp:127.0.0.1:80x", "\"80x\"");
	listen_refused("tcp:127.0.0.1:000000080", "\"000000080\"");
}

Test(config, rejects_tcp_listen_without_a_host_or_a_port)
{
	listen_refused("tcp:localhost", "no port");
	listen_refused("tcp:127.0.0.1:", "no port after the host");
	listen_refused("tcp::9000", "no host");
	listen_refused("tcp:", "no port");
}

Test(config, rejects_tcp_hosts_that_cannot_be_bound)
{
	listen_refused("tcp:[::1", "no closing bracket");
	listen_refused("tcp:::1]:9000", "unbalanced brackets");
	listen_refused("tcp:[::1]x:9000", "no port");
	listen_refused("tcp:[nonsense]:9000", "\"nonsense\" is not an IPv6 "
	    "address");
	listen_refused("tcp:::1:9000", "goes in brackets: tcp:[::1]:9000");
	listen_refused("tcp:256.1.1.1:9000", "256.1.1.1 is not an IPv4 "
	    "address");
	listen_refused("tcp:no-such-host.invalid:9000", "cannot resolve "
	    "no-such-host.invalid");
}

Test(config, rejects_unix_listen_that_cannot_be_created)
{
	char	 longer[120], file[64], value[128], words[128];

	listen_refused("unix:", "needs the socket's path");
	listen_refused("unix:pie.sock", "pie.sock is not absolute");
	listen_refused("unix:/nonexistent-dir/pie.sock", "directory "
	    "/nonexistent-dir: No such file or directory");
	listen_refused("unix:/tmp/", "names a directory");

	/* A plain file is neither a directory nor a socket to replace. */
	snprintf(file, sizeof(file), "%s", conf_file("not a socket\n"));
	snprintf(value, sizeof(value), "unix:%s/pie.sock", file);
	snprintf(words, sizeof(words), "%s is not a directory", file);
	listen_refused(value, words);
	snprintf(value, sizeof(value), "unix:%s", file);
	listen_refused(value, "exists and is not a socket");
	unlink(file);

	memset(longer, 'a', sizeof(longer) - 1);
	memcpy(longer, "unix:/", 6);
	longer[sizeof(longer) - 1] = '\0';
	listen_refused(longer, "fit in a socket address");
	listen_refused("ftp:host:21", "expected unix:PATH or tcp:HOST:PORT");
}

Test(config, accepts_listen_values_that_can_start)
{
	accepted("[server]\nlisten = unix:/tmp/pie-test.sock\n");
	accepted("[server]\nlisten = unix:/pie.sock\n");
	accepted("[server]\nlisten = tcp:127.0.0.1:9000\n");
	accepted("[server]\nlisten = tcp:0.0.0.0:65535\n");
	accepted("[server]\nlisten = tcp:[::1]:1\n");
	accepted("[server]\nlisten = tcp:localhost:9000\n");
}

Test(config, rejects_lock_waits_that_outlast_the_gateway_timeout)
{
	char	 err[512];

	/* (4 + 1) x 6 s is 30 s with no room for the pauses. */
	refused("[database]\nlock_wait_timeout = 6\n", err);
	cr_assert(strstr(err, ":2: lock waits and retries can take 30.3 s")
	    != NULL, "%s", err);
	cr_assert(strstr(err, "gateway_timeout (30 s)") != NULL, "%s", err);

	refused("[database]\nlock_wait_timeout = 2\nretries = 14\n", err);
	cr_assert(strstr(err, ":3: lock waits") != NULL, "%s", err);

	/* The line named is the last of the keys that made it too long. */
	refused("[server]\ngateway_timeout = 20\n[database]\n"
	    "retries = 3\n", err);
	cr_assert(strstr(err, ":4: lock waits") != NULL, "%s", err);
	refused("[database]\nretries = 3\n[server]\n"
	    "gateway_timeout = 20\n", err);
	cr_assert(strstr(err, ":4: lock waits") != NULL, "%s", err);
}

Test(config, accepts_longer_lock_waits_behind_a_longer_gateway_timeout)
{
	struct config	*c = NULL;
	char		 err[512];

	cr_assert_eq(load("[server]\ngateway_timeout = 120\n[database]\n"
	    "lock_wait_timeout = 20\nread_timeout = 60\n", &c, err), PIE_OK,
	    "%s", err);
	cr_assert_eq(c->gateway_timeout, 120);
	cr_assert_eq(c->db_lock_wait_timeout, 20);
	cr_assert_eq(c->db_read_timeout, 60);
	config_free(c);
	accepted("[database]\nlock_wait_timeout = 1\nretries = 10\n");
}

Test(config, rejects_a_read_timeout_not_longer_than_the_lock_wait)
{
	char	 err[512];

	refused("[database]\nlock_wait_timeout = 3\nread_timeout = 3\n",
	    err);
	cr_assert(strstr(err, ":3: read_timeout (3 s) must be longer than "
	    "lock_wait_timeout (3 s)") != NULL, "%s", err);
}

Test(config, rejects_a_database_hang_that_outlasts_the_gateway_timeout)
{
	char	 err[512];

	refused("[database]\nread_timeout = 30\n", err);
	cr_assert(strstr(err, ":2: a database that stops answering would "
	    "hold a request 30 s") != NULL, "%s", err);
	refused("[database]\nwrite_timeout = 45\n", err);
	cr_assert(strstr(err, "45 s") != NULL, "%s", err);
	refused("[database]\nconnect_timeout = 20\nping_timeout = 10\n",
	    err);
	cr_assert(strstr(err, ":3: a database that stops answering") !=
	    NULL, "%s", err);
}

Test(config, reads_log_timestamps_as_on_or_off)
{
	struct config	*c = NULL;
	char		 err[512];

	cr_assert_eq(load("[server]\nlog_timestamps = on\n", &c, err),
	    PIE_OK, "%s", err);
	cr_assert_eq(c->log_timestamps, 1);
	config_free(c);
	cr_assert_eq(load("[server]\nlog_timestamps = no\n", &c, err),
	    PIE_OK, "%s", err);
	cr_assert_eq(c->log_timestamps, 0);
	config_free(c);
	refused("[server]\nlog_timestamps = 1\n", err);
	cr_assert(strstr(err, ":2: log_timestamps: expected on or off") !=
	    NULL, "%s", err);
}

Test(config, names_the_line_an_auth_error_is_about)
{
	struct config	*c = NULL;
	char		 err[512];

	cr_assert_eq(load("[server]\nworkers = 2\n\n[auth]\n"
	    "jwks_file = /etc/pie/jwks.json\n"
	    "public_keys = /k/a.pem /k/b.pem\nalgorithms = EdDSA\n", &c,
	    err), PIE_OK, "%s", err);
	cr_assert_eq(config_auth_line(c, "/k/b.pem: no PEM public key"), 6);
	cr_assert_eq(config_auth_line(c, "/etc/pie/jwks.json: not a JSON "
	    "object"), 5);
	cr_assert_eq(config_auth_line(c, "algorithms: \"XX\" is not a "
	    "known algorithm"), 7);
	cr_assert_eq(config_auth_line(c, "no usable verification key is "
	    "configured"), 4);
	config_free(c);

	/* With no [auth] section, the end of the file. */
	cr_assert_eq(load("[server]\nworkers = 2\n\n", &c, err), PIE_OK,
	    "%s", err);
	cr_assert_eq(config_auth_line(c, "no usable verification key is "
	    "configured"), 3);
	config_free(c);
}
