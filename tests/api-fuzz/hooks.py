"""Schemathesis hooks for scripts/api-fuzz.sh.

API Gateway hands a function its JSON body as a string, so a function never sees a body that is
not UTF-8; `cargo lambda watch` answers such a request 500 itself, before any function runs.
Malformed bodies are kept malformed, with the bytes that are not UTF-8 replaced by U+FFFD, so they
still reach the handler's decoder and must be refused there with a 4xx.
"""

import schemathesis


@schemathesis.hook
def before_call(context, case, kwargs):
    body = case.body
    if isinstance(body, (bytes, bytearray)):
        try:
            bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            case.body = bytes(body).decode("utf-8", "replace").encode("utf-8")
