//! The account pages through the page function's handler, on both backends: the journeys a person
//! makes (reading the real email or SMS for each code), the cookies, and the forms refused before
//! they reach a route. The same journeys in real Chromium are in `portal_browser.rs`.

use tessera_identity::mfa::code_at;
use tessera_kernel::ports::Clock;
use tessera_kernel::time::Seconds;
use tessera_testkit::app::unique_mobile;
use tessera_testkit::{unique_email, Backend, TestApp, TestResponse};
use tessera_tests::pages::{hidden, text_of_class, PageClient};
use tessera_tests::{on_both_backends, PASSWORD};

fn location(r: &TestResponse) -> &str {
    r.header("location").unwrap_or_default()
}

fn assert_page(r: &TestResponse, status: u16, heading: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert!(
        r.text.contains(&format!("<h1>{heading}</h1>")),
        "expected the page \"{heading}\": {}",
        r.text
    );
}

/// Signs up through the pages and activates with the code from the real email; the address.
async fn sign_up_through_the_pages(
    app: &TestApp,
    browser: &mut PageClient<'_>,
    name: &str,
) -> String {
    let email = unique_email(name);
    assert_page(&browser.get("/sign-up").await, 200, "Create an account");
    let r = browser
        .post(
            "/sign-up",
            &[
                ("email", &email),
                ("password", PASSWORD),
                ("first_name", "Ada"),
                ("last_name", "Lovelace"),
                ("country", "GB"),
            ],
        )
        .await;
    assert_page(&r, 200, "Activate your account");
    assert_eq!(hidden(&r.text, "email").as_deref(), Some(email.as_str()));
    let code = app.latest_code(&email);
    let r = browser
        .post(
            "/activate",
            &[("email", &email), ("code", &code), ("password", PASSWORD)],
        )
        .await;
    assert_page(&r, 200, "Log in");
    assert!(r.text.contains("Your account is active"), "{}", r.text);
    email
}

async fn sign_in(browser: &mut PageClient<'_>, email: &str, password: &str) -> TestResponse {
    let r = browser.post("/sign-in", &[("email", email)]).await;
    assert_page(&r, 200, "Verify with your password");
    assert!(r.text.contains(email));
    browser
        .post("/sign-in", &[("email", email), ("password", password)])
        .await
}

