//! The OpenID Connect provider driven by a real relying party's library (`openidconnect`), on
//! both backends: a `program_admin` registers the client; the library discovers the provider,
//! sends the person to the authorization endpoint with PKCE, the person (signed in on the portal)
//! consents, and the library redeems the code, validates the ID token from the JWK Set alone,
//! reads userinfo, refreshes, sees a replayed refresh token revoke the family, and logs out.

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest, HttpResponse, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, RefreshToken, Scope, TokenResponse,
};
use serde_json::json;
use tessera_identity::staff::Role;
use tessera_kernel::ports::Clock;
use tessera_testkit::{TestApp, TestResponse};
use tessera_tests::pages::{hidden, PageClient};
use tessera_tests::{
    active_account, authorized, log_in, on_both_backends, staff_member, token_of, PASSWORD,
};

const ISSUER: &str = tessera_http::config::LOCAL_PUBLIC_URL;
const REDIRECT: &str = "https://app.example.com/callback";
const AFTER_LOGOUT: &str = "https://app.example.com/signed-out";

/// The relying party's HTTP client: each request handed to the provider's function in process.
async fn send(app: &TestApp, request: HttpRequest) -> Result<HttpResponse, std::io::Error> {
    let (parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let mut builder = lambda_http::http::Request::builder()
        .method(parts.method.as_str())
        .uri(&path);
    for (name, value) in &parts.headers {
        builder = builder.header(name.as_str(), value.as_bytes());
    }
    let request = builder
        .body(lambda_http::Body::Binary(body))
        .map_err(std::io::Error::other)?;
    let answer = app.call(oidc::handle, request).await;
    let mut response = openidconnect::http::Response::builder().status(answer.status);
    for (name, value) in &answer.headers {
        response = response.header(name.as_str(), value.as_bytes());
    }
    response.body(answer.bytes).map_err(std::io::Error::other)
}

async fn register_client(app: &TestApp, kind: &str) -> TestResponse {
    let admin = staff_member(app, "oidc-admin", &[Role::ProgramAdmin]).await;
    let body = json!({
        "name": "Learning app",
        "type": kind,
        "redirect_uris": [REDIRECT],
        "post_logout_redirect_uris": [AFTER_LOGOUT],
        "reason": "the learning app signs candidates in"
    });
    app.call(
        oidc::handle,
        authorized("POST", "/v1/staff/oidc-clients", &admin.token, Some(&body)),
    )
    .await
}

/// The query parameter `name` of a redirect's `Location`.
fn location_param(r: &TestResponse, name: &str) -> Option<String> {
    let location = r.header("location")?;
    let query = location.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

async fn a_relying_party_signs_a_person_in_refreshes_and_logs_out(
    backend: tessera_testkit::Backend,
) {
    let app = TestApp::new(backend).await;
    clock_to_now(&app);
    let registered = register_client(&app, "confidential").await;
    assert_eq!(registered.status, 201, "{}", registered.text);
    let client_id = registered.json["client_id"].as_str().unwrap().to_string();
    let secret = registered.json["client_secret"]
        .as_str()
        .unwrap()
        .to_string();

    let http = |request| send(&app, request);
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(ISSUER.into()).unwrap(), &http)
            .await
            .expect("discovery");
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(client_id.clone()),
        Some(ClientSecret::new(secret)),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf_state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("access".into()))
        .set_pkce_challenge(challenge)
        .url();
    let authorize_path = format!("{}?{}", url.path(), url.query().unwrap());

    // Signed out, the browser goes by the log-in page, which brings it back.
    let mut browser = PageClient::new(&app);
    let r = browser.get(&authorize_path).await;
    assert_eq!(r.status, 303, "{}", r.text);
    let to_log_in = r.header("location").unwrap().to_string();
    assert!(
        to_log_in.starts_with("/?next=%2Foidc%2Fauthorize%3F"),
        "{to_log_in}"
    );

    // Signed in, the person is asked once, and the answer goes back with the code and the state.
    // (The person is a customer: their service contract is in the registry.)
    let (email, _) = active_account(&app, "oidc-person").await;
    let account = app
        .deps
        .store
        .identity(&tessera_kernel::email::Email::parse(&email).unwrap())
        .await
        .unwrap()
        .unwrap()
        .account_id;
    tessera_tests::customer_by_contract(&app, &account).await;
    // The log-in page sends the person back by a page that goes on (a redirect after the form
    // could end at the application's site, which `form-action 'self'` forbids).
    assert_eq!(browser.get(&to_log_in).await.status, 200);
    let fields = [
        ("email", email.as_str()),
        ("password", PASSWORD),
        ("next", authorize_path.as_str()),
    ];
    let signed_in = browser.post("/sign-in", &fields).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    assert_eq!(
        tessera_tests::pages::continued_to(&signed_in.text).as_deref(),
        Some(authorize_path.as_str())
    );
    let consent = browser.get(&authorize_path).await;
    assert_eq!(consent.status, 200, "{}", consent.text);
    assert!(consent.text.contains("Learning app"), "{}", consent.text);
    let csp = consent.header("content-security-policy").unwrap();
    assert!(
        csp.contains("form-action 'self' https://app.example.com"),
        "{csp}"
    );
    let r = browser.answer_consent(&authorize_path, "allow").await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert!(r.header("location").unwrap().starts_with(REDIRECT));
    assert_eq!(
        location_param(&r, "state").as_deref(),
        Some(csrf_state.secret().as_str())
    );
    assert_eq!(location_param(&r, "iss").as_deref(), Some(ISSUER));
    let code = location_param(&r, "code").expect("a code");

    // The library redeems the code and checks the ID token against the published keys.
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("the code is redeemed");
    let id_token = tokens.id_token().expect("an ID token");
    let claims = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .expect("a valid ID token");
    assert_eq!(claims.email().map(|e| e.as_str()), Some(email.as_str()));
    assert_eq!(claims.issuer().as_str(), ISSUER);
    // The access levels ride in the verified token as claims of their own.
    let payload = id_token.to_string();
    let payload = payload.split('.').nth(1).unwrap();
    use base64::Engine;
    let payload: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(payload["access_levels"], json!(["guest", "customer"]));
    assert!(
        consent.text.contains("your access levels"),
        "the consent names it"
    );

    // A code is used once.
    let (_, verifier_again) = PkceCodeChallenge::new_random_sha256();
    let again = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier_again)
        .request_async(&http)
        .await;
    assert!(again.is_err(), "a spent code is refused");

    // Userinfo answers for the access token.
    let info: openidconnect::core::CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await
        .expect("userinfo");
    assert_eq!(info.subject(), claims.subject());
    let raw = app
        .call(
            oidc::handle,
            authorized(
                "GET",
                "/oidc/userinfo",
                tokens.access_token().secret(),
                None,
            ),
        )
        .await;
    assert_eq!(raw.json["access_levels"], json!(["guest", "customer"]));
    assert_eq!(raw.json["access_resources"], json!([]));

    // Consent is remembered: the next sign-in goes straight back with a code.
    let r = browser.get(&authorize_path).await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert!(
        location_param(&r, "code").is_some(),
        "{:?}",
        r.header("location")
    );

    // A refresh rotates; the spent refresh token replayed revokes the whole family.
    let first_refresh = tokens.refresh_token().expect("a refresh token").clone();
    let refreshed = client
        .exchange_refresh_token(&first_refresh)
        .unwrap()
        .request_async(&http)
        .await
        .expect("a refresh");
    let second_refresh = refreshed.refresh_token().unwrap().clone();
    assert_ne!(second_refresh.secret(), first_refresh.secret());
    let refreshed_id = refreshed.id_token().expect("an ID token on refresh");
    refreshed_id
        .claims(&client.id_token_verifier(), |_: Option<&Nonce>| Ok(()))
        .expect("the refreshed ID token verifies");
    let replay = client
        .exchange_refresh_token(&first_refresh)
        .unwrap()
        .request_async(&http)
        .await;
    assert!(replay.is_err(), "a spent refresh token is refused");
    let after_replay = client
        .exchange_refresh_token(&RefreshToken::new(second_refresh.secret().clone()))
        .unwrap()
        .request_async(&http)
        .await;
    assert!(
        after_replay.is_err(),
        "the replay revoked the family: the newest token is dead too"
    );
    let userinfo_after = client
        .user_info(refreshed.access_token().clone(), None)
        .unwrap()
        .request_async::<openidconnect::EmptyAdditionalClaims, _, openidconnect::core::CoreGenderClaim>(&http)
        .await;
    assert!(
        userinfo_after.is_err(),
        "the family's access token died with it"
    );

    // RP-initiated logout: a confirmation, then the portal session ends and the browser returns.
    let logout = openidconnect::LogoutRequest::from(
        openidconnect::EndSessionUrl::new(format!("{ISSUER}/oidc/logout")).unwrap(),
    )
    .set_id_token_hint(id_token)
    .set_post_logout_redirect_uri(
        openidconnect::PostLogoutRedirectUrl::new(AFTER_LOGOUT.into()).unwrap(),
    )
    .set_state(CsrfToken::new("bye".into()))
    .http_get_url();
    let page = browser
        .get(&format!("{}?{}", logout.path(), logout.query().unwrap()))
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(hidden(&page.text, "id_token_hint").is_some());
    assert!(
        page.text.contains(r#"action="/sign-out""#) && !page.text.contains(r#"href="/sign-up""#),
        "asked while signed in: the signed-in header"
    );
    let fields: Vec<(String, String)> = logout.query_pairs().into_owned().collect();
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let r = browser.post("/oidc/logout", &form).await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(
        r.header("location"),
        Some(format!("{AFTER_LOGOUT}?state=bye").as_str())
    );
    let r = browser.get(&authorize_path).await;
    assert!(
        r.header("location").unwrap().starts_with("/?next="),
        "signed out: {:?}",
        r.header("location")
    );
}

