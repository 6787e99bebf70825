/*
 * routes.h: the table of every route pie answers.
 */
#ifndef PIE_ROUTES_H
#define PIE_ROUTES_H

#include <stddef.h>

#include "router.h"

extern const struct route	 routes[];
extern const size_t		 routes_count;

#endif /* PIE_ROUTES_H */
