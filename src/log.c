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
#include <unistd.h>

#include <openssl/err.h>

#include "log.h"

enum log_level	 log_threshold = LOG_LVL_INFO;

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

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	char	 raw[2048], line[4096];
	int	 saved = errno;
	size_t	 n;
	va_list	 ap;

	if (lvl < log_threshold)
		return;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);

	n = (size_t)snprintf(line, sizeof(line), "%s [%ld] [%s] ",
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
