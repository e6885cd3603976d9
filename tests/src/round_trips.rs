//! DynamoDB round trips per request: each flow's happy path through the real handlers on moto,
//! with every SDK call recorded, beside the minimum the data model allows (PERFORMANCE.md where
//! it names one). Shared by `tests/tests/round_trips.rs` (a regression bound) and `make bench`.

use crate::{
    activate, authorized, candidate_call, csv_upload, import, log_in, request_reset, sign_up,
    token_of, verify_reset, PASSWORD,
};
use serde::Serialize;
use serde_json::json;
use tessera_identity::mfa::code_at;
use tessera_kernel::ports::Clock;
use tessera_kernel::time::Seconds;
use tessera_testkit::{json_request, unique_email, Backend, TestApp, TestResponse};

#[derive(Clone, Debug, Serialize)]
pub struct FlowCalls {
    pub flow: &'static str,
    /// The operations sent, in order (`GetItem`, `TransactWriteItems`, …).
    pub calls: Vec<String>,
    /// The fewest calls the data model allows for this request.
    pub minimum: usize,
}

struct Recorder {
    app: TestApp,
    counter: tessera_testkit::calls::CallCounter,
    flows: Vec<FlowCalls>,
}

impl Recorder {
    /// Records the calls `answer` made under `flow`, and checks it got `status`.
    fn record(&mut self, flow: &'static str, minimum: usize, status: u16, answer: TestResponse) {
        assert_eq!(answer.status, status, "{flow}: {}", answer.text);
        self.flows.push(FlowCalls {
            flow,
            calls: self.counter.take(),
            minimum,
        });
    }
}

