#!/usr/bin/python3
"""tests/openapi/check.py: checks docs/openapi.yaml against the code.

Usage: check.py OPENAPI_YAML ROUTES_C

1. The document has the structure of an OpenAPI 3.1 description (the
   structure below, written from the specification's field tables).
2. Every Schema Object is a valid JSON Schema 2020-12 schema, every $ref
   points at something, every path template parameter is declared, and
   operationIds are unique.
3. Every example validates against the schema beside it.
4. The routes (method and pattern) are exactly those of src/routes.c, and
   each operation's security lists the scopes routes.c admits.

Prints one line per problem and exits 1 when there is any.
"""
import re
import sys

import yaml
from jsonschema import Draft202012Validator, RefResolver

METHODS = ["get", "put", "post", "delete", "options", "head", "patch",
           "trace"]
EXT = {"^x-": {}}


def obj(props, required=(), extra=None):
    """A closed JSON Schema object with specification extensions."""
    s = {"type": "object", "properties": props,
         "patternProperties": dict(EXT), "additionalProperties": False}
    if required:
        s["required"] = list(required)
    if extra:
        s.update(extra)
    return s


def ref_or(name):
    return {"oneOf": [{"$ref": "#/$defs/reference"},
                      {"$ref": "#/$defs/" + name}]}


def map_of(name):
    return {"type": "object", "propertyNames":
            {"pattern": "^[A-Za-z0-9._-]+$"},
            "additionalProperties": ref_or(name)}


ANY = {}
STR = {"type": "string"}
BOOL = {"type": "boolean"}

STRUCTURE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {
        "reference": obj({"$ref": STR, "summary": STR, "description": STR},
                         ["$ref"]),
        "info": obj({"title": STR, "summary": STR, "description": STR,
                     "termsOfService": STR,
                     "contact": {"type": "object"},
                     "license": obj({"name": STR, "identifier": STR,
                                     "url": STR}, ["name"]),
                     "version": STR}, ["title", "version"]),
        "server": obj({"url": STR, "description": STR,
                       "variables": {"type": "object"}}, ["url"]),
        "tag": obj({"name": STR, "description": STR,
                    "externalDocs": {"type": "object"}}, ["name"]),
        "security": {"type": "array", "items": {
            "type": "object",
            "additionalProperties": {"type": "array",
                                     "items": STR}}},
        "example": obj({"summary": STR, "description": STR,
                        "value": ANY, "externalValue": STR}),
        "header": obj({"description": STR, "required": BOOL,
                       "deprecated": BOOL, "schema": ANY,
                       "example": ANY,
                       "examples": map_of("example"),
                       "content": {"type": "object"},
                       "style": STR, "explode": BOOL}),
        "media": obj({"schema": ANY, "example": ANY,
                      "examples": map_of("example"),
                      "encoding": {"type": "object"}}),
        "content": {"type": "object",
                    "propertyNames": {"pattern": "^[^/]+/[^/]+$"},
                    "additionalProperties": {"$ref": "#/$defs/media"}},
        "parameter": obj({"name": STR,
                          "in": {"enum": ["query", "header", "path",
                                          "cookie"]},
                          "description": STR, "required": BOOL,
                          "deprecated": BOOL, "allowEmptyValue": BOOL,
                          "style": STR, "explode": BOOL,
                          "allowReserved": BOOL, "schema": ANY,
                          "example": ANY,
                          "examples": map_of("example"),
                          "content": {"$ref": "#/$defs/content"}},
                         ["name", "in"],
                         {"oneOf": [{"required": ["schema"]},
                                    {"required": ["content"]}],
                          "if": {"properties": {"in": {"const": "path"}}},
                          "then": {"required": ["required"],
                                   "properties": {"required":
                                                  {"const": True}}}}),
        "requestBody": obj({"description": STR,
                            "content": {"$ref": "#/$defs/content"},
                            "required": BOOL}, ["content"]),
        "response": obj({"description": STR,
                         "headers": map_of("header"),
                         "content": {"$ref": "#/$defs/content"},
                         "links": {"type": "object"}}, ["description"]),
        "responses": {"type": "object", "minProperties": 1,
                      "propertyNames": {
                          "pattern": "^([1-5](\\d\\d|XX)|default|x-.*)$"},
                      "additionalProperties": ref_or("response")},
        "operation": obj({"tags": {"type": "array", "items": STR},
                          "summary": STR, "description": STR,
                          "externalDocs": {"type": "object"},
                          "operationId": STR,
                          "parameters": {"type": "array",
                                         "items": ref_or("parameter")},
                          "requestBody": ref_or("requestBody"),
                          "responses": {"$ref": "#/$defs/responses"},
                          "callbacks": {"type": "object"},
                          "deprecated": BOOL,
                          "security": {"$ref": "#/$defs/security"},
                          "servers": {"type": "array",
                                      "items": {"$ref": "#/$defs/server"}}},
                         ["responses"]),
        "pathItem": obj(dict({"$ref": STR, "summary": STR,
                              "description": STR,
                              "servers": {"type": "array"},
                              "parameters": {"type": "array",
                                             "items": ref_or("parameter")}},
                             **{m: {"$ref": "#/$defs/operation"}
                                for m in METHODS})),
        "securityScheme": obj({"type": {"enum": ["apiKey", "http",
                                                 "mutualTLS", "oauth2",
                                                 "openIdConnect"]},
                               "description": STR, "name": STR, "in": STR,
                               "scheme": STR, "bearerFormat": STR,
                               "flows": {"type": "object"},
                               "openIdConnectUrl": STR}, ["type"]),
    },
    **obj({"openapi": {"type": "string", "pattern": "^3\\.1\\.\\d+$"},
           "info": {"$ref": "#/$defs/info"},
           "jsonSchemaDialect": STR,
           "servers": {"type": "array", "items": {"$ref": "#/$defs/server"}},
           "paths": {"type": "object",
                     "propertyNames": {"pattern": "^(/|x-)"},
                     "additionalProperties": {"$ref": "#/$defs/pathItem"}},
           "webhooks": {"type": "object"},
           "components": obj({
               "schemas": {"type": "object"},
               "responses": map_of("response"),
               "parameters": map_of("parameter"),
               "examples": map_of("example"),
               "requestBodies": map_of("requestBody"),
               "headers": map_of("header"),
               "securitySchemes": map_of("securityScheme"),
               "links": {"type": "object"},
               "callbacks": {"type": "object"},
               "pathItems": {"type": "object"}}),
           "security": {"$ref": "#/$defs/security"},
           "tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}},
           "externalDocs": {"type": "object"}},
          ["openapi", "info"],
          {"anyOf": [{"required": ["paths"]},
                     {"required": ["components"]},
                     {"required": ["webhooks"]}]}),
}