async fn the_authorization_endpoint_refuses_what_the_protocol_forbids(
    backend: tessera_testkit::Backend,
) {
    let app = TestApp::new(backend).await;
    let registered = register_client(&app, "public").await;
    assert_eq!(registered.status, 201, "{}", registered.text);
    assert!(
        registered.json.get("client_secret").is_none(),
        "a public client has no secret"
    );
    let client_id = registered.json["client_id"].as_str().unwrap().to_string();
    let mut browser = PageClient::new(&app);
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let base = |extra: &str| {
        format!(
            "/oidc/authorize?client_id={client_id}&response_type=code&scope=openid&state=s1&code_challenge={challenge}&code_challenge_method=S256{extra}"
        )
    };
    // An unregistered redirect URI is never redirected to.
    let r = browser
        .get(&base("&redirect_uri=https%3A%2F%2Fevil.example%2Fcb"))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.header("location").is_none());
    let r = browser
        .get(&base(
            "&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback%2F",
        ))
        .await;
    assert_eq!(r.status, 400, "a prefix is not a match: {}", r.text);
    let redirect = "&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback";
    // Without PKCE, or with plain PKCE, the client is told.
    for (extra, error) in [
        ("&code_challenge_method=plain", "invalid_request"),
        ("&response_type=token", "invalid_request"),
        ("&prompt=none", "login_required"),
    ] {
        let r = browser.get(&format!("{}{redirect}{extra}", base(""))).await;
        assert_eq!(r.status, 303, "{extra}: {}", r.text);
        assert_eq!(
            location_param(&r, "error").as_deref(),
            Some(error),
            "{extra}"
        );
        assert_eq!(location_param(&r, "state").as_deref(), Some("s1"));
    }
    let no_pkce = format!(
        "/oidc/authorize?client_id={client_id}&response_type=code&scope=openid&state=s1{redirect}"
    );
    let r = browser.get(&no_pkce).await;
    assert_eq!(
        location_param(&r, "error").as_deref(),
        Some("invalid_request")
    );
    let no_openid = base(redirect).replace("scope=openid", "scope=email");
    let r = browser.get(&no_openid).await;
    assert_eq!(
        location_param(&r, "error").as_deref(),
        Some("invalid_scope")
    );
    // A public client cannot use a secret, and a wrong secret is no client.
    let r = app
        .call(
            oidc::handle,
            tessera_testkit::raw_request(
                "POST",
                "/oidc/token",
                "application/x-www-form-urlencoded",
                format!("grant_type=authorization_code&client_id={client_id}&client_secret=guess&code=x&redirect_uri=y&code_verifier=z"),
            ),
        )
        .await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(r.json["error"], "invalid_client");
}

