"""schemathesis hooks of the API fuzz run (loaded through SCHEMATHESIS_HOOKS by schemathesis.mjs).

Idempotency-Key values: schemathesis draws header values from a small space and reuses them across cases, so most
requests carrying the header collided with an earlier one made with another body and were answered 422
CRAFT_API_IDEMPOTENCY_KEY_REUSED, as the API must answer; nothing was created, and the stateful phase rarely got a
schedule to follow links from. Real clients send a fresh key with each new request (and the same key only when they
retry it); this hook does the same, as schemathesis itself suggests ("a before_call hook can give unique fields
fresh values"): a well-formed generated key is replaced by a fresh UUID. Malformed generated values (negative
cases) are sent as generated. Retries and replays are tested by apps/api's own tests, not here (a replayed create
after a DELETE would, correctly, answer the deleted schedule again, which schemathesis's resource checks would
misread).
"""

import re
from urllib.parse import unquote
import uuid

import schemathesis

# CPython 3.11 raises "SystemError: AST constructor recursion depth mismatch" when hypothesis parses a large source
# file deep in schemathesis's coverage walk, only to build the *description* (repr) of a filtered strategy; the
# coverage phase of that operation then stops with a Runtime Error (seen on POST /jobs/run/{job_type} and PUT
# /jobs/schedules/{job_name}; a tool error, not an API finding). The description is cosmetic: when it cannot be
# built, use the function's plain name instead. Nothing about what is generated or checked changes.
from hypothesis.strategies._internal import lazy as _lazy  # noqa: E402

_describe = _lazy.get_pretty_function_description


def _safe_description(fn):
    try:
        return _describe(fn)
    except SystemError:
        return getattr(fn, "__name__", repr(fn))


_lazy.get_pretty_function_description = _safe_description

_HEADER = "idempotency-key"
_WELL_FORMED = re.compile(r'(?!""$)[!-~](?:[ -~]{0,253}[!-~])?')


@schemathesis.hook
def before_call(context, case, kwargs):
    meta = getattr(case, "meta", None)
    if meta is not None and meta.generation.mode.is_negative:
        # A negative case (e.g. one testing a missing Authorization) is sent exactly as generated: editing its
        # headers would make schemathesis revalidate it as positive and send the header it meant to leave out.
        return
    headers = case.headers or {}
    for name in list(headers):
        value = headers[name]
        if name.lower() == _HEADER and isinstance(value, str) and _WELL_FORMED.fullmatch(value):
            headers[name] = str(uuid.uuid4())
    # PUT /jobs/schedules/{job_name}: the body may repeat job_name, which must then be the path's (a schedule cannot
    # be renamed; the server answers 400 otherwise, a rule between path and body no schema can state). A positive
    # case that repeats it repeats the path's, as a client replacing the schedule it read does.
    body = getattr(case, "body", None)
    if case.method.upper() == "PUT" and isinstance(body, dict) and "job_name" in body:
        path_name = (case.path_parameters or {}).get("job_name")
        if isinstance(path_name, str):
            # The name the server sees: schemathesis percent-decodes a path value before it encodes it.
            body["job_name"] = unquote(path_name)


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keeps every failure but one tool artifact.

    schemathesis percent-decodes a path parameter before it encodes it ("to keep quoting idempotent"), so a schedule
    created with a job_name that itself contains a percent-escape (`%C2%80`, which the schema allows) is then
    addressed under another name (`\\u0080`) and answered 404: an ST302 "created resource not found" that is about
    the client, not the API (the API's own tests address such names correctly encoded).
    """
    if getattr(failure, "code", None) != "ST302":
        return True
    name = (case.path_parameters or {}).get("job_name")
    return not (isinstance(name, str) and unquote(name) != name)