problems = []


def problem(msg):
    problems.append(msg)


def resolve(doc, ref):
    if not ref.startswith("#/"):
        problem("external $ref not allowed: " + ref)
        return None
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            problem("$ref points at nothing: " + ref)
            return None
        node = node[part]
    return node


def walk_refs(doc, node, where):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            resolve(doc, node["$ref"])
        for k, v in node.items():
            walk_refs(doc, v, where + "/" + str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            walk_refs(doc, v, "%s[%d]" % (where, i))


def deref(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        node = resolve(doc, node["$ref"])
    return node


def check_schemas(doc):
    for name, s in doc.get("components", {}).get("schemas", {}).items():
        try:
            Draft202012Validator.check_schema(s)
        except Exception as e:  # the message says what is wrong
            problem("components/schemas/%s: %s" % (name, e))


def validate_example(doc, schema, value, where):
    resolver = RefResolver(base_uri="", referrer=doc)
    v = Draft202012Validator(schema, resolver=resolver)
    for e in v.iter_errors(value):
        problem("%s: example does not match its schema: %s at %s" %
                (where, e.message, "/".join(map(str, e.path))))


def check_media(doc, media, where):
    schema = media.get("schema")
    if schema is None:
        return
    if "example" in media:
        validate_example(doc, schema, media["example"], where)
    for name, ex in media.get("examples", {}).items():
        ex = deref(doc, ex)
        if ex is not None and "value" in ex:
            validate_example(doc, schema, ex["value"],
                             where + " example " + name)


def check_examples(doc):
    comps = doc.get("components", {})
    for name, s in comps.get("schemas", {}).items():
        if isinstance(s, dict) and "example" in s:
            validate_example(doc, s, s["example"], "schema " + name)
    for kind in ("responses", "requestBodies"):
        for name, r in comps.get(kind, {}).items():
            for mt, media in r.get("content", {}).items():
                check_media(doc, media, "%s/%s %s" % (kind, name, mt))
    for path, item in doc.get("paths", {}).items():
        for m in METHODS:
            op = item.get(m)
            if op is None:
                continue
            rb = deref(doc, op.get("requestBody", {})) or {}
            for mt, media in rb.get("content", {}).items():
                check_media(doc, media, "%s %s request" % (m.upper(), path))
            for code, r in op.get("responses", {}).items():
                r = deref(doc, r) or {}
                for mt, media in r.get("content", {}).items():
                    check_media(doc, media, "%s %s %s" %
                                (m.upper(), path, code))
            for p in op.get("parameters", []):
                p = deref(doc, p) or {}
                if "example" in p and "schema" in p:
                    validate_example(doc, p["schema"], p["example"],
                                     "parameter " + p.get("name", "?"))


def check_paths(doc):
    ids = set()
    for path, item in doc.get("paths", {}).items():
        names = set(re.findall(r"\{([^}]+)\}", path))
        common = [deref(doc, p) or {} for p in item.get("parameters", [])]
        for m in METHODS:
            op = item.get(m)
            if op is None:
                continue
            oid = op.get("operationId")
            if oid in ids:
                problem("operationId %s is used twice" % oid)
            ids.add(oid)
            params = common + [deref(doc, p) or {}
                               for p in op.get("parameters", [])]
            declared = {p.get("name") for p in params
                        if p.get("in") == "path"}
            if declared != names:
                problem("%s %s: path parameters %s, declared %s" %
                        (m.upper(), path, sorted(names), sorted(declared)))


SCOPES = {
    "AUTH_ASSIGNMENTS_READ": ["assignments:read"],
    "AUTH_ASSIGNMENTS_WRITE": ["assignments:write"],
    "AUTH_SERVICES_READ": ["services:read"],
    "AUTH_SERVICES_WRITE": ["services:write"],
    "AUTH_REGISTRY_READ": ["registry:read"],
    "AUTH_REGISTRY_WRITE": ["registry:write"],
    "AUTH_JOBS_READ": ["jobs:read"],
    "AUTH_JOBS_WRITE": ["jobs:write"],
    "AUTH_TENANTS_ADMIN": ["tenants:admin"],
    "AUTH_ANY_READ": ["assignments:read", "services:read", "registry:read",
                      "jobs:read", "tenants:admin"],
}


def routes_of(text):
    """{(METHOD, pattern): set of scopes or None for a public route}."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    macros = {}
    for name, expr in re.findall(r"^#define\s+([A-Z_]+)\s+(.*)$", text,
                                 flags=re.M):
        macros[name] = expr

    def expand(expr):
        out = ""
        for tok in re.findall(r'"[^"]*"|[A-Za-z_]\w*', expr):
            if tok.startswith('"'):
                out += tok[1:-1]
            elif tok in macros:
                out += expand(macros[tok])
            else:
                raise ValueError("cannot expand %s" % tok)
        return out

    routes = {}
    for kind, method, expr, rest in re.findall(
            r'\b(PUBLIC|SCOPED)\(\s*"([A-Z]+)"\s*,\s*([^,]+),([^)]*)\)',
            text):
        key = (method, expand(expr))
        if kind == "PUBLIC":
            routes[key] = None
        else:
            scopes = set()
            for word in re.findall(r"AUTH_[A-Z_]+", rest):
                scopes.update(SCOPES.get(word, [word]))
            routes[key] = scopes
    return routes


def check_routes(doc, routes):
    seen = {}
    for path, item in doc.get("paths", {}).items():
        for m in METHODS:
            op = item.get(m)
            if op is None:
                continue
            sec = op.get("security", doc.get("security", []))
            if sec == []:
                seen[(m.upper(), path)] = None
            else:
                seen[(m.upper(), path)] = {s for alt in sec
                                           for v in alt.values()
                                           for s in v}
    for key in sorted(set(routes) - set(seen)):
        problem("route %s %s of routes.c is not in openapi.yaml" % key)
    for key in sorted(set(seen) - set(routes)):
        problem("%s %s in openapi.yaml is not a route of routes.c" % key)
    for key in sorted(set(seen) & set(routes)):
        if seen[key] != routes[key]:
            problem("%s %s: openapi.yaml admits %s, routes.c %s" %
                    (key + (sorted(seen[key] or []),
                            sorted(routes[key] or []))))
    return len(routes)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: check.py OPENAPI_YAML ROUTES_C")
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        routes = routes_of(f.read())

    v = Draft202012Validator(STRUCTURE)
    for e in sorted(v.iter_errors(doc), key=lambda e: list(e.path)):
        problem("structure: %s: %s" %
                ("/".join(map(str, e.path)) or "(top)", e.message[:300]))
    walk_refs(doc, doc, "")
    check_schemas(doc)
    check_paths(doc)
    check_examples(doc)
    n = check_routes(doc, routes)
    if n == 0:
        problem("no routes found in " + sys.argv[2])

    for p in problems:
        print("FAIL: " + p)
    if problems:
        return 1
    print("ok: %s is OpenAPI 3.1 and covers the %d routes of %s" %
          (sys.argv[1], n, sys.argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
