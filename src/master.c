/*
 * master.c: the worker pool (see master.h).
 *
 * The master blocks every signal it handles and takes them one at a time
 * with sigtimedwait(2), so its whole life is one plain loop with no code
 * running in signal handlers.  The timeout wakes it for restarts that are
 * waiting out their backoff, for old workers that overstay a reload, and
 * for the systemd watchdog.  Workers are forked with those signals still
 * blocked, so a SIGTERM sent to a worker before it is ready waits for it.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <dirent.h>
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
#define MASTER_MAX_OLD		 (MASTER_MAX_WORKERS * 4)
#define MASTER_QUICK_DEATH	 5	/* s: dying this young backs off */
/*
 * Seconds a worker told to stop may take to finish its request before it
 * is killed.  A worker writes its answer only when the request is done,
 * so nginx, which waits fastcgi_read_timeout (30 s in nginx/fastcgi.conf)
 * for it, has answered 504 by then: no client still waits for what the
 * kill cuts short.
 */
#define MASTER_DRAIN_GRACE	 30

/*
 * Set when the master made its own unix socket, which it removes when it
 * stops; emptied once removed, so that a pool started on the same path
 * meanwhile keeps its socket.
 */
static char		 master_socket_path[108];

/* Times are seconds of CLOCK_MONOTONIC: a clock step moves no deadline. */
struct master_slot {
	pid_t		 pid;		/* 0 when empty */
	unsigned	 generation;
	time_t		 started;
	time_t		 restart_at;	/* when empty and waiting */
	int		 failures;	/* quick deaths in a row */
};

/* A worker of an older generation, draining after a reload. */
struct master_old {
	pid_t		 pid;
	time_t		 deadline;	/* then it is killed; 0 once it was */
};

struct master {
	const char		*file;
	struct config		*cfg;
	struct auth_ctx		*auth;
	pid_t			 self;
	int			 listen_fd;
	unsigned		 generation;
	struct master_slot	 slot[MASTER_MAX_WORKERS];
	struct master_old	 old[MASTER_MAX_OLD];
	size_t			 nold;
};

/* Seconds on the monotonic clock. */
static time_t
master_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

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
		snprintf(err, errlen, "%s:%d: [auth]: %s", file,
		    config_auth_line(cfg, why), why);
		config_free(cfg);
		return res;
	}
	*cfgp = cfg;
	return PIE_OK;
}

/*
 * Closes every descriptor from first on by walking /proc/self/fd, for
 * kernels older than close_range(2) (5.9).  Returns 0, or -1 (logged).
 */
static int
master_close_walk(int first)
{
	DIR		*d;
	struct dirent	*e;
	int		 fd;

	if ((d = opendir("/proc/self/fd")) == NULL) {
		log_error("cannot list /proc/self/fd to close inherited "
		    "descriptors: %s", strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && fd >= first && fd != dirfd(d))
			close(fd);
	}
	closedir(d);
	return 0;
}

void
master_close_inherited(void)
{
	int	 first = 3;

#ifdef HAVE_LIBSYSTEMD
	int	 n;

	/* Sockets systemd passes are this process's to serve on. */
	if ((n = sd_listen_fds(0)) > 0)
		first = SD_LISTEN_FDS_START + n;
#endif
	if (close_range((unsigned)first, ~0U, 0) != 0 &&
	    master_close_walk(first) != 0)
		log_warn("descriptors inherited from the parent stay open");
}

/*
 * Makes sure nothing else uses the socket path before it is bound.  A
 * connect(2) tells a live listener (even one with a full backlog, which
 * fails with EAGAIN) from a file left by a run that died, which refuses
 * it; only the latter is removed.  Returns 0 when the path is free now,
 * or -1 (logged).
 */
static int
master_claim_path(const struct sockaddr_un *sun)
{
	const char	*path = sun->sun_path;
	struct stat	 st;
	int		 fd, rc, err;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		log_error("listen: %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_error("listen: %s exists and is not a socket; not "
		    "replacing it", path);
		return -1;
	}

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) < 0) {
		log_error("listen: socket: %s", strerror(errno));
		return -1;
	}
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	err = errno;
	close(fd);
	if (rc == 0 || err == EAGAIN || err == EINPROGRESS) {
		log_error("listen: %s: another process accepts connections "
		    "on this socket (is pie-fcgi already running?); stop it "
		    "first", path);
		return -1;
	}
	if (err == ENOENT)
		return 0;
	if (err != ECONNREFUSED) {
		log_error("listen: %s: cannot tell whether the socket is in "
		    "use: %s", path, strerror(err));
		return -1;
	}

	if (unlink(path) != 0 && errno != ENOENT) {
		log_error("listen: cannot remove the stale socket %s: %s",
		    path, strerror(errno));
		return -1;
	}
	log_info("listen: removed the stale socket %s", path);
	return 0;
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

	if (master_claim_path(&sun) != 0)
		return -1;
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
 * Opens the TCP socket of "tcp:HOST:PORT", which config_load checked and
 * split into cfg->listen_host and cfg->listen_port.  Returns the fd or
 * -1 (logged).
 */
