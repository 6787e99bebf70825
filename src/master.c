/*
 * master.c: the worker pool (see master.h).
 *
 * The master blocks every signal it handles and takes them one at a time
 * with sigtimedwait(2), so its whole life is one plain loop with no code
 * running in signal handlers.  The timeout wakes it for restarts that are
 * waiting out their backoff and for the systemd watchdog.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "auth.h"
#include "config.h"
#include "log.h"
#include "master.h"
#include "worker.h"

#define MASTER_MAX_WORKERS	 256
#define MASTER_QUICK_DEATH	 5	/* s: dying this young backs off */
#define MASTER_STOP_GRACE	 30	/* s: then stragglers are killed */

/* Set when the master made its own unix socket, which it then removes. */
static char		 master_socket_path[108];

struct master_slot {
	pid_t		 pid;		/* 0 when empty */
	unsigned	 generation;
	time_t		 started;
	time_t		 restart_at;	/* when empty and waiting */
	int		 failures;	/* quick deaths in a row */
};

struct master {
	const char		*file;
	struct config		*cfg;
	struct auth_ctx		*auth;
	int			 listen_fd;
	unsigned		 generation;
	struct master_slot	 slot[MASTER_MAX_WORKERS];
	/* Workers of older generations, draining after a reload. */
	pid_t			 old[MASTER_MAX_WORKERS * 4];
	size_t			 nold;
};

/* Tells systemd something when it is watching; a no-op otherwise. */
static void
master_notify(const char *state)
{
#ifdef HAVE_LIBSYSTEMD
	sd_notify(0, state);
#else
	(void)state;
#endif
}

/*
 * Tells systemd a reload has begun.  The timestamp lets it tell this
 * reload from an earlier one (Type=notify-reload needs it).
 */
static void
master_notify_reloading(void)
{
#ifdef HAVE_LIBSYSTEMD
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
#endif
}

enum pie_res
master_load(const char *file, struct config **cfgp, struct auth_ctx **authp,
    char *err, size_t errlen)
{
	struct auth_settings	 s;
	struct config		*cfg;
	enum pie_res		 res;
	char			 why[512];

	if ((res = config_load(file, &cfg, err, errlen)) != PIE_OK)
		return res;

	memset(&s, 0, sizeof(s));
	s.jwks_file = cfg->jwks_file;
	s.public_keys = cfg->public_keys;
	s.hmac_secret_file = cfg->hmac_secret_file;
	s.algorithms = cfg->algorithms;
	s.issuer = cfg->issuer;
	s.audience = cfg->audience;
	s.leeway = cfg->leeway;
	s.clients_claim = cfg->clients_claim;
	s.cache_size = cfg->token_cache_size;
	if ((res = auth_load(&s, authp, why, sizeof(why))) != PIE_OK) {
		snprintf(err, errlen, "%s: [auth]: %s", file, why);
		config_free(cfg);
		return res;
	}
	*cfgp = cfg;
	return PIE_OK;
}

