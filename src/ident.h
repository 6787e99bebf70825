/*
 * ident.h: the identifier rules of the API (API.md section 1).
 *
 * client_id, domain_id, service_id, model_id and capability match
 * ^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$ (a capability at most 64
 * characters); model_version matches ^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$.
 *
 * Feature names (a freeze's features and the keys of provided_features)
 * match ^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$: 1 to 128 ASCII letters,
 * digits, '_', '.', ':' or '-', not starting with '.', ':' or '-'.  They
 * are ASCII so that they compare the same in C and in SQL collations.
 *
 * The checks are plain byte tests, independent of the locale.
 */
#ifndef PIE_IDENT_H
#define PIE_IDENT_H

enum ident_kind {
	IDENT_NONE = 0,		/* no rule: every string is valid */
	IDENT_CLIENT,
	IDENT_DOMAIN,
	IDENT_SERVICE,
	IDENT_MODEL,
	IDENT_CAPABILITY,
	IDENT_MODEL_VERSION,
	IDENT_FEATURE
};

/*
 * Returns 1 when the NUL-terminated s follows the rule of kind, else 0
 * (also for a NULL s).
 */
int		 ident_valid(enum ident_kind kind, const char *s);

/*
 * The name of a kind for messages ("client_id", "model_version",
 * "feature name").  Never NULL; a static string.
 */
const char	*ident_kind_name(enum ident_kind kind);

#endif /* PIE_IDENT_H */
