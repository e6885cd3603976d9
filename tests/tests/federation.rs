//! Federated accounts (flow 32) on both backends, against a real OpenID Connect provider on
//! loopback: a second Tessera, started by the test as the organisation's own provider, with
//! Tessera registered there as a confidential client. The person types their address on the
//! log-in page and is sent to their organisation (identifier-first), signs in and consents
//! there, and comes back signed in to an account that has no password; an existing password
//! account is linked by the address the organisation verified and loses its password; an address
//! outside the organisation's domains, a callback in another browser, and a `state` used twice
//! sign nobody in.

use std::sync::{Arc, OnceLock};

use serde_json::json;
use tessera_identity::staff::Role;
use tessera_kernel::email::Email;
use tessera_testkit::{Backend, TestApp, TestResponse};
use tessera_tests::pages::{continued_to, PageClient};
use tessera_tests::{
    active_account, authorized, log_in, me, on_both_backends, staff_member, token_of, PASSWORD,
};

/// This Tessera's callback, as registered at the organisation.
fn callback() -> String {
    format!(
        "{}/federation/callback",
        tessera_http::config::LOCAL_PUBLIC_URL
    )
}

/// The organisation: its own provider on loopback (its issuer the address it is served at), and
/// Tessera's client there.
struct Organisation {
    app: TestApp,
    issuer: String,
    /// How often each path of the provider was asked for.
    asked: Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
    client_id: String,
    client_secret: String,
    domain: String,
}

async fn organisation() -> Organisation {
    let ready: Arc<OnceLock<oidc::OidcState>> = Arc::new(OnceLock::new());
    let serving = ready.clone();
    let asked = Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
    let counting = asked.clone();
    let issuer = tessera_testkit::loopback::serve(move |request| {
        let state = serving.get().expect("the provider is ready").clone();
        *counting
            .lock()
            .unwrap()
            .entry(request.uri().path().to_string())
            .or_insert(0) += 1;
        async move { oidc::handle(request, state).await }
    })
    .await;
    let app = TestApp::with_vars(Backend::Embedded, &[("TESSERA_PUBLIC_URL", &issuer)]).await;
    ready.set(app.state()).ok();
    let admin = staff_member(&app, "org.admin", &[Role::ProgramAdmin]).await;
    let body = json!({
        "name": "Tessera", "type": "confidential", "redirect_uris": [callback()],
        "reason": "our people sign in to the certification program"
    });
    let registered = app
        .call(
            oidc::handle,
            authorized("POST", "/v1/staff/oidc-clients", &admin.token, Some(&body)),
        )
        .await;
    assert_eq!(registered.status, 201, "{}", registered.text);
    Organisation {
        app,
        issuer,
        asked,
        client_id: registered.json["client_id"].as_str().unwrap().into(),
        client_secret: registered.json["client_secret"].as_str().unwrap().into(),
        domain: format!("org{}.example", tessera_testkit::app::unique()),
    }
}