/* Opens the unix socket of "unix:PATH".  Returns the fd or -1. */
static int
master_listen_unix(const char *path, unsigned mode)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_error("listen: socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);

	/* A socket file left by an earlier run would make bind fail. */
	if (unlink(path) != 0 && errno != ENOENT)
		log_warn("listen: cannot remove %s: %s", path,
		    strerror(errno));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    chmod(path, mode) != 0 || listen(fd, 1024) != 0) {
		log_error("listen: %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/*
 * Opens the TCP socket of "tcp:HOST:PORT"; an IPv6 HOST may be written
 * in brackets ("tcp:[::1]:9000").  Returns the fd or -1.
 */
static int
master_listen_tcp(const char *spec)
{
	struct addrinfo	 hints, *ai = NULL;
	char		 host[256];
	const char	*port = strrchr(spec, ':'), *h = spec;
	size_t		 hlen;
	int		 fd = -1, one = 1, rc;

	if (port == NULL || (size_t)(port - spec) >= sizeof(host)) {
		log_error("listen: expected tcp:HOST:PORT, not tcp:%s", spec);
		return -1;
	}
	hlen = (size_t)(port - spec);
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((rc = getaddrinfo(host, port + 1, &hints, &ai)) != 0) {
		log_error("listen: %s: %s", spec, gai_strerror(rc));
		return -1;
	}
	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, 1024) != 0) {
		log_error("listen: %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/*
 * Finds the listening socket: one passed by systemd, else the configured
 * one, else fd 0 when it is a listening socket (spawn-fcgi).  Returns the
 * fd, non-blocking, or -1 (logged).
 */
static int
master_listen(const struct config *cfg)
{
	int		 fd = -1, acc = 0;
	socklen_t	 len = sizeof(acc);

#ifdef HAVE_LIBSYSTEMD
	if (sd_listen_fds(1) >= 1) {
		fd = SD_LISTEN_FDS_START;
		log_info("listen: using the socket passed by systemd");
	}
#endif
	if (fd < 0 && cfg->listen != NULL) {
		if (strncmp(cfg->listen, "unix:", 5) != 0)
			fd = master_listen_tcp(cfg->listen + 4);
		else if ((fd = master_listen_unix(cfg->listen + 5,
		    cfg->socket_mode)) >= 0)
			snprintf(master_socket_path,
			    sizeof(master_socket_path), "%s",
			    cfg->listen + 5);
		if (fd < 0)
			return -1;
		log_info("listen: %s", cfg->listen);
	}
	if (fd < 0 && getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &acc,
	    &len) == 0 && acc) {
		fd = 0;
		log_info("listen: using the socket on standard input");
	}
	if (fd < 0) {
		log_error("listen: no socket: set [server] listen, or start "
		    "pie-fcgi under systemd socket activation or spawn-fcgi");
		return -1;
	}

	/* Workers poll before they accept; see worker.c. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
		log_error("listen: fcntl: %s", strerror(errno));
		return -1;
	}
	return fd;
}

/*
 * Writes the master's pid to the configured pid_file, if any.  Returns
 * 0, or -1 (logged) when the file cannot be written.
 */
static int
master_write_pid(const char *path)
{
	FILE	*f;

	if (path == NULL)
		return 0;
	if ((f = fopen(path, "w")) == NULL) {
		log_error("pid_file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fprintf(f, "%ld\n", (long)getpid()) < 0) {
		log_error("pid_file %s: %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	if (fclose(f) != 0) {
		log_error("pid_file %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Starts the worker of one slot.  Returns 0, or -1 when fork failed. */
static int
master_spawn(struct master *m, size_t i)
{
	sigset_t	 none;
	pid_t		 pid;

	if ((pid = fork()) < 0) {
		log_error("cannot fork a worker: %s", strerror(errno));
		m->slot[i].restart_at = time(NULL) + 1;
		return -1;
	}
	if (pid == 0) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGCHLD, SIG_DFL);
		worker_run(m->listen_fd, m->cfg, m->auth);
	}
	m->slot[i].pid = pid;
	m->slot[i].generation = m->generation;
	m->slot[i].started = time(NULL);
	m->slot[i].restart_at = 0;
	return 0;
}

/* Says in words how a child ended, for the log. */
static void
master_describe(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "was killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
}

/* Reaps every dead child and schedules the restarts. */
static void
master_reap(struct master *m, int stopping)
{
	char	 how[128];
	pid_t	 pid;
	size_t	 i;
	int	 status, delay;
	time_t	 now = time(NULL);

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		master_describe(status, how, sizeof(how));
		for (i = 0; i < m->nold; i++)
			if (m->old[i] == pid) {
				m->old[i] = m->old[--m->nold];
				log_info("old worker %ld %s", (long)pid, how);
				break;
			}
		for (i = 0; i < (size_t)m->cfg->workers; i++)
			if (m->slot[i].pid == pid)
				break;
		if (i == (size_t)m->cfg->workers)
			continue;

		m->slot[i].pid = 0;
		if (stopping) {
			log_info("worker %ld %s", (long)pid, how);
			continue;
		}

		/* Dying again and again backs off: 1, 2, 4 ... seconds. */
		if (now - m->slot[i].started < MASTER_QUICK_DEATH)
			m->slot[i].failures++;
		else
			m->slot[i].failures = 0;
		delay = m->slot[i].failures == 0 ? 0 :
		    1 << (m->slot[i].failures > 10 ? 10 :
		    m->slot[i].failures - 1);
		if (delay > m->cfg->restart_backoff_max)
			delay = m->cfg->restart_backoff_max;
		m->slot[i].restart_at = now + delay;
		log_warn("worker %ld %s; restarting it%s%d s", (long)pid, how,
		    delay > 0 ? " in " : " now, ", delay);
	}
}

/* Starts each empty slot whose restart time has come. */
static void
master_fill(struct master *m)
{
	time_t	 now = time(NULL);
	size_t	 i;

	for (i = 0; i < (size_t)m->cfg->workers; i++)
		if (m->slot[i].pid == 0 && m->slot[i].restart_at <= now)
			master_spawn(m, i);
}

/*
 * Re-reads the configuration and keys; on success replaces every worker
 * by one of the new generation, letting the old ones finish their
 * requests.  On failure everything stays as it was.
 */
static void
master_reload(struct master *m)
{
	struct config	*cfg;
	struct auth_ctx	*auth;
	char		 err[768];
	size_t		 i, first_old;

	master_notify_reloading();
	if (master_load(m->file, &cfg, &auth, err, sizeof(err)) != PIE_OK) {
		log_error("reload refused, keeping the running "
		    "configuration: %s", err);
		master_notify("READY=1");
		return;
	}
	if ((cfg->listen == NULL) != (m->cfg->listen == NULL) ||
	    (cfg->listen != NULL && strcmp(cfg->listen, m->cfg->listen)))
		log_warn("reload: a new [server] listen takes effect only "
		    "after a restart");

	/* The old workers are remembered, to be told to drain. */
	first_old = m->nold;
	for (i = 0; i < (size_t)m->cfg->workers; i++) {
		if (m->slot[i].pid == 0)
			continue;
		if (m->nold < sizeof(m->old) / sizeof(m->old[0]))
			m->old[m->nold++] = m->slot[i].pid;
		else
			kill(m->slot[i].pid, SIGTERM);
	}
	config_free(m->cfg);
	auth_free(m->auth);
	m->cfg = cfg;
	m->auth = auth;
	log_threshold = (enum log_level)log_level_parse(cfg->log_level);
	m->generation++;
	memset(m->slot, 0, sizeof(m->slot));

	/*
	 * The new workers start before the old ones stop, so there is
	 * always someone accepting on the socket.
	 */
	master_fill(m);
	for (i = first_old; i < m->nold; i++)
		kill(m->old[i], SIGTERM);
	log_info("reloaded %s: %d workers of generation %u", m->file,
	    cfg->workers, m->generation);
	master_notify("READY=1");
}

/* Stops every worker, waiting for in-flight requests to finish. */
static void
master_stop(struct master *m)
{
	time_t	 deadline = time(NULL) + MASTER_STOP_GRACE;
	size_t	 i, alive;

	master_notify("STOPPING=1");
	for (i = 0; i < (size_t)m->cfg->workers; i++)
		if (m->slot[i].pid != 0)
			kill(m->slot[i].pid, SIGTERM);
	for (i = 0; i < m->nold; i++)
		kill(m->old[i], SIGTERM);

	for (;;) {
		master_reap(m, 1);
		alive = m->nold;
		for (i = 0; i < (size_t)m->cfg->workers; i++)
			alive += m->slot[i].pid != 0;
		if (alive == 0)
			break;
		if (time(NULL) >= deadline) {
			log_warn("%zu workers still busy after %d s; killing "
			    "them", alive, MASTER_STOP_GRACE);
			for (i = 0; i < (size_t)m->cfg->workers; i++)
				if (m->slot[i].pid != 0)
					kill(m->slot[i].pid, SIGKILL);
			for (i = 0; i < m->nold; i++)
				kill(m->old[i], SIGKILL);
		}
		usleep(50000);
	}
}

int
master_run(const char *file, struct config *cfg, struct auth_ctx *auth)
{
	static struct master	 m;
	struct timespec		 tick = { 1, 0 };
	sigset_t		 set;
	siginfo_t		 info;
	int			 sig;

	m.file = file;
	m.cfg = cfg;
	m.auth = auth;
	m.generation = 1;
	if ((m.listen_fd = master_listen(cfg)) < 0 ||
	    master_write_pid(cfg->pid_file) != 0)
		return 1;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	master_fill(&m);
	log_info("started %d workers", cfg->workers);
	master_notify("READY=1");

	for (;;) {
		sig = sigtimedwait(&set, &info, &tick);
		if (sig == SIGTERM || sig == SIGINT) {
			log_info("stopping on signal %d", sig);
			break;
		}
		if (sig == SIGHUP)
			master_reload(&m);
		master_reap(&m, 0);
		master_fill(&m);
		master_notify("WATCHDOG=1");
	}

	master_stop(&m);
	close(m.listen_fd);
	if (master_socket_path[0] != '\0')
		unlink(master_socket_path);
	if (m.cfg->pid_file != NULL)
		unlink(m.cfg->pid_file);
	config_free(m.cfg);
	auth_free(m.auth);
	log_info("stopped");
	return 0;
}