/// The guide's first journey: sign up, activate from the email, log in, enrol the authenticator
/// (its QR code, then the recovery codes shown once), log out, and log in with the code.
async fn sign_up_log_in_enrol_and_log_in_with_the_code(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut browser = PageClient::new(&app);
    let email = sign_up_through_the_pages(&app, &mut browser, "pages.journey").await;

    let r = sign_in(&mut browser, &email, PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(location(&r), "/account");
    let cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|l| l.starts_with("__Host-tessera-session="))
        .expect("a session cookie");
    for attribute in ["Path=/", "HttpOnly", "SameSite=Lax", "Secure"] {
        assert!(cookie.contains(attribute), "{cookie} has {attribute}");
    }
    let profile = browser.get("/account").await;
    assert_page(&profile, 200, "Your profile");
    assert!(profile.text.contains(&email) && profile.text.contains("Lovelace"));

    let security = browser.get("/account/security").await;
    assert_page(&security, 200, "Account security");
    let r = browser
        .post("/account/authenticator", &[("password", PASSWORD)])
        .await;
    assert_page(&r, 200, "Account security");
    assert!(r.text.contains("src=\"data:image/png;base64,"), "a QR code");
    let secret = text_of_class(&r.text, "key").expect("the key to type instead");
    let code = code_at(&secret, app.clock.now()).unwrap();
    let r = browser
        .post("/account/authenticator/confirm", &[("code", &code)])
        .await;
    assert_page(&r, 200, "Your recovery codes");
    let codes = &r.text[r.text.find("class=\"codes\"").unwrap()..];
    let codes = &codes[..codes.find("</ul>").unwrap()];
    assert_eq!(
        codes.matches("<li>").count(),
        10,
        "ten recovery codes: {}",
        r.text
    );
    app.clock.advance(Seconds(30));

    let r = browser.post("/sign-out", &[]).await;
    assert_page(&r, 200, "Log in");
    assert!(r.text.contains("You are logged out"));
    assert_eq!(browser.cookie("__Host-tessera-session"), None);
    assert_eq!(location(&browser.get("/account").await), "/");

    let r = sign_in(&mut browser, &email, PASSWORD).await;
    assert_page(&r, 200, "Verify with your authenticator");
    let wrong = browser
        .post(
            "/sign-in",
            &[
                ("challenge", &hidden(&r.text, "challenge").unwrap()),
                ("code", "000000"),
            ],
        )
        .await;
    assert_page(&wrong, 401, "Verify with your authenticator");
    assert!(
        wrong.text.contains("aria-invalid=\"true\""),
        "{}",
        wrong.text
    );
    let code = code_at(&secret, app.clock.now()).unwrap();
    let r = browser
        .post(
            "/sign-in",
            &[
                ("challenge", &hidden(&wrong.text, "challenge").unwrap()),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_page(
        &browser.get("/account/security").await,
        200,
        "Account security",
    );
}

/// Forgot password with the authenticator: the code from the email, then the new password with
/// the authenticator's code; every session ends, and the new password logs in.
async fn a_reset_asks_for_the_authenticator_and_ends_every_session(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut browser = PageClient::new(&app);
    let email = sign_up_through_the_pages(&app, &mut browser, "pages.reset").await;
    let secret = tessera_tests::enrol_authenticator(&app, &email).await;
    let mut other_browser = PageClient::new(&app);
    other_browser.get("/").await;
    let r = sign_in(&mut other_browser, &email, PASSWORD).await;
    let code = code_at(&secret, app.clock.now()).unwrap();
    let r = other_browser
        .post(
            "/sign-in",
            &[
                ("challenge", &hidden(&r.text, "challenge").unwrap()),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    app.clock.advance(Seconds(30));

    assert_page(
        &browser.get("/forgot-password").await,
        200,
        "Reset your password",
    );
    let r = browser
        .post(
            "/forgot-password",
            &[("email", &email), ("channel", "email")],
        )
        .await;
    assert_page(&r, 200, "Reset your password");
    let code = app.latest_code(&email);
    let r = browser
        .post(
            "/forgot-password/verify",
            &[("email", &email), ("code", &code)],
        )
        .await;
    assert_page(&r, 200, "Choose a new password");
    let reset_token = hidden(&r.text, "reset_token").unwrap();
    assert_eq!(hidden(&r.text, "mfa_required").as_deref(), Some("yes"));
    let new_password = "Basalt-Orchard-77q";
    let refused = browser
        .post(
            "/forgot-password/complete",
            &[
                ("reset_token", &reset_token),
                ("mfa_required", "yes"),
                ("new_password", new_password),
                ("confirm_password", new_password),
                ("mfa_code", "000000"),
            ],
        )
        .await;
    assert!(refused.status >= 400, "{}", refused.text);
    assert!(
        refused.text.contains("id=\"mfa_code-error\""),
        "{}",
        refused.text
    );
    let code = code_at(&secret, app.clock.now()).unwrap();
    let r = browser
        .post(
            "/forgot-password/complete",
            &[
                ("reset_token", &reset_token),
                ("mfa_required", "yes"),
                ("new_password", new_password),
                ("confirm_password", new_password),
                ("mfa_code", &code),
            ],
        )
        .await;
    assert_page(&r, 200, "Log in");
    assert!(r.text.contains("Your password is changed"));
    assert_eq!(
        location(&other_browser.get("/account").await),
        "/",
        "the other browser's session ended"
    );
    let r = sign_in(&mut browser, &email, PASSWORD).await;
    assert_eq!(r.status, 401, "the old password no longer works");
}

/// A refused sign-up shows each error next to its field (with the route's status), keeps what was
/// typed, and never writes the password back into the page.
async fn a_refused_form_says_why_next_to_each_field(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut browser = PageClient::new(&app);
    browser.get("/sign-up").await;
    let r = browser
        .post(
            "/sign-up",
            &[
                ("email", "not-an-address"),
                ("password", "short"),
                ("first_name", "Ada <b>"),
                ("last_name", ""),
                ("country", "GB"),
            ],
        )
        .await;
    assert_page(&r, 422, "Create an account");
    for field in ["email", "password", "last_name"] {
        assert!(
            r.text.contains(&format!("id=\"{field}-error\"")),
            "{field} has its error: {}",
            r.text
        );
        assert!(
            r.text.contains(&format!("href=\"#{field}\"")),
            "the summary links {field}"
        );
    }
    assert!(r.text.contains("value=\"not-an-address\""));
    assert!(
        r.text.contains("value=\"Ada &lt;b&gt;\""),
        "escaped: {}",
        r.text
    );
    assert!(!r.text.contains("value=\"short\""));
    assert!(r.text.contains("role=\"alert\""));
}

/// A form without the visit's token, with another visit's, or from another site is refused with
/// 403 before any route runs: no account is made and no email sent.
async fn forms_without_the_token_or_from_another_site_change_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let email = unique_email("pages.forged");
    let fields = [
        ("email", email.as_str()),
        ("password", PASSWORD),
        ("first_name", "Ada"),
        ("last_name", "Lovelace"),
        ("country", "GB"),
    ];
    let mut attacker = PageClient::new(&app);
    attacker.get("/sign-up").await;
    let attackers_token = hidden(&attacker.get("/sign-up").await.text, "csrf").unwrap();

    let mut victim = PageClient::new(&app);
    victim.get("/sign-up").await;
    let no_token = victim.post_raw("/sign-up", &fields, &[]).await;
    assert_eq!(no_token.status, 403, "{}", no_token.text);
    let mut with_others = vec![("csrf", attackers_token.as_str())];
    with_others.extend_from_slice(&fields);
    let others = victim.post_raw("/sign-up", &with_others, &[]).await;
    assert_eq!(others.status, 403);
    let own = hidden(&victim.get("/sign-up").await.text, "csrf").unwrap();
    let mut cross_site = vec![("csrf", own.as_str())];
    cross_site.extend_from_slice(&fields);
    let r = victim
        .post_raw("/sign-up", &cross_site, &[("sec-fetch-site", "cross-site")])
        .await;
    assert_eq!(r.status, 403);
    assert!(app.messages_to(&email).is_empty(), "nothing was sent");
    let json = victim
        .post_raw("/sign-up", &[], &[("content-type", "application/json")])
        .await;
    assert_eq!(
        json.status, 403,
        "a body that is not a form has no token either"
    );

    // The same form with the token goes through.
    let r = victim.post("/sign-up", &fields).await;
    assert_page(&r, 200, "Activate your account");
    assert_eq!(app.messages_to(&email).len(), 1);
}

/// Over plain HTTP (`make dev`) the cookies drop the `Secure` flag and the `__Host-` prefix that
/// requires it, and the pages still work; a signed-in form's token changes with the session.
async fn over_plain_http_the_cookies_are_not_secure_and_tokens_follow_the_session(
    backend: Backend,
) {
    let app = TestApp::new(backend).await;
    let mut browser = PageClient::over_http(&app);
    let email = sign_up_through_the_pages(&app, &mut browser, "pages.http").await;
    let signed_out_token = hidden(&browser.get("/").await.text, "csrf").unwrap();
    let r = sign_in(&mut browser, &email, PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.text);
    let line = r.headers["set-cookie"].to_str().unwrap();
    assert!(
        line.starts_with("tessera-session=") && !line.contains("Secure"),
        "{line}"
    );
    let page = browser.get("/account").await;
    let signed_in_token = hidden(&page.text, "csrf").unwrap();
    assert_ne!(signed_in_token, signed_out_token);
    // The signed-out token is no good for a signed-in form.
    let stale = browser
        .post_raw(
            "/account/communication-settings",
            &[("csrf", &signed_out_token), ("newsletters", "yes")],
            &[],
        )
        .await;
    assert_eq!(stale.status, 403);
    let r = browser
        .post("/account/communication-settings", &[("newsletters", "yes")])
        .await;
    assert_page(&r, 200, "Your profile");
    assert!(
        r.text
            .contains("name=\"newsletters\" value=\"yes\" checked"),
        "{}",
        r.text
    );
}

/// The security tab: the mobile number (the code from the real SMS), the password changed (and
/// everyone logged out, this browser too), and the profile edited.
async fn the_security_and_profile_pages_change_what_they_say(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut browser = PageClient::new(&app);
    let email = sign_up_through_the_pages(&app, &mut browser, "pages.security").await;
    // A password may change an hour after it was set.
    app.clock.advance(Seconds(3600));
    assert_eq!(sign_in(&mut browser, &email, PASSWORD).await.status, 303);
    assert_page(&browser.get("/account").await, 200, "Your profile");

    let r = browser
        .post(
            "/account/profile",
            &[
                ("first_name", "Augusta"),
                ("last_name", "King"),
                ("country", "FR"),
                ("company", "Analytical Engines"),
                ("job_title", ""),
            ],
        )
        .await;
    assert_page(&r, 200, "Your profile");
    assert!(r.text.contains("value=\"Augusta\"") && r.text.contains("France"));

    let mobile = unique_mobile();
    let security = browser.get("/account/security").await;
    assert!(
        security
            .text
            .contains("<option value=\"FR\" selected>France (+33)</option>"),
        "the country-code menu, the account's country chosen: {}",
        security.text
    );
    // Typed as dialled in France, with the menu's country.
    let national = format!("0{}", &mobile[3..]);
    let r = browser
        .post(
            "/account/phone",
            &[
                ("phone-password", PASSWORD),
                ("country", "FR"),
                ("phone", &national),
            ],
        )
        .await;
    assert_page(&r, 200, "Account security");
    assert!(r.text.contains("name=\"phone_code\""), "{}", r.text);
    let code = app.latest_code(&mobile);
    let r = browser
        .post("/account/phone/verify", &[("phone_code", &code)])
        .await;
    assert_page(&r, 200, "Account security");
    assert!(r.text.contains("(verified)"), "{}", r.text);

    let new_password = "Basalt-Orchard-77q";
    let r = browser
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new_password),
                ("confirm_password", new_password),
            ],
        )
        .await;
    assert_page(&r, 200, "Log in");
    assert!(r.text.contains("logged out"), "{}", r.text);
    assert_eq!(location(&browser.get("/account").await), "/");
    assert_eq!(
        sign_in(&mut browser, &email, new_password).await.status,
        303
    );
}