impl Organisation {
    /// How often the provider was asked for `path`.
    fn asked_for(&self, path: &str) -> usize {
        self.asked.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    /// An active account at the organisation, and a session there.
    async fn member(&self, local_part: &str, domain: &str) -> (String, String) {
        let email = format!("{local_part}@{domain}");
        tessera_tests::activate_address(&self.app, &email).await;
        let token = token_of(&log_in(&self.app, &email, PASSWORD).await);
        (email, token)
    }

    /// The person (signed in at the organisation as `token`) consents at the authorization
    /// endpoint Tessera sent them to (the first time; it is remembered): where the organisation
    /// sends them back.
    async fn consent(&self, authorize_url: &str, token: &str) -> String {
        let path = authorize_url
            .strip_prefix(&self.issuer)
            .expect("sent to the organisation's provider");
        let mut browser = PageClient::new(&self.app);
        browser.use_session(token);
        let page = browser.get(path).await;
        let back = match page.status {
            200 => browser.answer_consent(path, "allow").await,
            _ => page,
        };
        assert_eq!(back.status, 303, "{}", back.text);
        let location = back.header("location").unwrap().to_string();
        location
            .strip_prefix(tessera_http::config::LOCAL_PUBLIC_URL)
            .expect("back to this Tessera")
            .to_string()
    }
}

/// The stored identity of `email`, if any.
async fn identity_of(app: &TestApp, email: &str) -> Option<tessera_identity::Identity> {
    let address = Email::parse(email).unwrap();
    app.deps.store.identity(&address).await.unwrap()
}

/// A `program_admin` registers the organisation's provider for its domain.
async fn register(app: &TestApp, org: &Organisation) -> TestResponse {
    let admin = staff_member(app, "federation.admin", &[Role::ProgramAdmin]).await;
    let body = json!({
        "name": "Example Organisation", "issuer": org.issuer, "client_id": org.client_id,
        "client_secret": org.client_secret, "domains": [org.domain], "default_country": "GB",
        "reason": "the organisation signs its people in"
    });
    app.call(
        federation::handle,
        authorized(
            "POST",
            "/v1/staff/federation-providers",
            &admin.token,
            Some(&body),
        ),
    )
    .await
}

/// The log-in page's first step with `email`: where it sends the browser.
/// The log-in's password step (not a page sending the person on to their organisation).
fn is_password_step(page: &TestResponse) -> bool {
    page.status == 200
        && page.text.contains(r#"name="password""#)
        && continued_to(&page.text).is_none()
}

async fn identify(browser: &mut PageClient<'_>, email: &str) -> TestResponse {
    let page = browser.get("/").await;
    assert_eq!(page.status, 200);
    browser.post("/sign-in", &[("email", email)]).await
}

/// Identifier-first, at the organisation, and back: the answer to the callback.
async fn sign_in_through(
    browser: &mut PageClient<'_>,
    org: &Organisation,
    typed: &str,
    at_org: &str,
) -> (TestResponse, String) {
    let identified = identify(browser, typed).await;
    // A page that goes on (a redirect after the form could not leave for the organisation).
    assert_eq!(identified.status, 200, "{}", identified.text);
    let start = continued_to(&identified.text).expect("sent on to the organisation");
    assert!(start.starts_with("/federation/start?email="), "{start}");
    let sent = browser.get(&start).await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    let authorize = sent.header("location").unwrap().to_string();
    let back = org.consent(&authorize, at_org).await;
    assert!(back.starts_with("/federation/callback?"), "{back}");
    (browser.get(&back).await, back)
}

async fn a_person_signs_in_through_their_organisation(backend: Backend) {
    let org = organisation().await;
    let app = TestApp::new(backend).await;
    let registered = register(&app, &org).await;
    assert_eq!(registered.status, 201, "{}", registered.text);
    assert_eq!(registered.json["confidential"], true);
    assert!(
        !registered.text.contains(&org.client_secret),
        "the secret never comes out"
    );

    let (email, at_org) = org.member("ada", &org.domain).await;
    let mut browser = PageClient::new(&app);
    let (signed_in, callback) = sign_in_through(&mut browser, &org, &email, &at_org).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);
    assert_eq!(signed_in.header("location"), Some("/account"));
    let account = browser.get("/account").await;
    assert_eq!(account.status, 200, "{}", account.text);
    assert!(account.text.contains(&email));

    let identity = identity_of(&app, &email).await.unwrap();
    assert!(identity.federated);
    let profile = app
        .deps
        .store
        .profile(&identity.account_id)
        .await
        .unwrap()
        .unwrap();
    assert!(profile.federated, "the profile says so too");
    assert_eq!(
        profile.first_name.as_str(),
        "Ada",
        "named as the organisation names them"
    );
    let r = log_in(&app, &email, PASSWORD).await;
    assert_eq!(r.status, 401, "no password signs in: {}", r.text);
    let made = tessera_tests::audit_about(&app, "account", identity.account_id.as_str()).await;
    assert_eq!(made[0].action, "account.create_federated");

    // The same callback again (a reload, or a stolen link): the state was used.
    let again = browser.get(&callback).await;
    assert_eq!(again.status, 400, "{}", again.text);

    // A second sign-in reaches the same account.
    let mut later = PageClient::new(&app);
    let (signed_in, _) = sign_in_through(&mut later, &org, &email, &at_org).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);
    let again = identity_of(&app, &email).await.unwrap();
    assert_eq!(again.account_id, identity.account_id);
    // What the provider publishes is kept: two sign-ins, one fetch of each; every code redeemed.
    assert_eq!(org.asked_for("/.well-known/openid-configuration"), 1);
    assert_eq!(org.asked_for("/oidc/jwks.json"), 1);
    assert_eq!(org.asked_for("/oidc/token"), 2);
}