static int
master_listen_tcp(const struct config *cfg)
{
	struct addrinfo	 hints, *ai = NULL;
	int		 fd = -1, one = 1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((rc = getaddrinfo(cfg->listen_host, cfg->listen_port, &hints,
	    &ai)) != 0) {
		log_error("listen: %s: %s", cfg->listen, gai_strerror(rc));
		return -1;
	}
	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, 1024) != 0) {
		log_error("listen: %s: %s", cfg->listen, strerror(errno));
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
			fd = master_listen_tcp(cfg);
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

/* Removes the unix socket the master made, once. */
static void
master_unlink_socket(void)
{
	if (master_socket_path[0] == '\0')
		return;
	if (unlink(master_socket_path) != 0 && errno != ENOENT)
		log_warn("cannot remove %s: %s", master_socket_path,
		    strerror(errno));
	master_socket_path[0] = '\0';
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

/*
 * The first steps of a new worker: it must not outlive the master (killed,
 * or out of memory), so the kernel is asked to send it SIGTERM when the
 * master dies, which drains it like any stop.  A master that died before
 * the request was made is seen by the parent pid having changed.
 */
static void
master_child(struct master *m)
{
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
		log_warn("worker: cannot ask to be stopped with the master: "
		    "%s", strerror(errno));
	if (getppid() != m->self)
		raise(SIGTERM);
	worker_run(m->listen_fd, m->cfg, m->auth);
}

/* Starts the worker of one slot.  Returns 0, or -1 when fork failed. */
static int
master_spawn(struct master *m, size_t i)
{
	pid_t		 pid;

	if ((pid = fork()) < 0) {
		log_error("cannot fork a worker: %s", strerror(errno));
		m->slot[i].restart_at = master_now() + 1;
		return -1;
	}
	if (pid == 0)
		master_child(m);
	m->slot[i].pid = pid;
	m->slot[i].generation = m->generation;
	m->slot[i].started = master_now();
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

/*
 * Forgets an old worker that ended; says so when it was the last of the
 * generations a reload replaced.  Returns 1 when pid was an old worker.
 */
static int
master_reap_old(struct master *m, pid_t pid, const char *how, int stopping)
{
	size_t	 i;

	for (i = 0; i < m->nold; i++)
		if (m->old[i].pid == pid)
			break;
	if (i == m->nold)
		return 0;

	m->old[i] = m->old[--m->nold];
	log_info("old worker %ld %s", (long)pid, how);
	if (m->nold == 0 && !stopping)
		log_info("reload done: every worker is of generation %u",
		    m->generation);
	return 1;
}

/* Reaps every dead child and schedules the restarts. */
static void
master_reap(struct master *m, int stopping)
{
	char	 how[128];
	pid_t	 pid;
	size_t	 i;
	int	 status, delay;
	time_t	 now = master_now();

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		master_describe(status, how, sizeof(how));
		if (master_reap_old(m, pid, how, stopping))
			continue;
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
		if (delay > 0)
			log_warn("worker %ld %s; restarting it in %d s",
			    (long)pid, how, delay);
		else
			log_warn("worker %ld %s; restarting it now",
			    (long)pid, how);
	}
}

/* Starts each empty slot whose restart time has come. */
static void
master_fill(struct master *m)
{
	time_t	 now = master_now();
	size_t	 i;

	for (i = 0; i < (size_t)m->cfg->workers; i++)
		if (m->slot[i].pid == 0 && m->slot[i].restart_at <= now)
			master_spawn(m, i);
}

/*
 * Moves the workers of the current generation to the old ones, each with
 * the deadline of its drain, and empties the slots.  Returns the index in
 * m->old of the first one moved; they are told to stop by the caller.
 */
static size_t
master_retire(struct master *m)
{
	size_t	 i, first = m->nold;

	for (i = 0; i < (size_t)m->cfg->workers; i++) {
		if (m->slot[i].pid == 0)
			continue;
		if (m->nold < MASTER_MAX_OLD) {
			m->old[m->nold].pid = m->slot[i].pid;
			m->old[m->nold++].deadline = master_now() +
			    MASTER_DRAIN_GRACE;
			continue;
		}
		log_warn("too many old workers draining; %ld is told to "
		    "stop without a deadline", (long)m->slot[i].pid);
		kill(m->slot[i].pid, SIGTERM);
	}
	memset(m->slot, 0, sizeof(m->slot));
	return first;
}

/*
 * Moves the pid file to the path a new configuration names: writes the
 * new one and removes the old one.  Returns 0, or -1 (logged) when the
 * new file cannot be written, which leaves the old one in place.
 */
static int
master_move_pid(const char *from, const char *to)
{
	if (from == NULL ? to == NULL : to != NULL && strcmp(from, to) == 0)
		return 0;
	if (master_write_pid(to) != 0)
		return -1;
	if (from != NULL && unlink(from) != 0 && errno != ENOENT)
		log_warn("cannot remove the old pid_file %s: %s", from,
		    strerror(errno));
	return 0;
}

/*
 * Re-reads the configuration and keys; on success replaces every worker
 * by one of the new generation, letting the old ones finish the request
 * in hand.  On failure (a pid_file that cannot be written included)
 * everything stays as it was.
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
	if (master_move_pid(m->cfg->pid_file, cfg->pid_file) != 0) {
		log_error("reload refused, keeping the running "
		    "configuration: pid_file %s cannot be written",
		    cfg->pid_file);
		config_free(cfg);
		auth_free(auth);
		master_notify("READY=1");
		return;
	}
	if ((cfg->listen == NULL) != (m->cfg->listen == NULL) ||
	    (cfg->listen != NULL && strcmp(cfg->listen, m->cfg->listen)))
		log_warn("reload: a new [server] listen takes effect only "
		    "after a restart");

	first_old = master_retire(m);
	config_free(m->cfg);
	auth_free(m->auth);
	m->cfg = cfg;
	m->auth = auth;
	log_threshold = (enum log_level)log_level_parse(cfg->log_level);
	log_timestamps = cfg->log_timestamps;
	m->generation++;

	/*
	 * The new workers start before the old ones stop, so there is
	 * always someone accepting on the socket.  An old worker accepts
	 * nothing once told: the new configuration answers every
	 * connection accepted from here on.
	 */
	master_fill(m);
	for (i = first_old; i < m->nold; i++)
		kill(m->old[i].pid, SIGTERM);
	log_info("reloaded %s: %d workers of generation %u", m->file,
	    cfg->workers, m->generation);
	master_notify("READY=1");
}

/* Kills the old workers still running past their deadline. */
static void
master_expire_old(struct master *m)
{
	time_t	 now = master_now();
	size_t	 i;

	for (i = 0; i < m->nold; i++) {
		if (m->old[i].deadline == 0 || now < m->old[i].deadline)
			continue;
		log_warn("old worker %ld still busy %d s after it was told "
		    "to stop; killing it", (long)m->old[i].pid,
		    MASTER_DRAIN_GRACE);
		kill(m->old[i].pid, SIGKILL);
		m->old[i].deadline = 0;
	}
}

/* Sends sig to every worker, current and old. */
static void
master_signal_all(struct master *m, int sig)
{
	size_t	 i;

	for (i = 0; i < (size_t)m->cfg->workers; i++)
		if (m->slot[i].pid != 0)
			kill(m->slot[i].pid, sig);
	for (i = 0; i < m->nold; i++)
		kill(m->old[i].pid, sig);
}

/*
 * Stops every worker, waiting for the requests in hand to finish; a
 * worker that has not finished after MASTER_DRAIN_GRACE is killed.
 */
static void
master_stop(struct master *m)
{
	time_t		 deadline = master_now() + MASTER_DRAIN_GRACE;
	struct timespec	 nap = { 0, 100000000 };
	sigset_t	 chld;
	size_t		 i, alive;
	int		 killed = 0;

	master_notify("STOPPING=1");

	/*
	 * The workers accept nothing more; with the socket file gone nginx
	 * is refused at once instead of queueing connections that nobody
	 * will take, and a new pool may bind the path while this one
	 * drains.
	 */
	master_unlink_socket();
	master_signal_all(m, SIGTERM);

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		master_reap(m, 1);
		alive = m->nold;
		for (i = 0; i < (size_t)m->cfg->workers; i++)
			alive += m->slot[i].pid != 0;
		if (alive == 0)
			break;
		if (!killed && master_now() >= deadline) {
			log_warn("%zu workers still busy after %d s; killing "
			    "them", alive, MASTER_DRAIN_GRACE);
			master_signal_all(m, SIGKILL);
			killed = 1;
		}
		sigtimedwait(&chld, NULL, &nap);
	}
}

/*
 * The master's signals are blocked before anything can send one (a pid
 * file invites a SIGHUP), and stay blocked for good: they are taken by
 * sigtimedwait.
 */
static void
master_block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigprocmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
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
	m.self = getpid();
	m.generation = 1;
	master_block_signals(&set);
	if ((m.listen_fd = master_listen(cfg)) < 0)
		goto fail;
	if (master_write_pid(cfg->pid_file) != 0) {
		close(m.listen_fd);
		master_unlink_socket();
		goto fail;
	}

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
		master_expire_old(&m);
		master_notify("WATCHDOG=1");
	}

	master_stop(&m);
	close(m.listen_fd);
	master_unlink_socket();
	if (m.cfg->pid_file != NULL && unlink(m.cfg->pid_file) != 0)
		log_warn("cannot remove pid_file %s: %s", m.cfg->pid_file,
		    strerror(errno));
	config_free(m.cfg);
	auth_free(m.auth);
	log_info("stopped");
	return 0;

fail:
	config_free(cfg);
	auth_free(auth);
	return 1;
}
