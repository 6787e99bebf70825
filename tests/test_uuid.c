/*
 * test_uuid.c: revision and job ids are UUIDv7, unique and ordered.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "uuid.h"

Test(uuid, has_version_7_and_the_rfc_variant)
{
	char	 id[UUID_STR_LEN];

	cr_assert_eq(uuid_v7(id), PIE_OK);
	cr_assert_eq(strlen(id), 36);
	cr_assert_eq(id[8], '-');
	cr_assert_eq(id[14], '7');
	cr_assert(strchr("89ab", id[19]) != NULL);
}

Test(uuid, successive_ids_strictly_increase)
{
	char	 prev[UUID_STR_LEN], id[UUID_STR_LEN];
	int	 i;

	uuid_v7(prev);
	for (i = 0; i < 10000; i++) {
		cr_assert_eq(uuid_v7(id), PIE_OK);
		cr_assert(strcmp(prev, id) < 0, "%s then %s", prev, id);
		memcpy(prev, id, sizeof(id));
	}
}