/// A page costs the DynamoDB calls of the routes behind it and no more: the same operations, in
/// the same order (moto counts them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_costs_the_calls_of_the_routes_behind_it() {
    if std::env::var_os("AWS_ENDPOINT_URL").is_none() {
        assert!(std::env::var_os("CI").is_none(), "moto runs in `make test`");
        return;
    }
    let mut app = TestApp::new(Backend::Moto).await;
    let counter = app.count_dynamodb_calls().await.expect("moto counts calls");
    let (email, _) = tessera_tests::active_account(&app, "pages.trips").await;
    let token = tessera_tests::token_of(&tessera_tests::log_in(&app, &email, PASSWORD).await);
    let route = |method: &'static str, path: &'static str, body: Option<serde_json::Value>| {
        let app = &app;
        let token = token.clone();
        async move {
            let request = tessera_tests::authorized(method, path, &token, body.as_ref());
            app.call(profile::handle, request).await
        }
    };
    counter.take();
    assert_eq!(route("GET", "/v1/me", None).await.status, 200);
    let mut behind = counter.take();
    assert_eq!(
        route("GET", "/v1/me/communication-settings", None)
            .await
            .status,
        200
    );
    behind.extend(counter.take());
    let mut browser = PageClient::new(&app);
    browser.use_session(&token);
    assert_page(&browser.get("/account").await, 200, "Your profile");
    assert_eq!(counter.take(), behind, "GET /account");

    assert_eq!(route("GET", "/v1/me", None).await.status, 200);
    let behind = counter.take();
    assert_page(
        &browser.get("/account/security").await,
        200,
        "Account security",
    );
    assert_eq!(counter.take(), behind, "GET /account/security");

    let settings = serde_json::json!({"product_updates": true, "newsletters": false, "event_invitations": false});
    assert_eq!(
        route("PUT", "/v1/me/communication-settings", Some(settings))
            .await
            .status,
        200
    );
    let mut behind = counter.take();
    for (method, path) in [("GET", "/v1/me"), ("GET", "/v1/me/communication-settings")] {
        assert_eq!(route(method, path, None).await.status, 200);
        behind.extend(counter.take());
    }
    let r = browser
        .post(
            "/account/communication-settings",
            &[("product_updates", "yes")],
        )
        .await;
    assert_page(&r, 200, "Your profile");
    assert_eq!(
        counter.take(),
        behind,
        "saving the settings, then the profile page shown again"
    );
}

