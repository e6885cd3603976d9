//! Structured JSON logs carry the request id, and no password, code or pepper ever reaches them.
//! This file is its own test binary, so the global subscriber it installs sees only these flows.

use serde_json::{json, Value};
use std::io::Write;
use std::sync::{Arc, Mutex};
use tessera_kernel::time::Seconds;
use tessera_testkit::{json_request, unique_email, Backend, FlakyMessenger, TestApp};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const PASSWORD: &str = "Quartz-Harbor-42x";
const PEPPER: &str = "log-test-pepper-do-not-print";

async fn post(
    app: &TestApp,
    path: &str,
    body: Value,
    request_id: &str,
) -> tessera_testkit::TestResponse {
    let mut request = json_request("POST", path, &body);
    let mut context =
        lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext::default();
    context.request_id = Some(request_id.to_string());
    request
        .extensions_mut()
        .insert(lambda_http::request::RequestContext::ApiGatewayV2(context));
    let response =
        tessera_http::wiring::dispatch(accounts::handle, request, app.deps.clone()).await;
    tessera_testkit::TestResponse::from_response(response)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_name_the_request_and_never_a_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tessera_http::logging::builder()
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    for backend in [Backend::Embedded, Backend::Moto] {
        let mut app = TestApp::with_vars(backend, &[("TESSERA_CODE_PEPPER", PEPPER)]).await;
        // The first email fails, so the error path logs too.
        app.set_messenger(Arc::new(FlakyMessenger::new(app.messenger(), 1)));
        let email = unique_email("logs");
        let sign_up = json!({ "email": email, "password": PASSWORD, "first_name": "Ada", "last_name": "L", "country": "GB" });
        assert_eq!(
            post(&app, "/v1/accounts", sign_up.clone(), "req-signup")
                .await
                .status,
            202
        );
        app.clock.advance(Seconds(61));
        assert_eq!(
            post(&app, "/v1/accounts", sign_up, "req-again")
                .await
                .status,
            202
        );
        let code = app.latest_code(&email);
        let weak = json!({ "email": unique_email("weak"), "password": "Password123!", "first_name": "A", "last_name": "B", "country": "GB" });
        assert_eq!(
            post(&app, "/v1/accounts", weak, "req-weak").await.status,
            422
        );
        assert_eq!(
            post(
                &app,
                "/v1/accounts/activate",
                json!({ "email": email, "code": "000000", "password": "Quartz-Harbor-42x" }),
                "req-wrong"
            )
            .await
            .status,
            400
        );
        let r = post(
            &app,
            "/v1/accounts/activate",
            json!({ "email": email, "code": code, "password": "Quartz-Harbor-42x" }),
            "req-activate",
        )
        .await;
        assert_eq!(r.status, 200);

        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("every log line is JSON"))
            .collect();
        let handled: Vec<&Value> = lines
            .iter()
            .filter(|l| l["fields"]["message"] == "handled")
            .collect();
        assert!(handled
            .iter()
            .any(|l| l["span"]["request_id"] == "req-activate" && l["fields"]["status"] == 200));
        assert!(lines.iter().any(
            |l| l["fields"]["message"] == "message not sent; kept for retry"
                && l["span"]["request_id"] == "req-signup"
        ));
        for secret in [PASSWORD, "Password123!", code.as_str(), PEPPER] {
            assert!(
                !text.contains(secret),
                "{secret:?} reached the log:\n{text}"
            );
        }
    }
}
