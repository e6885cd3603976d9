"""Schemathesis hooks for scripts/api-fuzz.sh.

Bodies that are not UTF-8: API Gateway hands a function its JSON body as a string, so a function
never sees one; `cargo lambda watch` answers such a request 500 itself, before any function runs.
Malformed bodies are kept malformed, with the bytes that are not UTF-8 replaced by U+FFFD, so they
still reach the handler's decoder and must be refused there with a 4xx. Header values past ASCII
go out as UTF-8 for the same reason (`_utf8_on_the_wire`).

What generation cannot know: some operations succeed only with something the API issued or sent
(an emailed code, a reset token, a login challenge, the provider's signature) or with a rule a
schema cannot state (the password policy's character classes and common-password list, a fresh
idempotency key, an import file's columns) or with a state the run itself may have undone (the
holder's consent). For each of those, the first request of each phase
that carries schema-valid data is completed with that one missing piece, made here through the
API itself against the local state: so every phase reaches the operation's success path, not
only its refusals, and any other answer to a completed request is the API's fault. Every other
request goes as generated.
"""

import base64
import hashlib
import hmac
import itertools
import json
import os
import re
import struct
import time
import urllib.error
import urllib.parse
import urllib.request

import schemathesis
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode

PASSWORD = "Quartz-Harbor-42x"
NEW_PASSWORD = "Basalt-Meadow-73q"
_serial = itertools.count(1)
_completed = set()
# The completed requests by case id, so their answers are written down (completed.txt): a run
# that warns an operation's success path was never reached says which answer it got instead.
_completed_cases = {}


def _env(name):
    return os.environ[name]


def _call(method, path, body=None, token=None, headers=None):
    """One request to the local API: (status, parsed JSON body or None)."""
    data = None
    all_headers = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        all_headers["content-type"] = "application/json"
    if token:
        all_headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        _env("TESSERA_FUZZ_API") + path, data=data, method=method, headers=all_headers
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    try:
        return status, json.loads(text) if text else None
    except ValueError:
        return status, None


def _expect(answer, status, what):
    if answer[0] != status:
        raise AssertionError(f"fuzz setup: {what} answered {answer}")
    return answer[1]


def _latest_code(to):
    """The 6-digit code in the latest message the local outbox holds for `to`."""
    path = os.path.join(_env("TESSERA_FUZZ_STATE"), "outbox.jsonl")
    with open(path, encoding="utf-8") as outbox:
        messages = [json.loads(line) for line in outbox if line.strip()]
    mine = [m for m in messages if m.get("to") == to]
    if not mine:
        raise AssertionError(f"fuzz setup: no message to {to}")
    # Not in the address, which may hold digits of its own (the run's PID).
    code = re.search(r"\b[0-9]{6}\b", json.dumps({k: v for k, v in mine[-1].items() if k != "to"}))
    if code is None:
        raise AssertionError(f"fuzz setup: no code in the message to {to}")
    return code.group(0)


def _fresh_email(tag):
    return f"fuzz.{tag}.{os.getpid()}.{next(_serial)}@example.com"


def _signed_up(tag):
    email = _fresh_email(tag)
    body = {"email": email, "password": PASSWORD, "first_name": "Grace",
            "last_name": "Hopper", "country": "US"}
    _expect(_call("POST", "/v1/accounts", body), 202, "sign-up")
    return email


def _active_account(tag):
    """A new active account and a session for it."""
    email = _signed_up(tag)
    body = {"email": email, "code": _latest_code(email), "password": PASSWORD}
    _expect(_call("POST", "/v1/accounts/activate", body), 200, "activation")
    session = _expect(_call("POST", "/v1/sessions", {"email": email, "password": PASSWORD}),
                      201, "log-in")
    return email, session["token"]


def _session(token):
    """The header that makes a completed request another account's: named as the security scheme
    names it, so the run's own checks can still take it away (a request without it must be 401)."""
    return {"Authorization": f"Bearer {token}"}


def _totp(secret, at):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def _reset_token():
    email, _ = _active_account("reset")
    _expect(_call("POST", "/v1/password-resets", {"email": email, "channel": "email"}),
            202, "reset request")
    verified = _expect(
        _call("POST", "/v1/password-resets/verify", {"email": email, "code": _latest_code(email)}),
        200, "reset verify")
    return verified["reset_token"]


