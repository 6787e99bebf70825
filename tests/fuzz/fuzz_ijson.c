/*
 * fuzz_ijson.c: a libFuzzer target for the I-JSON reader.
 *
 * Every input must either be refused with a message or give a tree that
 * json-c writes back as JSON which the reader accepts again and finds
 * equal.  Accepted trees are also fed to the freeze and feature
 * validators and the compatibility check, which must not crash on any
 * shape of input.  Build (not part of make check):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    tests/fuzz/fuzz_ijson.c src/ijson.c src/body.c src/ident.c \
 *	    src/freeze.c src/feature.c \
 *	    $(pkg-config --cflags --libs json-c libcrypto) -o fuzz_ijson
 *	./fuzz_ijson tests/fuzz/corpus/ijson
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "feature.h"
#include "freeze.h"
#include "ijson.h"

/* Runs the validators over tree; only crashes and leaks matter. */
static void
fuzz_validators(struct json_object *tree)
{
	struct json_object	*blocking = NULL;
	struct verr		 err = { NULL, "" };
	char			*canon = NULL, *norm = NULL;

	if (freeze_validate(tree, &canon, &norm, &err) == PIE_OK) {
		free(canon);
		free(norm);
	}
	if (feature_validate(tree, "provided_features", &canon, &norm,
	    &err) == PIE_OK) {
		free(canon);
		free(norm);
	}
	if (feature_patch_validate(tree, "static_features", &norm,
	    &err) == PIE_OK)
		free(norm);
	if (json_object_is_type(tree, json_type_object) &&
	    feature_check(tree, tree, &blocking) == PIE_OK)
		json_object_put(blocking);
}

/* A refusal says something, and says it as clean UTF-8 text. */
static void
fuzz_message(const char *err)
{
	struct json_object	*o = NULL;
	char			 quoted[300];
	size_t			 i;

	if (memchr(err, '\0', 256) == NULL || err[0] == '\0')
		abort();
	snprintf(quoted, sizeof(quoted), "\"%s\"", err);
	for (i = 1; quoted[i + 1] != '\0'; i++)
		if (quoted[i] == '"' || quoted[i] == '\\')
			quoted[i] = '\'';
	if (ijson_parse(quoted, strlen(quoted), &o, NULL, 0) != PIE_OK)
		abort();
	json_object_put(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*tree = NULL, *again = NULL;
	const char		*text;
	char			 err[256];

	if (ijson_parse((const char *)data, size, &tree, err, sizeof(err)) !=
	    PIE_OK) {
		fuzz_message(err);
		return 0;
	}

	text = json_object_to_json_string_ext(tree, JSON_C_TO_STRING_PLAIN);
	if (text == NULL)
		abort();
	if (ijson_parse(text, strlen(text), &again, err, sizeof(err)) !=
	    PIE_OK || !json_object_equal(tree, again))
		abort();

	fuzz_validators(tree);
	json_object_put(again);
	json_object_put(tree);
	return 0;
}
