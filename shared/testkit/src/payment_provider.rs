//! A loopback server playing the payment provider's API for the checkout adapter: it checks the
//! secret key, creates checkout sessions (the same answer for a repeated `Idempotency-Key` with
//! the same form, 400 with another form, as the provider does), expires open sessions (400 for
//! one no longer open) and answers a session's state, records every checkout request, can fail
//! on demand, and writes the `checkout.session.*` events the provider would then send, with the
//! amount it computed from the line items it was given.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};

pub const SECRET_KEY: &str = "sk_test_tessera_fake_provider";

/// One checkout request as the provider received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub idempotency_key: String,
    pub form: Vec<(String, String)>,
}

impl Received {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    /// Idempotency key → refund.
    refunds: HashMap<String, Value>,
    /// Idempotency key → (form, session).
    sessions: HashMap<String, (Vec<(String, String)>, Value)>,
    failures_left: u32,
}

#[derive(Clone)]
pub struct FakeProvider {
    /// The API base to configure (`http://127.0.0.1:…`).
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl FakeProvider {
    pub async fn start() -> FakeProvider {
        let state = Arc::new(Mutex::new(State::default()));
        let served = state.clone();
        let url = crate::loopback::serve(move |request| {
            let state = served.clone();
            async move { answer(&state, request) }
        })
        .await;
        FakeProvider { url, state }
    }

    /// Every checkout request so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// Every refund made (one per idempotency key, however often it was asked for).
    pub fn refunds(&self) -> Vec<Value> {
        self.state
            .lock()
            .unwrap()
            .refunds
            .values()
            .cloned()
            .collect()
    }

    /// The next `n` checkout requests answer 500.
    pub fn fail_next(&self, n: u32) {
        self.state.lock().unwrap().failures_left = n;
    }

    /// The session created for `session_id`.
    pub fn session(&self, session_id: &str) -> Value {
        self.state
            .lock()
            .unwrap()
            .sessions
            .values()
            .map(|(_, s)| s.clone())
            .find(|s| s["id"] == session_id)
            .expect("a session the provider created")
    }

    /// The candidate pays `session_id` on the provider's page: the session becomes `complete`.
    pub fn pay(&self, session_id: &str) {
        self.set_status(session_id, "complete");
    }

    /// The session's status: `open`, `complete` or `expired`.
    pub fn status(&self, session_id: &str) -> String {
        self.session(session_id)["status"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn set_status(&self, session_id: &str, status: &str) {
        let mut state = self.state.lock().unwrap();
        set_status(&mut state, session_id, status);
    }

    /// The event the provider sends for `session_id`: `checkout.session.completed` (paid) or
    /// another type, with the session as the provider knows it.
    pub fn event(&self, event_id: &str, kind: &str, session_id: &str) -> Vec<u8> {
        let mut session = self.session(session_id);
        session["payment_status"] = json!(if kind.ends_with("expired") {
            "unpaid"
        } else {
            "paid"
        });
        json!({
            "id": event_id,
            "object": "event",
            "type": kind,
            "data": { "object": session },
        })
        .to_string()
        .into_bytes()
    }
}

fn reply(status: u16, body: Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(body.to_string()))
        .unwrap()
}

fn error(status: u16, kind: &str, message: &str) -> Response<Body> {
    reply(status, json!({"error": {"type": kind, "message": message}}))
}

fn set_status(state: &mut State, session_id: &str, status: &str) -> Option<Value> {
    let session = state
        .sessions
        .values_mut()
        .map(|(_, s)| s)
        .find(|s| s["id"] == session_id)?;
    session["status"] = json!(status);
    if status == "complete" {
        session["payment_status"] = json!("paid");
    }
    Some(session.clone())
}

fn answer(state: &Mutex<State>, request: Request) -> Response<Body> {
    let path = request.uri().path().to_string();
    let session_path = path.strip_prefix("/v1/checkout/sessions/");
    let authorized = request
        .headers()
        .get("authorization")
        .is_some_and(|v| v.as_bytes() == format!("Bearer {SECRET_KEY}").as_bytes());
    match (request.method().as_str(), session_path) {
        ("POST", None) if path == "/v1/checkout/sessions" => create(state, request),
        ("POST", None) if path == "/v1/refunds" && authorized => refund(state, request),
        (_, Some(_)) if !authorized => {
            error(401, "invalid_request_error", "Invalid API Key provided")
        }
        ("POST", Some(rest)) if rest.ends_with("/expire") => {
            let id = rest.trim_end_matches("/expire");
            let mut state = state.lock().unwrap();
            let open = state
                .sessions
                .values()
                .any(|(_, s)| s["id"] == id && s["status"] == "open");
            if !open {
                return error(
                    400,
                    "invalid_request_error",
                    "Only Checkout Sessions with a status of `open` can be expired.",
                );
            }
            reply(200, set_status(&mut state, id, "expired").unwrap())
        }
        ("GET", Some(id)) => {
            let state = state.lock().unwrap();
            match state.sessions.values().find(|(_, s)| s["id"] == id) {
                Some((_, session)) => reply(200, session.clone()),
                None => error(404, "invalid_request_error", "No such checkout.session"),
            }
        }
        _ => error(404, "invalid_request_error", "Unrecognized request URL"),
    }
}

fn create(state: &Mutex<State>, request: Request) -> Response<Body> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    if header("authorization") != format!("Bearer {SECRET_KEY}") {
        return error(401, "invalid_request_error", "Invalid API Key provided");
    }
    if header("content-type") != "application/x-www-form-urlencoded" {
        return error(400, "invalid_request_error", "Invalid content type");
    }
    let body: &[u8] = request.body().as_ref();
    let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let key = header("idempotency-key");
    let mut state = state.lock().unwrap();
    state.received.push(Received {
        idempotency_key: key.clone(),
        form: form.clone(),
    });
    if state.failures_left > 0 {
        state.failures_left -= 1;
        return error(500, "api_error", "Something went wrong");
    }
    if let Some((earlier, session)) = state.sessions.get(&key) {
        return if *earlier == form {
            reply(200, session.clone())
        } else {
            error(
                400,
                "idempotency_error",
                "Keys for idempotent requests can only be used with the same parameters",
            )
        };
    }
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let mut amount_total = 0i64;
    let mut currency = None;
    for n in 0.. {
        let line = |f: &str| field(&format!("line_items[{n}]{f}"));
        let (Some(unit), Some(quantity)) = (line("[price_data][unit_amount]"), line("[quantity]"))
        else {
            break;
        };
        amount_total += unit.parse::<i64>().unwrap() * quantity.parse::<i64>().unwrap();
        currency = line("[price_data][currency]");
    }
    if field("mode").as_deref() != Some("payment") || amount_total == 0 {
        return error(400, "invalid_request_error", "A payment needs line items");
    }
    let id = format!("cs_test_{}", state.sessions.len() + 1);
    let session = json!({
        "id": id,
        "object": "checkout.session",
        "url": format!("https://checkout.provider.test/c/pay/{id}"),
        "amount_total": amount_total,
        "currency": currency,
        "client_reference_id": field("client_reference_id"),
        "metadata": {"order_id": field("metadata[order_id]")},
        "payment_status": "unpaid",
        "payment_intent": format!("pi_test_{}", state.sessions.len() + 1),
        "status": "open",
    });
    state.sessions.insert(key, (form, session.clone()));
    reply(200, session)
}

/// `POST /v1/refunds`: the whole payment of a paid session back, once per idempotency key.
fn refund(state: &Mutex<State>, request: Request) -> Response<Body> {
    let key = request
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body: &[u8] = request.body().as_ref();
    let form: HashMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
    let mut state = state.lock().unwrap();
    if let Some(refund) = state.refunds.get(&key).filter(|_| !key.is_empty()) {
        return reply(200, refund.clone());
    }
    let intent = form.get("payment_intent").cloned().unwrap_or_default();
    let paid = state
        .sessions
        .values()
        .map(|(_, s)| s)
        .find(|s| s["payment_intent"] == intent.as_str() && s["status"] == "complete")
        .cloned();
    let Some(session) = paid else {
        return error(400, "invalid_request_error", "No such paid payment_intent");
    };
    let refund = json!({
        "id": format!("re_test_{}", state.refunds.len() + 1),
        "object": "refund",
        "amount": session["amount_total"],
        "payment_intent": intent,
        "metadata": {"order_id": form.get("metadata[order_id]")},
        "status": "succeeded",
    });
    state.refunds.insert(key, refund.clone());
    reply(200, refund)
}