/// Runs every flow once on fresh moto tables and returns its calls.
pub async fn flows() -> Vec<FlowCalls> {
    let mut app = TestApp::new(Backend::Moto).await;
    let counter = app.count_dynamodb_calls().await.expect("moto counts calls");
    let mut r = Recorder {
        app,
        counter,
        flows: Vec::new(),
    };
    let email = unique_email("trips");

    let answer = sign_up(&r.app, &email, PASSWORD).await;
    r.record("sign-up (new address)", 1, 202, answer);
    let code = r.app.latest_code(&email);
    let answer = activate(&r.app, &email, &code).await;
    r.record("activate", 1, 200, answer);

    let answer = log_in(&r.app, &email, PASSWORD).await;
    let token = token_of(&answer);
    r.record("log in (password only)", 2, 201, answer);
    let answer = crate::me(&r.app, &token).await;
    r.record("authenticated read (GET /v1/me)", 2, 200, answer);

    let answer = request_reset(&r.app, &email, "email").await;
    r.record("reset request", 1, 202, answer);
    let code = r.app.latest_code(&email);
    let answer = verify_reset(&r.app, &email, &code).await;
    let reset_token = answer.json["reset_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    r.record("reset verify", 1, 200, answer);
    let new = "Tessellate-9-Quartz";
    let body = json!({ "reset_token": reset_token, "new_password": new, "confirm_password": new });
    let answer = r
        .app
        .call(
            password_reset::handle,
            json_request("POST", "/v1/password-resets/complete", &body),
        )
        .await;
    r.record("reset complete", 1, 204, answer);

    let token = token_of(&log_in(&r.app, &email, new).await);
    r.counter.take();
    let enrol = authorized(
        "POST",
        "/v1/me/mfa/totp",
        &token,
        Some(&json!({ "password": new })),
    );
    let answer = r.app.call(mfa::handle, enrol).await;
    let secret = answer.json["secret"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    r.record("MFA enrol", 3, 200, answer);
    let code = code_at(&secret, r.app.clock.now()).unwrap();
    let confirm = authorized(
        "POST",
        "/v1/me/mfa/totp/confirm",
        &token,
        Some(&json!({ "code": code })),
    );
    let answer = r.app.call(mfa::handle, confirm).await;
    r.record("MFA confirm", 3, 200, answer);
    r.app.clock.advance(Seconds(30));

    let answer = log_in(&r.app, &email, new).await;
    let challenge = answer.json["challenge"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    r.record("log in (MFA challenge)", 2, 200, answer);
    let code = code_at(&secret, r.app.clock.now()).unwrap();
    let body = json!({ "challenge": challenge, "code": code });
    let answer = r
        .app
        .call(
            sessions::handle,
            json_request("POST", "/v1/sessions/mfa", &body),
        )
        .await;
    let token = token_of(&answer);
    r.record("TOTP step", 2, 201, answer);

    // The certification screens: one record imported and mapped, then read.
    let n = tessera_testkit::app::unique() % 1_000_000_000;
    let registration = format!("REG-T-{n}");
    let csv = format!(
        "candidate_id,first_name,last_name,email,testing_id,registration_number,exam_code,exam_name,grade,date\n\
         TST{n},Grace,Hopper,,,{registration},SA-201,Security Operations Associate,pass,2025-06-11\n"
    );
    let answer = import(
        &r.app,
        csv_upload("/v1/admin/imports/exam-results", &csv, None),
    )
    .await;
    assert_eq!(answer.json["imported"], 1, "{}", answer.text);
    let body = json!({
        "method": "score_report",
        "last_name": "Hopper",
        "registration_number": registration,
        "new_email": email,
    });
    let answer = candidate_call(
        &r.app,
        authorized("POST", "/v1/candidate/mapping", &token, Some(&body)),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    // A warm process has read the catalog within its refresh time (one read per 30 s, not per
    // request: `catalog_versions::REFRESH`).
    r.app.certification.catalogs.current().await;
    r.counter.take();
    let answer = candidate_call(
        &r.app,
        authorized("GET", "/v1/candidate/certifications", &token, None),
    )
    .await;
    r.record("certification screen", 2, 200, answer);
    let answer = candidate_call(&r.app, authorized("GET", "/v1/candidate", &token, None)).await;
    r.record("personal info", 2, 200, answer);

    // A recruiter checks the code printed on the PDF certificate, from a warm process (its
    // per-client allowance taken ahead, as a batch, by an earlier check).
    let pdf = candidate_call(
        &r.app,
        authorized(
            "GET",
            "/v1/candidate/certifications/security-associate/certificate.pdf",
            &token,
            None,
        ),
    )
    .await;
    assert_eq!(pdf.status, 200, "{}", pdf.text);
    let text = String::from_utf8_lossy(&pdf.bytes);
    let link = text
        .split("Check it at ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .expect("a verification link in the PDF")
        .to_string();
    let path = link[link.find("/v1/verify/").expect("a verification path")..].to_string();
    let state: verification::VerificationState = r.app.state();
    let check = |path: &str| {
        lambda_http::http::Request::builder()
            .uri(path)
            .header("accept", "application/json")
            .body(lambda_http::Body::Empty)
            .unwrap()
    };
    let warm = verification::handle(check(&path), state.clone()).await;
    assert_eq!(warm.status(), 200);
    r.counter.take();
    let answer = TestResponse::from_response(verification::handle(check(&path), state).await);
    r.record("verification (GET /v1/verify/{code})", 2, 200, answer);

    // A verifier fetches the holder's badge at its id, and the status list it names, from a
    // warm process (its catalog read within the refresh time).
    let detail = candidate_call(
        &r.app,
        authorized(
            "GET",
            "/v1/candidate/certifications/security-associate",
            &token,
            None,
        ),
    )
    .await;
    let badge = detail.json["badge"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a badge: {}", detail.text))
        .to_string();
    let issuer_state: issuer::IssuerState = r.app.state();
    let badge_path = format!("/v1/badges/{badge}");
    let warm = issuer::handle(check(&badge_path), issuer_state.clone()).await;
    assert_eq!(warm.status(), 200);
    r.counter.take();
    let answer =
        TestResponse::from_response(issuer::handle(check(&badge_path), issuer_state.clone()).await);
    r.record("hosted badge (GET /v1/badges/{id})", 2, 200, answer);
    let answer = TestResponse::from_response(
        issuer::handle(check("/v1/status-lists/1"), issuer_state).await,
    );
    r.record("status list (GET /v1/status-lists/{id})", 1, 200, answer);

    // The holder's badges, from a warm process: the list and a baked image.
    let badges_state: badges::BadgesState = r.app.state();
    let own = |path: &str| authorized("GET", path, &token, None);
    let warm = badges::handle(own("/v1/candidate/badges"), badges_state.clone()).await;
    assert_eq!(warm.status(), 200);
    r.counter.take();
    let answer = TestResponse::from_response(
        badges::handle(own("/v1/candidate/badges"), badges_state.clone()).await,
    );
    r.record("badges list (GET /v1/candidate/badges)", 2, 200, answer);
    let image = format!("/v1/candidate/badges/{badge}/image.png");
    let answer = TestResponse::from_response(badges::handle(own(&image), badges_state).await);
    r.record(
        "baked badge (GET /v1/candidate/badges/{id}/image.png)",
        2,
        200,
        answer,
    );

    oidc_flows(&mut r, &token).await;

    // The profile's access levels: the session, then the record and a sponsorship waiting for
    // the address, read at once.
    let answer = r
        .app
        .call(
            access::handle,
            authorized("GET", "/v1/me/access", &token, None),
        )
        .await;
    r.record("access levels (GET /v1/me/access)", 2, 200, answer);

    let answer = r
        .app
        .call(
            sessions::handle,
            authorized("DELETE", "/v1/sessions/current", &token, None),
        )
        .await;
    r.record("log out", 2, 204, answer);
    r.flows
}

/// The OpenID Connect provider's requests for a person who consented before: the authorization
/// endpoint, the code redeemed, a refresh, userinfo. The client is registered straight in the
/// store (registration is a rare staff write).
async fn oidc_flows(r: &mut Recorder, session: &str) {
    use tessera_oidc::client::{ClientKind, Registration};
    let deps = r.app.oidc.clone();
    let (client, secret) = Registration {
        name: "Round trips".into(),
        kind: ClientKind::Confidential,
        redirect_uris: vec!["https://app.example.com/callback".into()],
        post_logout_redirect_uris: vec![],
    }
    .register(
        &tessera_kernel::ids::AccountId::from_stored("0123456789abcdef0123456789abcdef".into()),
        deps.clock.now(),
        deps.random.as_ref(),
    );
    let secret = secret.expect("a confidential client's secret");
    let event = tessera_kernel::audit::AuditEvent {
        id: tessera_kernel::audit::AuditId::new(deps.clock.now(), deps.random.as_ref()),
        at: deps.clock.now(),
        actor: tessera_kernel::audit::AuditParty::new("account", "round-trips"),
        action: "oidc_client.register".into(),
        subject: tessera_oidc::grants::client_party(&client.id),
        reason: tessera_kernel::audit::Reason::parse("round trips").unwrap(),
        changes: vec![],
    };
    deps.store.register_client(&client, &event).await.unwrap();
    let authorize = format!(
        "/oidc/authorize?client_id={}&response_type=code&scope=openid%20email&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        client.id.as_str()
    );
    let mut browser = crate::pages::PageClient::new(&r.app);
    browser.use_session(session);
    // The consent, once (not counted).
    let page = browser.get(&authorize).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(
        browser.answer_consent(&authorize, "allow").await.status,
        303
    );
    r.counter.take();

    let answer = browser.get(&authorize).await;
    let location = answer.header("location").unwrap_or_default().to_string();
    r.record("OIDC authorize (consented)", 3, 303, answer);
    let code = form_urlencoded::parse(location.split_once('?').unwrap().1.as_bytes())
        .find(|(n, _)| n == "code")
        .map(|(_, v)| v.into_owned())
        .expect("a code");
    let token_request = |form: String| {
        let mut request = tessera_testkit::raw_request(
            "POST",
            "/oidc/token",
            "application/x-www-form-urlencoded",
            format!(
                "{form}&client_id={}&client_secret={}",
                client.id.as_str(),
                secret.expose()
            ),
        );
        request.headers_mut().remove("authorization");
        request
    };
    let answer = r
        .app
        .call(
            oidc::handle,
            token_request(format!(
                "grant_type=authorization_code&code={code}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
            )),
        )
        .await;
    let refresh = answer.json["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    r.record("OIDC token (authorization code)", 4, 200, answer);
    let answer = r
        .app
        .call(
            oidc::handle,
            token_request(format!("grant_type=refresh_token&refresh_token={refresh}")),
        )
        .await;
    let access = answer.json["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    r.record("OIDC token (refresh)", 4, 200, answer);
    let answer = r
        .app
        .call(
            oidc::handle,
            authorized("GET", "/oidc/userinfo", &access, None),
        )
        .await;
    r.record("OIDC userinfo", 2, 200, answer);
}
