/*
 * itconf.c: the stack's configuration, changed and restored by tests
 * (see itconf.h).
 */
#include <sys/stat.h>

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "itconf.h"
#include "itest.h"

#define ITCONF_MAX_WORKERS	256

static long	 itconf_log_offset;

/* A path below the stack directory (static storage, one per slot). */
static const char *
itconf_path(int slot, const char *rel)
{
	static char	 buf[4][PATH_MAX];

	snprintf(buf[slot], sizeof(buf[slot]), "%s/%s", it_stack_dir(), rel);
	return buf[slot];
}

#define ITCONF_CONF	itconf_path(0, "etc/pie.conf")
#define ITCONF_SAVED	itconf_path(1, "etc/pie.conf.before-test")
#define ITCONF_PID	itconf_path(2, "run/pie.pid")
#define ITCONF_LOG	itconf_path(3, "log/pie.log")

/* Replaces path by text in one rename, so no reader sees half a file. */
static void
itconf_replace(const char *path, const char *text)
{
	char	 tmp[PATH_MAX];
	FILE	*f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	cr_assert_not_null(f, "cannot write %s", tmp);
	cr_assert_eq(fputs(text, f) >= 0 && fclose(f) == 0, 1);
	chmod(tmp, 0600);
	cr_assert_eq(rename(tmp, path), 0, "cannot replace %s", path);
}

static pid_t
itconf_master(void)
{
	pid_t	 pid = it_master_pid();

	cr_assert_gt(pid, 0, "no live master in %s", ITCONF_PID);
	return pid;
}

void
itconf_save(void)
{
	char	*text;

	if (access(ITCONF_SAVED, F_OK) == 0) {
		text = it_read_file(ITCONF_SAVED, 0);
		itconf_replace(ITCONF_CONF, text);
		free(text);
		itconf_reload();
		return;
	}
	text = it_read_file(ITCONF_CONF, 0);
	itconf_replace(ITCONF_SAVED, text);
	free(text);
}

void
itconf_write(const char *keys, const char *extra)
{
	char	*orig = it_read_file(ITCONF_SAVED, 0), *out, *line, *next;
	size_t	 cap = strlen(orig) + (keys ? strlen(keys) : 0) +
	    (extra ? strlen(extra) : 0) + 64, len = 0;

	out = malloc(cap);
	cr_assert_not_null(out);
	for (line = orig; *line != '\0'; line = next) {
		next = line + strcspn(line, "\n");
		if (*next == '\n')
			*next++ = '\0';
		if (keys != NULL && strncmp(line, "public_keys", 11) == 0)
			len += (size_t)snprintf(out + len, cap - len,
			    "public_keys = %s\n", keys);
		else
			len += (size_t)snprintf(out + len, cap - len, "%s\n",
			    line);
		if (extra != NULL && strcmp(line, "[auth]") == 0)
			len += (size_t)snprintf(out + len, cap - len, "%s\n",
			    extra);
	}
	itconf_replace(ITCONF_CONF, out);
	free(out);
	free(orig);
}

void
itconf_write_raw(const char *text)
{
	itconf_replace(ITCONF_CONF, text);
}

/* 1 when no pid of old[0..n) is still a child of master. */
static int
itconf_replaced(pid_t master, const pid_t *old, int n)
{
	pid_t	 now[ITCONF_MAX_WORKERS];
	int	 m = it_children(master, now, ITCONF_MAX_WORKERS), i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < m; j++)
			if (old[i] == now[j])
				return 0;
	return m > 0;
}

int
itconf_reload(void)
{
	pid_t		 master = itconf_master(), old[ITCONF_MAX_WORKERS];
	int		 n, i, done = -1;
	struct stat	 st;
	char		*log;

	n = it_children(master, old, ITCONF_MAX_WORKERS);

	cr_assert_eq(stat(ITCONF_LOG, &st), 0, "no log at %s", ITCONF_LOG);
	itconf_log_offset = (long)st.st_size;
	cr_assert_eq(kill(master, SIGHUP), 0);

	for (i = 0; i < 200 && done < 0; i++) {
		usleep(100000);
		log = it_read_file(ITCONF_LOG, itconf_log_offset);
		if (strstr(log, "reload refused") != NULL)
			done = 0;
		else if (strstr(log, "reloaded ") != NULL &&
		    itconf_replaced(master, old, n))
			done = 1;
		free(log);
	}
	cr_assert_geq(done, 0, "the pool did not reload within 20 s");
	return done;
}

void
itconf_restore(void)
{
	char	*text;

	if (access(ITCONF_SAVED, F_OK) != 0)
		return;
	text = it_read_file(ITCONF_SAVED, 0);
	itconf_replace(ITCONF_CONF, text);
	free(text);
	itconf_reload();
	unlink(ITCONF_SAVED);
}

char *
itconf_log_since_reload(void)
{
	return it_read_file(ITCONF_LOG, itconf_log_offset);
}

void
itconf_new_key(const char *prefix, char *priv, char *pub)
{
	char	 cmd[3 * PATH_MAX];

	snprintf(priv, PATH_MAX, "%s/keys/%s-%ld.pem", it_stack_dir(), prefix,
	    (long)getpid());
	snprintf(pub, PATH_MAX, "%s/keys/%s-%ld.pub.pem", it_stack_dir(),
	    prefix, (long)getpid());
	snprintf(cmd, sizeof(cmd), "openssl genpkey -algorithm ed25519 "
	    "-out '%s' 2>/dev/null && openssl pkey -in '%s' -pubout "
	    "-out '%s' 2>/dev/null", priv, priv, pub);
	cr_assert_eq(system(cmd), 0, "cannot make a key pair");
}