/// The activation email's link opens the activation page with the address and code filled in;
/// opening it activates nothing (a mail scanner may open it), the password confirms it. A link
/// with a wrong code is refused at the code field.
async fn the_activation_link_fills_the_form_and_activates_nothing_by_itself(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut browser = PageClient::new(&app);
    let email = unique_email("pages.link");
    browser.get("/sign-up").await;
    let fields = [
        ("email", email.as_str()),
        ("password", PASSWORD),
        ("first_name", "Ada"),
        ("last_name", "Lovelace"),
        ("country", "GB"),
    ];
    assert_page(
        &browser.post("/sign-up", &fields).await,
        200,
        "Activate your account",
    );
    let message = app.messages_to(&email).pop().expect("the activation email");
    let code = app.latest_code(&email);
    let escaped = email.replace('@', "%40").replace('+', "%2B");
    let link = format!(
        "{}/activate?email={escaped}&code={code}",
        tessera_http::config::LOCAL_PUBLIC_URL
    );
    let in_text = message.body.replace("&amp;", "&");
    assert!(
        in_text.contains(&link),
        "the link in the email: {}",
        message.body
    );
    let path = &link[link.find("/activate?").unwrap()..];

    for _ in 0..2 {
        let opened = browser.get(path).await;
        assert_page(&opened, 200, "Activate your account");
        assert!(
            opened.text.contains(&format!("value=\"{code}\"")),
            "{}",
            opened.text
        );
        assert!(
            opened.text.contains("Your code is filled in"),
            "{}",
            opened.text
        );
    }
    let pending = tessera_tests::log_in(&app, &email, PASSWORD).await;
    assert_eq!(pending.status, 401, "opening the link activated nothing");

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = browser
        .post(
            "/activate",
            &[("email", &email), ("code", wrong), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert!(
        refused.text.contains("id=\"code-error\""),
        "{}",
        refused.text
    );
    let done = browser
        .post(
            "/activate",
            &[("email", &email), ("code", &code), ("password", PASSWORD)],
        )
        .await;
    assert_page(&done, 200, "Log in");
    assert_eq!(
        tessera_tests::log_in(&app, &email, PASSWORD).await.status,
        201
    );
}

on_both_backends!(
    the_activation_link_fills_the_form_and_activates_nothing_by_itself,
    sign_up_log_in_enrol_and_log_in_with_the_code,
    a_reset_asks_for_the_authenticator_and_ends_every_session,
    a_refused_form_says_why_next_to_each_field,
    forms_without_the_token_or_from_another_site_change_nothing,
    over_plain_http_the_cookies_are_not_secure_and_tokens_follow_the_session,
    the_security_and_profile_pages_change_what_they_say,
);

#[tokio::test]
async fn pages_are_strict_about_what_they_load_and_assets_are_served() {
    let app = TestApp::new(Backend::Embedded).await;
    let mut browser = PageClient::new(&app);
    let r = browser.get("/").await;
    let csp = r.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(!r.text.contains("<script>"), "no inline script");
    assert!(!r.text.contains("style=\""), "no inline style");
    let css = browser.get("/assets/portal.css").await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    let js = browser.get("/assets/portal.js").await;
    assert!(js.text.contains("/v1/password-policy/check"));
    // The icon every page names, and the same where browsers look unasked.
    assert!(r
        .text
        .contains("<link rel=\"icon\" href=\"/assets/icon.svg\""));
    for path in ["/assets/icon.svg", "/favicon.ico"] {
        let icon = browser.get(path).await;
        assert_eq!(
            (icon.status, icon.header("content-type")),
            (200, Some("image/svg+xml")),
            "{path}"
        );
        assert!(icon.text.starts_with("<svg"), "{path}");
    }
}
