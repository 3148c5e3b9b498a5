"""The error answers every API operation can give, documented in the OpenAPI schema in one place.

Views document the refusals that are their own (409 on a state, 412 on a stale ETag...). The
ones that come from the framework around them apply to whole classes of operations: anyone
unauthenticated gets 401, a role without the permission 403, a malformed filter or body 400, an
unknown object or page 404, a body in a media type the operation does not read 415, and a
client sending too fast 429. Each answers ``{"detail": message}``, except field errors, which
answer ``{field: [messages]}``.
"""

ERROR = {"$ref": "#/components/schemas/Error"}
FIELD_ERRORS = {"type": "object", "additionalProperties": {}}
ALWAYS = {
    "401": "Not signed in: send `Authorization: Token <key>` or a session cookie.",
    "403": "Your role does not allow this, or the session's CSRF token is missing.",
    "429": "Too many requests from your address: wait and try again.",
}
BAD_INPUT = "Refused: field errors, or a detail message saying what to fix."
BAD_MEDIA = "The body's media type is not one this operation reads: send JSON."
NOT_FOUND = "No such object among those your grants let you see, or no such page."
PAGING = {"page", "cursor"}


def _answer(description: str, schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}, "description": description}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the framework's error answers to every
    operation that does not document them itself."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Error",
        {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
    )
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            parameters = operation.get("parameters", [])
            where = {p.get("in") for p in parameters}
            names = {p.get("name") for p in parameters if p.get("in") == "query"}
            for code, description in ALWAYS.items():
                responses.setdefault(code, _answer(description, ERROR))
            if "query" in where or "header" in where or "requestBody" in operation:
                responses.setdefault("400", _answer(BAD_INPUT, FIELD_ERRORS))
            if "requestBody" in operation:
                responses.setdefault("415", _answer(BAD_MEDIA, ERROR))
            if "path" in where or names & PAGING:
                responses.setdefault("404", _answer(NOT_FOUND, ERROR))
    return result
