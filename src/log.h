/*
 * log.h: the one logging family.
 *
 * Every line goes to stderr (journald or the stack's log file) as
 * "LEVEL [pid] [request-id] message", after the UTC time when
 * log_timestamps is set (journald stamps lines itself; a plain file needs
 * the time to be read beside nginx's logs).  The request id is set by the
 * worker for the duration of a request.  Control characters and bytes
 * outside ASCII in the formatted message are escaped (\xNN), so a hostile
 * path cannot forge log lines or break a log reader's decoding.  A level
 * below the configured one costs a comparison and nothing more.
 */
#ifndef PIE_LOG_H
#define PIE_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LVL_DEBUG = 0,
	LOG_LVL_INFO,
	LOG_LVL_WARN,
	LOG_LVL_ERROR
};

extern enum log_level log_threshold;
/* 1: each line starts with the time, 2026-12-04T07:28:41.027Z. */
extern int	 log_timestamps;

/* Parses "debug", "info", "warn" or "error"; -1 when unknown. */
int	 log_level_parse(const char *);
/* Sets the request id shown on each line; NULL clears it.  Copied. */
void	 log_set_request_id(const char *);

void	 log_msg(enum log_level, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#define log_debug(...) do { if (log_threshold <= LOG_LVL_DEBUG) \
	log_msg(LOG_LVL_DEBUG, __VA_ARGS__); } while (0)
#define log_info(...) do { if (log_threshold <= LOG_LVL_INFO) \
	log_msg(LOG_LVL_INFO, __VA_ARGS__); } while (0)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)

/*
 * Copies value into buf (len bytes, truncated whole) so that it reads as
 * one key=value field of a line: a space, '"', '=' and '%' are written
 * %20, %22, %3D and %25, so a value cannot end its field early or fake
 * another.  Returns buf.
 */
const char	*log_field(char *buf, size_t len, const char *value);

/* Logs the pending OpenSSL error queue as one line, then clears it. */
void	 log_openssl(enum log_level, const char *what);

#endif /* PIE_LOG_H */