async fn an_existing_account_is_linked_by_the_verified_address(backend: Backend) {
    let org = organisation().await;
    let app = TestApp::new(backend).await;
    // An account made with a password before the organisation's provider was registered.
    let email = format!("bob@{}", org.domain);
    tessera_tests::activate_address(&app, &email).await;
    let old_session = token_of(&log_in(&app, &email, PASSWORD).await);
    assert_eq!(register(&app, &org).await.status, 201);

    let (_, at_org) = org.member("bob", &org.domain).await;
    let mut browser = PageClient::new(&app);
    let (signed_in, _) = sign_in_through(&mut browser, &org, &email, &at_org).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);
    let identity = identity_of(&app, &email).await.unwrap();
    assert!(identity.federated, "linked");
    assert_eq!(
        me(&app, &old_session).await.status,
        401,
        "the password's sessions ended"
    );
    assert_eq!(
        log_in(&app, &email, PASSWORD).await.status,
        401,
        "the password is gone"
    );
    let events = tessera_tests::audit_about(&app, "account", identity.account_id.as_str()).await;
    assert_eq!(events[0].action, "account.federate");
    let security = browser.get("/account/security").await;
    assert!(
        security.text.contains("organisation") || security.text.contains("organization"),
        "the security page says the organisation manages it: {}",
        security.text
    );
}