# Each completer fills in what generation cannot know, and returns the body to send (None: the one
# generated) and the headers to set.

def _sign_up(case):
    return {"email": _fresh_email("signup"), "password": PASSWORD, "first_name": "Grace",
            "last_name": "Hopper", "country": "US"}, {}


def _activate(case):
    email = _signed_up("activate")
    return {"email": email, "code": _latest_code(email), "password": PASSWORD}, {}


def _sample(name):
    def complete(case):
        with open(os.path.join(_env("TESSERA_FUZZ_ROOT"), "docs/samples", name), encoding="utf-8") as f:
            return f.read(), {}
    return complete


def _order(case):
    body = {
        "items": [{"certification_id": _env("TESSERA_FUZZ_CERTIFICATION"), "quantity": 1}],
        "tracking": False,
        "payment_method": "card",
        "shipping": {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
                     "phone": "+1 202 555 0100", "address": "1 Main Street", "city": "Arlington",
                     "postal_code": "22201", "country": "US"},
    }
    return body, {"idempotency-key": f"fuzz-completed-{os.getpid()}-{next(_serial)}"}


def _map(case):
    _, token = _active_account("map")
    return {"method": "email", "email": _fresh_email("record")}, _session(token)


def _imported_record():
    """A record of its own, imported with a fresh address: its candidate ID and address."""
    record_email = _fresh_email("record")
    n = next(_serial)
    candidate = f"TSF{os.getpid() % 10000:04d}{n:03d}"
    csv = ("candidate_id,first_name,last_name,email,testing_id,registration_number,exam_code,"
           "exam_name,grade,date\n"
           f"{candidate},Grace,Hopper,{record_email},VTF{n:09d},"
           f"REG-FUZZ-{os.getpid()}-{n},NF-101,Networking Fundamentals,pass,2024-01-15\n")
    request = urllib.request.Request(
        _env("TESSERA_FUZZ_API") + "/v1/admin/imports/exam-results", data=csv.encode(),
        method="POST", headers={"content-type": "text/csv",
                                "authorization": f"Bearer {_env('TESSERA_FUZZ_ADMIN')}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        report = json.loads(response.read().decode())
    if report.get("imported") != 1:
        raise AssertionError(f"fuzz setup: the record was not imported: {report}")
    return candidate, record_email


def _registry_imported():
    """The sample registry of contracts and agreements, imported once for the run."""
    if "registry" not in _kept:
        with open(os.path.join(_env("TESSERA_FUZZ_ROOT"), "docs/samples/access-registry.csv"),
                  encoding="utf-8") as f:
            csv = f.read()
        request = urllib.request.Request(
            _env("TESSERA_FUZZ_API") + "/v1/admin/imports/access-registry", data=csv.encode(),
            method="POST", headers={"content-type": "text/csv",
                                    "authorization": f"Bearer {_env('TESSERA_FUZZ_ADMIN')}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            json.loads(response.read().decode())
        _kept["registry"] = True


def _claim(case):
    # A number the registry holds, given by an account of its own (the fuzzing account's wrong
    # numbers use up its guesses).
    _registry_imported()
    _, token = _active_account("customer")
    return {"kind": "service_contract", "number": "SC-2026-0042"}, _session(token)


def _redeem(case):
    issued = _expect(_call("POST", "/v1/staff/access-codes",
                           {"resource": "docs.fuzzing", "expires_on": "2099-12-31",
                            "reason": "API fuzzing"}, token=_env("TESSERA_FUZZ_STAFF")),
                     201, "a special access code")
    _, token = _active_account("redeemer")
    return {"code": issued["code"]}, _session(token)


def _confirm_mapping(case):
    # A record of its own, and an account that maps to it by its address: the emailed code
    # confirms it.
    _, record_email = _imported_record()
    _, token = _active_account("confirm")
    _expect(_call("POST", "/v1/candidate/mapping", {"method": "email", "email": record_email},
                  token), 202, "mapping by email")
    return {"code": _latest_code(record_email)}, _session(token)


def _mapped_record(case):
    """A record of its own mapped to an account of its own (each unmapping needs one)."""
    candidate, record_email = _imported_record()
    _, token = _active_account("mapped")
    _expect(_call("POST", "/v1/candidate/mapping", {"method": "email", "email": record_email},
                  token), 202, "mapping by email")
    _expect(_call("POST", "/v1/candidate/mapping/confirm", {"code": _latest_code(record_email)},
                  token), 200, "the mapping's code")
    return candidate


def _verify_reset(case):
    email, _ = _active_account("verify")
    _expect(_call("POST", "/v1/password-resets", {"email": email, "channel": "email"}),
            202, "reset request")
    return {"email": email, "code": _latest_code(email)}, {}


def _complete_reset(case):
    return {"reset_token": _reset_token(), "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD}, {}


def _webhook(case):
    body = {"id": f"evt_fuzz_{next(_serial)}", "type": "customer.created", "data": {"object": {}}}
    # Signed as the run serializes a JSON body (the standard library's default separators).
    raw = json.dumps(body)
    now = int(time.time())
    mac = hmac.new(_env("TESSERA_FUZZ_WEBHOOK_SECRET").encode(), f"{now}.{raw}".encode(),
                   hashlib.sha256).hexdigest()
    return body, {"Stripe-Signature": f"t={now},v1={mac}"}


def _log_in(case):
    email, _ = _active_account("login")
    return {"email": email, "password": PASSWORD}, {}


def _challenge_answer(email, token):
    """Enrols an authenticator for `email` (signed in with `token`), logs in again, and returns
    the answer to the login's challenge: the next step's code, as the confirming one is never
    accepted again."""
    enrolment = _expect(_call("POST", "/v1/me/mfa/totp", {"password": PASSWORD}, token),
                        200, "authenticator enrolment")
    secret = enrolment["secret"]
    _expect(_call("POST", "/v1/me/mfa/totp/confirm", {"code": _totp(secret, time.time())}, token),
            200, "authenticator confirmation")
    challenge = _expect(_call("POST", "/v1/sessions", {"email": email, "password": PASSWORD}),
                        200, "log-in with a second step")
    return {"challenge": challenge["challenge"], "code": _totp(secret, time.time() + 30)}


def _answer_challenge(case):
    return _challenge_answer(*_active_account("mfa")), {}


def _change_password(case):
    _, token = _active_account("change")
    return {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD}, _session(token)


def _fuzz_session():
    return _env("TESSERA_FUZZ_SESSION")


def _consent_given(case):
    # The page (or hosted badge) answers only while the holder consents to third-party
    # verification, which the run's own settings requests may have withdrawn.
    settings = {"employee": False, "partner": False, "email_notifications": True,
                "academy_student": False, "verification_consent": True}
    _expect(_call("PUT", "/v1/candidate/settings", settings, _fuzz_session()), 200, "consent")
    return None, {}


def _set_phone(case):
    # An account of its own: the fuzzing account's own phone requests use up its sends.
    _, token = _active_account("phone")
    return {"password": PASSWORD, "phone": "+1 202 555 0147"}, _session(token)


def _verify_phone(case):
    _, token = _active_account("phone")
    _expect(_call("PUT", "/v1/me/phone", {"password": PASSWORD, "phone": "+1 202 555 0148"}, token),
            202, "mobile number")
    return {"code": _latest_code("+12025550148")}, _session(token)


def staff_session(email):
    """A session that passed the second step for `email` (active, its staff roles granted by the
    operator command in scripts/api-fuzz.sh): enrols an authenticator, then logs in with it."""
    login = _expect(_call("POST", "/v1/sessions", {"email": email, "password": PASSWORD}),
                    201, "staff log-in")
    answer = _challenge_answer(email, login["token"])
    return _expect(_call("POST", "/v1/sessions/mfa", answer), 201, "staff second step")["token"]


def _staff_subject():
    """An account the staff operations act on (never the fuzzing staff member's own: disabling
    or un-roling it would end the run's staff session): its address and id."""
    if "subject" not in _kept:
        email, _ = _active_account("subject")
        found = _call("GET", "/v1/staff/accounts?email=" + urllib.parse.quote(email),
                      token=_env("TESSERA_FUZZ_STAFF"))
        _kept["subject"] = (email, _expect(found, 200, "the staff lookup")["account_id"])
    return _kept["subject"]


def _erasable_account(case):
    """A fresh account of its own (an erasure takes one away, a moved record needs one free): its id."""
    email, _ = _active_account("erasable")
    found = _call("GET", "/v1/staff/accounts?email=" + urllib.parse.quote(email),
                  token=_env("TESSERA_FUZZ_STAFF"))
    return _expect(found, 200, "the staff lookup")["account_id"]


def _confirm_email_change(case):
    """A fresh account whose new address staff set: the code sent there, with its session."""
    _, token = _active_account("moving")
    me = _expect(_call("GET", "/v1/me", token=token), 200, "the profile")
    found = _expect(_call("GET", "/v1/staff/accounts?email=" + urllib.parse.quote(me["email"]),
                          token=_env("TESSERA_FUZZ_STAFF")), 200, "the staff lookup")
    new_email = _fresh_email("moved")
    _expect(_call("POST", f"/v1/staff/accounts/{found['account_id']}/email-change",
                  {"new_email": new_email, "reason": "API fuzzing"},
                  token=_env("TESSERA_FUZZ_STAFF")), 202, "the change of address")
    return {"code": _latest_code(new_email)}, _session(token)


def _find_subject(case):
    case.query = {"email": _staff_subject()[0]}
    return None, {}


COMPLETERS = {
    ("POST", "/v1/accounts"): _sign_up,
    ("POST", "/v1/accounts/activate"): _activate,
    ("POST", "/v1/admin/imports/exam-results"): _sample("exam-results.csv"),
    ("POST", "/v1/admin/imports/ce-credits"): _sample("ce-credits.csv"),
    ("POST", "/v1/admin/imports/access-registry"): _sample("access-registry.csv"),
    ("POST", "/v1/me/access/claims"): _claim,
    ("POST", "/v1/me/access/codes"): _redeem,
    ("POST", "/v1/candidate/fulfillment/orders"): _order,
    ("POST", "/v1/candidate/mapping"): _map,
    ("POST", "/v1/candidate/mapping/confirm"): _confirm_mapping,
    ("POST", "/v1/password-resets/verify"): _verify_reset,
    ("POST", "/v1/password-resets/complete"): _complete_reset,
    ("POST", "/v1/payments/webhook"): _webhook,
    ("POST", "/v1/sessions"): _log_in,
    ("POST", "/v1/sessions/mfa"): _answer_challenge,
    ("PUT", "/v1/me/password"): _change_password,
    ("PUT", "/v1/me/phone"): _set_phone,
    ("POST", "/v1/me/phone/verify"): _verify_phone,
    ("GET", "/v1/transcripts/{id}"): _consent_given,
    # A hosted badge answers only while its holder consents to third-party verification too.
    ("GET", "/v1/badges/{id}"): _consent_given,
    ("GET", "/v1/staff/accounts"): _find_subject,
    ("POST", "/v1/me/email-change/confirm"): _confirm_email_change,
    # A day not in the future, for a certification the record has not earned.
    ("POST", "/v1/staff/candidates/{id}/grants"): lambda case: (
        {"certification_id": "security-expert", "active_on": "2025-01-15",
         "reason": "API fuzzing"}, {}),
    # A status the queued order may take (complete would be refused until it is sent).
    ("POST", "/v1/staff/orders/{id}/status"): lambda case: (
        {"status": "sent", "tracking_number": "1Z999AA1", "reason": "API fuzzing"}, {}),
    # The built-in catalog published again: harmless to every other operation of the run.
    ("PUT", "/v1/staff/catalog"): lambda case: ({"restore": 1, "reason": "API fuzzing"}, {}),
    ("POST", "/v1/staff/access-codes"): lambda case: (
        {"resource": "course.fuzzing", "expires_on": "2099-12-31", "reason": "API fuzzing"}, {}),
    # A fresh domain each time (a domain is one enabled provider's).
    ("POST", "/v1/staff/federation-providers"): lambda case: ({
        "name": "Fuzzed organisation", "issuer": "https://login.example.com",
        "client_id": "tessera", "domains": [_fresh_email("org").split("@")[0] + ".example"],
        "default_country": "GB", "reason": "API fuzzing"}, {}),
    ("POST", "/v1/staff/oidc-clients"): lambda case: ({
        "name": "Fuzzed app", "type": "confidential",
        "redirect_uris": ["https://app.example.com/callback"], "reason": "API fuzzing"}, {}),
    # An account of its own, with no record, to move a record to.
    ("PUT", "/v1/staff/candidates/{id}/mapping"): lambda case: (
        {"account_id": _erasable_account(case), "reason": "API fuzzing"}, {}),
    # A fresh duplicate each time (a merged one is a pointer from then on).
    ("POST", "/v1/staff/candidates/{id}/merge"): lambda case: (
        {"from": _imported_record()[0], "reason": "API fuzzing"}, {}),
}


# Operations that name a resource the run makes (a transcript, an order, its checkout session). In
# the stateful phase the document's links give them the one a sequence made; elsewhere a request
# whose path is meant to be valid gets one made here (a fresh transcript for each delete, one kept
# for the rest), so none stops at 404.

_kept = {}


def _new_transcript(description):
    _consent_given(None)
    created = _expect(_call("POST", "/v1/candidate/transcripts",
                            {"description": description, "expires_in_days": 30,
                             "certifications": "active"}, _fuzz_session()),
                      201, "a transcript")
    return created["id"]


def _kept_order():
    """A paid kit order waiting for payment, and its sandbox checkout session."""
    if "order" not in _kept:
        body, headers = _order(None)
        body["items"][0]["quantity"] = 2
        body["tracking"] = True
        order = _expect(_call("POST", "/v1/candidate/fulfillment/orders", body, _fuzz_session(),
                              headers), 201, "an order")
        session = re.search(r"cs_sandbox_[0-9a-f]{32}", order.get("checkout_url") or "")
        if session is None:
            raise AssertionError(f"fuzz setup: the order has no sandbox checkout: {order}")
        _kept["order"] = (order["id"], session.group(0))
    return _kept["order"]


def _paid_order():
    """A fresh order paid on the sandbox checkout (each refund needs one not refunded yet)."""
    # Two kits: at least one is paid for, whether or not the free initial kit is claimed yet.
    body, headers = _order(None)
    body["items"][0]["quantity"] = 2
    order = _expect(_call("POST", "/v1/candidate/fulfillment/orders", body, _fuzz_session(),
                          headers), 201, "an order to refund")
    session = re.search(r"cs_sandbox_[0-9a-f]{32}", order.get("checkout_url") or "")
    if session is None:
        raise AssertionError(f"fuzz setup: the order has no sandbox checkout: {order}")
    request = urllib.request.Request(
        _env("TESSERA_FUZZ_API") + "/v1/payments/sandbox/" + session.group(0),
        data=b"decision=approve", method="POST",
        headers={"content-type": "application/x-www-form-urlencoded"})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(request, timeout=30)
    except urllib.error.HTTPError as answer:
        if answer.code != 303:
            raise AssertionError(f"fuzz setup: the sandbox approval answered {answer.code}")
    return order["id"]


def _shipped_order():
    """A paid order the fulfillment house reported sent (each reprint needs one of its own)."""
    order = _paid_order()
    _expect(_call("POST", f"/v1/admin/fulfillment/orders/{order}/status", {"status": "sent"},
                  _env("TESSERA_FUZZ_ADMIN")), 200, "the shipment report")
    return order


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _kept_transcript():
    if "transcript" not in _kept:
        _kept["transcript"] = _new_transcript("Fuzzing")
    return _kept["transcript"]


def _kit_code(case):
    """The verification code printed on the kept order's kit, so checks reach a real code."""
    if "kit_code" not in _kept:
        order_id = _kept_order()[0]
        order = _expect(_call("GET", f"/v1/candidate/fulfillment/orders/{order_id}",
                              token=_fuzz_session()), 200, "the kept order")
        _kept["kit_code"] = order["items"][0]["verification_code"]
    return _kept["kit_code"]


def _badge_id(case):
    """The badge of the kept order's certification: the holder's screen issues it."""
    if "badge" not in _kept:
        order_id = _kept_order()[0]
        order = _expect(_call("GET", f"/v1/candidate/fulfillment/orders/{order_id}",
                              token=_fuzz_session()), 200, "the kept order")
        certification = order["items"][0]["certification_id"]
        detail = _expect(_call("GET", f"/v1/candidate/certifications/{certification}",
                               token=_fuzz_session()), 200, "the certification's screen")
        _kept["badge"] = detail["badge"]["id"]
    return _kept["badge"]


def _new_oidc_client(case):
    """A client of its own (disabling one takes it away): its id."""
    made = _call("POST", "/v1/staff/oidc-clients", token=_env("TESSERA_FUZZ_STAFF"), body={
        "name": "Fuzzed app", "type": "public",
        "redirect_uris": ["https://app.example.com/callback"], "reason": "API fuzzing"})
    return _expect(made, 201, "the client registration")["client_id"]


def _new_federation_provider(case=None):
    """A provider of its own for a fresh domain (disabling one takes it away): its id."""
    made = _call("POST", "/v1/staff/federation-providers", token=_env("TESSERA_FUZZ_STAFF"), body={
        "name": "Fuzzed organisation", "issuer": "https://login.example.com",
        "client_id": "tessera", "domains": [_fresh_email("org").split("@")[0] + ".example"],
        "default_country": "GB", "reason": "API fuzzing"})
    return _expect(made, 201, "the provider registration")["id"]


def _transcript_for(case):
    if case.operation.method.upper() == "DELETE":
        return _new_transcript("To delete")
    return _kept_transcript()


RESOURCES = {
    "/v1/candidate/transcripts/{id}": ("id", _transcript_for),
    "/v1/candidate/transcripts/{id}/emails": ("id", _transcript_for),
    "/v1/candidate/transcripts/{id}/email-preview": ("id", _transcript_for),
    "/v1/transcripts/{id}": ("id", _transcript_for),
    "/v1/verify/{code}": ("code", _kit_code),
    "/v1/achievements/{id}": ("id", lambda case: "infrastructure-associate"),
    "/v1/badges/{id}": ("id", _badge_id),
    "/v1/candidate/badges/{id}": ("id", _badge_id),
    "/v1/candidate/badges/{id}/image.svg": ("id", _badge_id),
    "/v1/candidate/badges/{id}/image.png": ("id", _badge_id),
    "/v1/status-lists/{id}": ("id", lambda case: "1"),
    "/v1/candidate/fulfillment/orders/{id}": ("id", lambda case: _kept_order()[0]),
    "/v1/admin/fulfillment/orders/{id}/status": ("id", lambda case: _kept_order()[0]),
    "/v1/payments/sandbox/{session}": ("session", lambda case: _kept_order()[1]),
    "/v1/staff/accounts/{id}/unlock": ("id", lambda case: _staff_subject()[1]),
    "/v1/staff/accounts/{id}/disable": ("id", lambda case: _staff_subject()[1]),
    "/v1/staff/accounts/{id}/enable": ("id", lambda case: _staff_subject()[1]),
    "/v1/staff/accounts/{id}/roles": ("id", lambda case: _staff_subject()[1]),
    "/v1/staff/accounts/{id}/email-change": ("id", lambda case: _staff_subject()[1]),
    "/v1/staff/accounts/{id}/resume-email": ("id", lambda case: _staff_subject()[1]),
    "/v1/staff/accounts/{id}/export": ("id", lambda case: _staff_subject()[1]),
    "/v1/staff/accounts/{id}": ("id", _erasable_account),
    "/v1/staff/candidates/{id}/mapping": ("id", _mapped_record),
    "/v1/staff/orders/{id}": ("id", lambda case: _kept_order()[0]),
    # A fresh paid order each time (queued: sent and cancelled apply, complete is refused 409).
    "/v1/staff/orders/{id}/status": ("id", lambda case: _paid_order()),
    "/v1/staff/orders/{id}/refund": ("id", lambda case: _paid_order()),
    "/v1/staff/orders/{id}/reprint": ("id", lambda case: _shipped_order()),
    "/v1/staff/oidc-clients/{id}/disable": ("id", _new_oidc_client),
    "/v1/staff/federation-providers/{id}/disable": ("id", _new_federation_provider),
}


# The staff operations act only on what the run keeps for them, in every phase: the stateful
# phase's inferred links would otherwise hand them the fuzzing accounts' own ids (disabling the
# account whose session every other operation uses, or holding its record's certification).
STAFF_RECORD = {"id": "TSC1000001"}
FIXED = {
    "/v1/staff/candidates/{id}": STAFF_RECORD,
    "/v1/staff/candidates/{id}/grants": STAFF_RECORD,
    "/v1/staff/candidates/{id}/merge": STAFF_RECORD,
    "/v1/staff/candidates/{id}/certifications/{cert}/status":
        {**STAFF_RECORD, "cert": "networking-technician"},
}


def _name_the_resource(case):
    path = case.operation.path
    if case.meta is None or case.meta.is_negative_at(ParameterLocation.PATH):
        return
    if case.meta.phase.name == "stateful" and not path.startswith("/v1/staff/"):
        return
    if path in FIXED:
        case.path_parameters = {**(case.path_parameters or {}), **FIXED[path]}
        return
    resource = RESOURCES.get(path)
    if resource is None:
        return
    name, made = resource
    case.path_parameters = {**(case.path_parameters or {}), name: made(case)}


def _complete(case):
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    if any(case.meta.is_negative_at(location) for location in ParameterLocation):
        return
    operation = (case.operation.method.upper(), case.operation.path)
    completer = COMPLETERS.get(operation)
    key = (operation, case.meta.phase.name)
    if completer is None or key in _completed:
        return
    _completed.add(key)
    _completed_cases[case.id] = key
    body, headers = completer(case)
    if body is not None:
        case.body = body
    kept = {k: v for k, v in (case.headers or {}).items()
            if k.lower() not in {h.lower() for h in headers}}
    case.headers = {**kept, **headers}


def _utf8_on_the_wire(value):
    """A header value as it goes out: an HTTP client sends a `str` as Latin-1, so a character past
    ASCII becomes a byte that is not UTF-8, and `cargo lambda watch` answers such a request 500
    itself before any function runs (API Gateway hands functions UTF-8 header values only). The
    characters are sent as the bytes of their UTF-8 encoding instead: still not a valid value,
    now one a function sees."""
    if not isinstance(value, str) or value.isascii():
        return value
    return value.encode("utf-8").decode("latin-1")


def _headers_on_the_wire(headers):
    if not headers:
        return headers
    return {name: _utf8_on_the_wire(value) for name, value in headers.items()}


@schemathesis.hook
def before_call(context, case, kwargs):
    _name_the_resource(case)
    _complete(case)
    case.headers = _headers_on_the_wire(case.headers)
    if isinstance(kwargs, dict) and kwargs.get("headers"):
        kwargs["headers"] = _headers_on_the_wire(kwargs["headers"])
    body = case.body
    if isinstance(body, (bytes, bytearray)):
        try:
            bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            case.body = bytes(body).decode("utf-8", "replace").encode("utf-8")


# `cargo lambda watch` answers its runtime API's "here is my response" call before it has read the
# function's response body, and now and then loses that body: the caller then gets the emulator's
# own 500 (`https://httpstatuses.com/500`, never a Tessera problem type) for a request the
# function answered. API Gateway has no such step. A request that met it is sent once more, up to
# three times, and each resend is written down (the run's emulator-resends.txt); any other answer
# stands as it came. A write sent again was already applied by the function: the API answers a
# repeated write as it documents (each write is conditional or idempotent: 200, 409, 422), and
# that answer is what the run checks.
_EMULATOR_500 = b"https://httpstatuses.com/500"


def _emulator_answered(response):
    return response.status_code == 500 and _EMULATOR_500 in (response.content or b"")


def _note_completed(case, response):
    key = _completed_cases.get(case.id)
    if key is None:
        return
    (method, path), phase = key
    with open(os.path.join(_env("TESSERA_FUZZ_STATE"), "completed.txt"), "a") as log:
        log.write(f"{phase} {method} {path}: {response.status_code}\n")


@schemathesis.hook
def after_call(context, case, response):
    try:
        _resend_after_the_emulator(response)
    finally:
        _note_completed(case, response)


def _resend_after_the_emulator(response):
    if not _emulator_answered(response):
        return
    import requests
    from schemathesis.core.transport import Response

    for attempt in (1, 2, 3):
        with requests.Session() as session:
            again = session.send(response.request.copy(), timeout=20, allow_redirects=False)
        resent = Response.from_requests(again, verify=True)
        with open(os.path.join(_env("TESSERA_FUZZ_STATE"), "emulator-resends.txt"), "a") as log:
            log.write(f"{response.request.method} {response.request.url} resend {attempt}: {resent.status_code}\n")
        if not _emulator_answered(resent):
            for slot in Response.__slots__:
                if slot != "request":
                    setattr(response, slot, getattr(resent, slot))
            return
