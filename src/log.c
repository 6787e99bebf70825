/*
 * log.c: the one logging family (see log.h).
 *
 * Lines are written with a single write(2) so that lines from several
 * workers sharing one stderr never interleave mid-line.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "log.h"

enum log_level	 log_threshold = LOG_LVL_INFO;
int		 log_timestamps;

static char	 log_reqid[64];

static const char *const log_names[] = { "debug", "info", "warn", "error" };

int
log_level_parse(const char *s)
{
	size_t	 i;

	for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
		if (strcmp(s, log_names[i]) == 0)
			return (int)i;
	return -1;
}

void
log_set_request_id(const char *id)
{
	if (id == NULL)
		log_reqid[0] = '\0';
	else
		snprintf(log_reqid, sizeof(log_reqid), "%s", id);
}

/*
 * Copies src into dst escaping control characters, backslashes and every
 * byte outside ASCII, so a line in the log is always exactly one line of
 * text, whatever bytes a path or a claim carried.  Returns the bytes
 * written.
 */
static size_t
log_escape(char *dst, size_t cap, const char *src)
{
	size_t		 n = 0;
	unsigned char	 c;

	for (; (c = (unsigned char)*src) != '\0' && n + 5 < cap; src++) {
		if (c < 0x20 || c >= 0x7f || c == '\\') {
			n += (size_t)snprintf(dst + n, cap - n, "\\x%02x", c);
			continue;
		}
		dst[n++] = (char)c;
	}
	dst[n] = '\0';
	return n;
}

const char *
log_field(char *buf, size_t len, const char *value)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 n = 0;
	unsigned char		 c;

	if (len == 0)
		return buf;
	for (; (c = (unsigned char)*value) != '\0'; value++) {
		if (c != ' ' && c != '"' && c != '=' && c != '%') {
			if (n + 1 >= len)
				break;
			buf[n++] = (char)c;
			continue;
		}
		if (n + 3 >= len)
			break;
		buf[n++] = '%';
		buf[n++] = hex[c >> 4];
		buf[n++] = hex[c & 15];
	}
	buf[n] = '\0';
	return buf;
}

/*
 * Writes the current UTC time with milliseconds and a space into buf
 * (at least 32 bytes).  Returns the bytes written.
 */
static size_t
log_time(char *buf, size_t len)
{
	struct timespec	 ts;
	struct tm	 tm;
	size_t		 n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(buf + n, len - n, ".%03ldZ ",
	    ts.tv_nsec / 1000000L);
	return n;
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	char	 raw[2048], line[4096];
	int	 saved = errno;
	size_t	 n = 0;
	va_list	 ap;

	if (lvl < log_threshold)
		return;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);

	if (log_timestamps)
		n = log_time(line, sizeof(line));
	n += (size_t)snprintf(line + n, sizeof(line) - n, "%s [%ld] [%s] ",
	    log_names[lvl], (long)getpid(),
	    log_reqid[0] != '\0' ? log_reqid : "-");
	n += log_escape(line + n, sizeof(line) - n - 1, raw);
	line[n++] = '\n';

	/* A failed log write has nowhere better to be reported. */
	if (write(STDERR_FILENO, line, n) < 0)
		(void)0;
	errno = saved;
}

void
log_openssl(enum log_level lvl, const char *what)
{
	char		 buf[256];
	unsigned long	 e;

	e = ERR_get_error();
	if (e == 0) {
		log_msg(lvl, "%s: no OpenSSL error queued", what);
		return;
	}
	ERR_error_string_n(e, buf, sizeof(buf));
	log_msg(lvl, "%s: %s", what, buf);
	ERR_clear_error();
}