/// The app's clock set to the real time (the library checks token times against it).
fn clock_to_now(app: &TestApp) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    app.clock
        .advance(tessera_kernel::time::Seconds(now - app.clock.now().0));
}

/// A confidential client's token request with `secret`, from one address.
fn token_request(client_id: &str, secret: &str, form: &str) -> lambda_http::Request {
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
    let mut request = tessera_testkit::raw_request(
        "POST",
        "/oidc/token",
        "application/x-www-form-urlencoded",
        form.to_string(),
    );
    request
        .headers_mut()
        .insert("authorization", format!("Basic {basic}").parse().unwrap());
    tessera_tests::from_client("198.51.100.7", request)
}

/// A code for the browser's session, consenting when asked.
async fn code(browser: &mut PageClient<'_>, authorize: &str) -> String {
    let page = browser.get(authorize).await;
    let r = if page.status == 200 {
        browser.answer_consent(authorize, "allow").await
    } else {
        page
    };
    location_param(&r, "code").expect("a code")
}

/// The security bar: codes expire, a new password ends every token family, and wrong answers
/// at the token endpoint are counted until even the right one waits.
async fn codes_expire_passwords_end_families_and_guesses_are_counted(
    backend: tessera_testkit::Backend,
) {
    let app = TestApp::new(backend).await;
    clock_to_now(&app);
    let registered = register_client(&app, "confidential").await;
    let client_id = registered.json["client_id"].as_str().unwrap().to_string();
    let secret = registered.json["client_secret"]
        .as_str()
        .unwrap()
        .to_string();
    let (email, _) = active_account(&app, "oidc-bar").await;
    let session = token_of(&log_in(&app, &email, PASSWORD).await);
    let mut browser = PageClient::new(&app);
    browser.use_session(&session);
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let authorize = format!(
        "/oidc/authorize?client_id={client_id}&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
    );
    let redeem = |code: &str, verifier: &str| {
        format!("grant_type=authorization_code&code={code}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&code_verifier={verifier}")
    };

    // A code is good for a minute.
    let stale = code(&mut browser, &authorize).await;
    app.clock.advance(tessera_kernel::time::Seconds(61));
    let r = app
        .call(
            oidc::handle,
            token_request(&client_id, &secret, &redeem(&stale, verifier)),
        )
        .await;
    assert_eq!(
        (r.status, r.json["error"].as_str()),
        (400, Some("invalid_grant")),
        "{}",
        r.text
    );
    // The wrong verifier spends the code too.
    let fresh = code(&mut browser, &authorize).await;
    let wrong = "x".repeat(43);
    let r = app
        .call(
            oidc::handle,
            token_request(&client_id, &secret, &redeem(&fresh, &wrong)),
        )
        .await;
    assert_eq!(r.json["error"], "invalid_grant", "{}", r.text);
    let r = app
        .call(
            oidc::handle,
            token_request(&client_id, &secret, &redeem(&fresh, verifier)),
        )
        .await;
    assert_eq!(
        r.json["error"], "invalid_grant",
        "the code was tried once: {}",
        r.text
    );

    // Tokens, then a new password: the family ends with every session. (A password may change
    // an hour after the last; the person signs in again after that.)
    app.clock.advance(tessera_kernel::time::Seconds::hours(2));
    let session = token_of(&log_in(&app, &email, PASSWORD).await);
    browser.use_session(&session);
    let good = code(&mut browser, &authorize).await;
    let r = app
        .call(
            oidc::handle,
            token_request(&client_id, &secret, &redeem(&good, verifier)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let refresh = r.json["refresh_token"].as_str().unwrap().to_string();
    let access = r.json["access_token"].as_str().unwrap().to_string();
    let userinfo = |token: &str| authorized("GET", "/oidc/userinfo", token, None);
    assert_eq!(app.call(oidc::handle, userinfo(&access)).await.status, 200);
    let changed = tessera_tests::change_password(
        &app,
        &session,
        PASSWORD,
        "Granite-Meadow-77q",
        "Granite-Meadow-77q",
    )
    .await;
    assert_eq!(changed.status, 204, "{}", changed.text);
    let r = app
        .call(
            oidc::handle,
            token_request(
                &client_id,
                &secret,
                &format!("grant_type=refresh_token&refresh_token={refresh}"),
            ),
        )
        .await;
    assert_eq!(
        r.json["error"], "invalid_grant",
        "a new password ends the family: {}",
        r.text
    );
    let r = app.call(oidc::handle, userinfo(&access)).await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("invalid_token"));

    // Wrong answers are counted per client and address (the invalid grant above among them):
    // at the limit even the right secret waits.
    let wrong_secret = || {
        token_request(
            &client_id,
            "guess",
            "grant_type=refresh_token&refresh_token=x",
        )
    };
    let mut wrong = 1; // the refresh after the new password
    loop {
        let r = app.call(oidc::handle, wrong_secret()).await;
        if r.status == 429 {
            break;
        }
        assert_eq!(r.status, 401, "{}", r.text);
        wrong += 1;
        assert!(
            wrong <= tessera_oidc::grants::WRONG_ANSWERS.max,
            "the limit holds"
        );
    }
    assert_eq!(wrong, tessera_oidc::grants::WRONG_ANSWERS.max);
    let right = token_request(
        &client_id,
        &secret,
        "grant_type=refresh_token&refresh_token=x",
    );
    let r = app.call(oidc::handle, right).await;
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (429, Some("too_many_attempts")),
        "{}",
        r.text
    );
    assert!(r.header("retry-after").is_some());
    // Another address is not held back by these.
    let elsewhere = tessera_tests::from_client(
        "203.0.113.9",
        token_request(
            &client_id,
            &secret,
            "grant_type=refresh_token&refresh_token=x",
        ),
    );
    assert_eq!(
        app.call(oidc::handle, elsewhere).await.json["error"],
        "invalid_grant"
    );
}

