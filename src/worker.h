/*
 * worker.h: one FastCGI worker process.
 *
 * A worker accepts connections on the shared listening socket and answers
 * one request at a time.  SIGTERM makes it finish the request in hand and
 * exit without accepting another; it never dies mid-response because of
 * a signal.
 */
#ifndef PIE_WORKER_H
#define PIE_WORKER_H

struct config;
struct auth_ctx;

/* Serves until told to stop, then exits the process.  Never returns. */
void	 worker_run(int listen_fd, const struct config *,
	    struct auth_ctx *) __attribute__((noreturn));

#endif /* PIE_WORKER_H */