async fn nobody_is_signed_in_without_the_organisations_word(backend: Backend) {
    let org = organisation().await;
    let app = TestApp::new(backend).await;
    assert_eq!(register(&app, &org).await.status, 201);

    // A staff account at the organisation's domain keeps its password and authenticator.
    let staff_email = format!("ops.lead@{}", org.domain);
    tessera_tests::activate_address(&app, &staff_email).await;
    tessera_operator::grant_role(
        &app.deps,
        "tests",
        &Email::parse(&staff_email).unwrap(),
        Role::Support,
        &tessera_kernel::audit::Reason::parse("a staff member").unwrap(),
    )
    .await
    .unwrap();
    let (_, staff_at_org) = org.member("ops.lead", &org.domain).await;
    let mut browser = PageClient::new(&app);
    let (refused, _) = sign_in_through(&mut browser, &org, &staff_email, &staff_at_org).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let kept = identity_of(&app, &staff_email).await.unwrap();
    assert!(!kept.federated, "not taken over");
    assert_eq!(log_in(&app, &staff_email, PASSWORD).await.status, 201);
    // The page sends them to the log-in that asks for the password, at their domain too.
    assert!(
        refused.text.contains(r#"href="/?with=password""#),
        "{}",
        refused.text
    );
    let mut staff_browser = PageClient::new(&app);
    let first = staff_browser.get("/?with=password").await;
    assert!(first.text.contains(r#"name="with" value="password""#));
    let fields = [("email", staff_email.as_str()), ("with", "password")];
    let second = staff_browser.post("/sign-in", &fields).await;
    assert_eq!(
        second.status, 200,
        "the password step, not the organisation"
    );
    assert!(
        second.text.contains(r#"name="password""#),
        "{}",
        second.text
    );
    let fields = [("email", staff_email.as_str()), ("password", PASSWORD)];
    let signed_in = staff_browser.post("/sign-in", &fields).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);
    assert_eq!(signed_in.header("location"), Some("/account"));
    // The console's pages send a signed-out visitor to that log-in.
    let mut console = PageClient::new(&app);
    let sent = console.get("/staff").await;
    let to = sent.header("location").unwrap().to_string();
    assert!(to.starts_with("/?next=%2Fstaff"), "{to}");
    let first = console.get(&to).await;
    assert!(first.text.contains(r#"name="with" value="password""#));

    // The organisation vouches only for its own domains: a member whose address is elsewhere.
    let (_, elsewhere) = org.member("eve", "elsewhere.example").await;
    let typed = format!("eve@{}", org.domain);
    let mut browser = PageClient::new(&app);
    let (refused, _) = sign_in_through(&mut browser, &org, &typed, &elsewhere).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert!(identity_of(&app, &typed).await.is_none());
    assert!(identity_of(&app, "eve@elsewhere.example").await.is_none());

    // A callback opened in a browser that did not start the sign-in.
    let (email, at_org) = org.member("mallory", &org.domain).await;
    let mut starter = PageClient::new(&app);
    let identified = identify(&mut starter, &email).await;
    let sent = starter.get(&continued_to(&identified.text).unwrap()).await;
    let back = org.consent(sent.header("location").unwrap(), &at_org).await;
    let mut victim = PageClient::new(&app);
    victim.get("/").await;
    let r = victim.get(&back).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(victim.get("/account").await.status != 200);

    // An address of no registered domain is asked for its password, as ever.
    let (plain, _) = active_account(&app, "federation.plain").await;
    let mut browser = PageClient::new(&app);
    let r = identify(&mut browser, &plain).await;
    assert!(is_password_step(&r), "the password step: {}", r.text);

    // Disabled, the provider's domain signs in with passwords again.
    let admin = staff_member(&app, "federation.disabler", &[Role::ProgramAdmin]).await;
    let list = app
        .call(
            federation::handle,
            authorized("GET", "/v1/staff/federation-providers", &admin.token, None),
        )
        .await;
    let id = list.json["items"][0]["id"].as_str().unwrap().to_string();
    let disabled = app
        .call(
            federation::handle,
            authorized(
                "POST",
                &format!("/v1/staff/federation-providers/{id}/disable"),
                &admin.token,
                Some(&json!({ "reason": "the organisation left" })),
            ),
        )
        .await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    let mut browser = PageClient::new(&app);
    let r = identify(&mut browser, &email).await;
    assert!(is_password_step(&r), "no longer sent to the organisation");
}

async fn a_registration_is_checked_and_a_domain_is_one_providers(backend: Backend) {
    let org = organisation().await;
    let app = TestApp::new(backend).await;
    assert_eq!(register(&app, &org).await.status, 201);
    let taken = register(&app, &org).await;
    assert_eq!(
        (taken.status, taken.json["code"].as_str()),
        (409, Some("domain_taken"))
    );
    let admin = staff_member(&app, "federation.checker", &[Role::ProgramAdmin]).await;
    let body = json!({
        "name": "Plain", "issuer": "http://login.example.com", "client_id": "x",
        "domains": ["Example.COM"], "default_country": "GB", "reason": "checking"
    });
    let refused = app
        .call(
            federation::handle,
            authorized(
                "POST",
                "/v1/staff/federation-providers",
                &admin.token,
                Some(&body),
            ),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    let fields: Vec<&str> = refused.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["issuer", "domains"]);
    let support = staff_member(&app, "federation.support", &[Role::Support]).await;
    let forbidden = app
        .call(
            federation::handle,
            authorized(
                "GET",
                "/v1/staff/federation-providers",
                &support.token,
                None,
            ),
        )
        .await;
    assert_eq!(forbidden.status, 403);
}

/// The staff console's pages: a program administrator registers an organisation (its secret never
/// shown back) and disables it; support issues a special access code, shown once, that works.
async fn the_console_registers_organisations_and_issues_access_codes(backend: Backend) {
    let org = organisation().await;
    let app = TestApp::new(backend).await;
    let admin = staff_member(&app, "console.federation", &[Role::ProgramAdmin]).await;
    let mut console = PageClient::new(&app);
    console.use_session(&admin.token);
    let page = console.get("/staff/federation-providers").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("/federation/callback"),
        "the redirect address to register"
    );
    let second_domain = format!("second.{}", org.domain);
    let domains = format!("{}\r\n{second_domain}", org.domain);
    let form = |issuer: &str| -> Vec<(&'static str, String)> {
        vec![
            ("name", "Example Organisation".into()),
            ("issuer", issuer.into()),
            ("client_id", org.client_id.clone()),
            ("client_secret", org.client_secret.clone()),
            ("domains", domains.clone()),
            ("default_country", "GB".into()),
            ("reason", "the organisation signs its people in".into()),
        ]
    };
    let refused_form = form("http://login.example.com");
    let refused_fields: Vec<(&str, &str)> =
        refused_form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = console
        .post("/staff/federation-providers", &refused_fields)
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused.text.contains("aria-invalid=\"true\""));
    let good_form = form(&org.issuer);
    let good_fields: Vec<(&str, &str)> = good_form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = console
        .post("/staff/federation-providers", &good_fields)
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert!(done.text.contains("Registered."), "{}", done.text);
    assert!(done.text.contains(&second_domain));
    assert!(
        !done.text.contains(&org.client_secret),
        "the secret never comes back"
    );
    let (email, at_org) = org.member("grace", &second_domain).await;
    let mut browser = PageClient::new(&app);
    let (signed_in, _) = sign_in_through(&mut browser, &org, &email, &at_org).await;
    assert_eq!(
        signed_in.status, 303,
        "the second domain signs in: {}",
        signed_in.text
    );

    let listed = app
        .call(
            federation::handle,
            authorized("GET", "/v1/staff/federation-providers", &admin.token, None),
        )
        .await;
    let id = listed.json["items"][0]["id"].as_str().unwrap().to_string();
    let disabled = console
        .post(
            &format!("/staff/federation-providers/{id}/disable"),
            &[("reason", "the organisation left")],
        )
        .await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    let mut later = PageClient::new(&app);
    assert!(
        is_password_step(&identify(&mut later, &email).await),
        "the password step again"
    );

    let support = staff_member(&app, "console.codes", &[Role::Support]).await;
    let mut desk = PageClient::new(&app);
    desk.use_session(&support.token);
    assert_eq!(desk.get("/staff/access-codes").await.status, 200);
    let issued = desk
        .post(
            "/staff/access-codes",
            &[
                ("resource", "docs.urgent-file"),
                ("expires_on", "2026-03-31"),
                ("reason", "customer case 42"),
            ],
        )
        .await;
    assert_eq!(issued.status, 200, "{}", issued.text);
    let code = issued
        .text
        .split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .find(|w| w.len() == 39 && w.matches('-').count() == 7)
        .unwrap_or_else(|| panic!("a code on the page: {}", issued.text))
        .to_string();
    let (holder_email, _) = active_account(&app, "console.redeemer").await;
    let token = token_of(&log_in(&app, &holder_email, PASSWORD).await);
    let redeemed = app
        .call(
            access::handle,
            authorized(
                "POST",
                "/v1/me/access/codes",
                &token,
                Some(&json!({ "code": code })),
            ),
        )
        .await;
    assert_eq!(redeemed.status, 200, "{}", redeemed.text);
    let mut nobody = PageClient::new(&app);
    assert_eq!(
        nobody.get("/staff/access-codes").await.status,
        303,
        "log in first"
    );
}

on_both_backends!(
    the_console_registers_organisations_and_issues_access_codes,
    a_person_signs_in_through_their_organisation,
    an_existing_account_is_linked_by_the_verified_address,
    nobody_is_signed_in_without_the_organisations_word,
    a_registration_is_checked_and_a_domain_is_one_providers,
);