/// The staff console's applications page: a program administrator registers a client (its
/// secret shown on the page that follows, once) and disables it; another role is refused.
async fn the_console_registers_and_disables_clients(backend: tessera_testkit::Backend) {
    let app = TestApp::new(backend).await;
    let admin = staff_member(&app, "oidc-console", &[Role::ProgramAdmin]).await;
    let mut console = PageClient::new(&app);
    console.use_session(&admin.token);
    let page = console.get("/staff/oidc-clients").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("No application is registered yet."));
    let refused = console
        .post(
            "/staff/oidc-clients",
            &[
                ("name", "Learning app"),
                ("type", "public"),
                ("redirect_uris", "http://app.example.com/callback"),
                ("reason", "the learning app"),
            ],
        )
        .await;
    assert_eq!(
        refused.status, 422,
        "plain HTTP elsewhere than loopback: {}",
        refused.text
    );
    assert!(refused
        .text
        .contains("HTTPS, or HTTP to the loopback address only"));
    let done = console
        .post(
            "/staff/oidc-clients",
            &[
                ("name", "Learning app"),
                ("type", "confidential"),
                (
                    "redirect_uris",
                    "https://app.example.com/callback\r\nhttps://app.example.com/other",
                ),
                ("reason", "the learning app"),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert!(
        done.text.contains("Client secret (copy it now"),
        "{}",
        done.text
    );
    let listed = app
        .call(
            oidc::handle,
            authorized("GET", "/v1/staff/oidc-clients", &admin.token, None),
        )
        .await;
    let client = &listed.json["items"][0];
    assert_eq!(client["redirect_uris"].as_array().unwrap().len(), 2);
    let id = client["client_id"].as_str().unwrap().to_string();
    let again = console.get("/staff/oidc-clients").await;
    assert!(
        !again.text.contains("Client secret (copy it now"),
        "the secret is shown once"
    );
    let disabled = console
        .post(
            &format!("/staff/oidc-clients/{id}/disable"),
            &[("reason", "retired")],
        )
        .await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    assert!(disabled.text.contains("Disabled"));
    let events = tessera_tests::audit_about(&app, "oidc-client", &id).await;
    assert_eq!(events.len(), 2, "registration and disabling: {events:?}");

    let support = staff_member(&app, "oidc-support", &[Role::Support]).await;
    let mut other = PageClient::new(&app);
    other.use_session(&support.token);
    assert_eq!(other.get("/staff/oidc-clients").await.status, 403);
}

on_both_backends!(
    the_console_registers_and_disables_clients,
    token_endpoints_are_limited_per_client_address,
    codes_expire_passwords_end_families_and_guesses_are_counted,
    a_relying_party_signs_a_person_in_refreshes_and_logs_out,
    the_authorization_endpoint_refuses_what_the_protocol_forbids,
);

/// Every request to the token, userinfo and revocation endpoints is taken from its client
/// address's allowance first, right or wrong: a guessing run of access tokens stops at 429.
async fn token_endpoints_are_limited_per_client_address(backend: tessera_testkit::Backend) {
    let app = TestApp::with_vars(backend, &[("TESSERA_CLIENT_TOKENS", "3")]).await;
    let guess = |n: usize| {
        tessera_tests::from_client(
            "198.51.100.23",
            authorized(
                "GET",
                "/oidc/userinfo",
                &format!("0123456789abcdef0123456789abcdef.{}{n}", "a".repeat(42)),
                None,
            ),
        )
    };
    for n in 0..3 {
        assert_eq!(app.call(oidc::handle, guess(n)).await.status, 401);
    }
    let r = app.call(oidc::handle, guess(3)).await;
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (429, Some("too_many_requests")),
        "{}",
        r.text
    );
    let revoke = tessera_tests::from_client(
        "198.51.100.23",
        tessera_testkit::raw_request(
            "POST",
            "/oidc/revoke",
            "application/x-www-form-urlencoded",
            "token=x",
        ),
    );
    assert_eq!(
        app.call(oidc::handle, revoke).await.status,
        429,
        "the same allowance"
    );
    let elsewhere = tessera_tests::from_client(
        "203.0.113.40",
        authorized("GET", "/oidc/userinfo", "x", None),
    );
    assert_eq!(app.call(oidc::handle, elsewhere).await.status, 401);
}
