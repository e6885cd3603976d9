//! The mobile number and SMS recovery, on both backends, reading the real SMS for each code
//! (SECURITY.md cases 6 and 13 for phones).

use serde_json::{json, Value};
use tessera_kernel::ports::Channel;
use tessera_kernel::time::Seconds;
use tessera_testkit::{Backend, TestApp, TestResponse};
use tessera_tests::{
    active_account, authorized, log_in, me, on_both_backends, request_reset, token_of,
    verify_reset, PASSWORD,
};

fn fresh_number() -> String {
    tessera_testkit::app::unique_mobile()
}

async fn call(app: &TestApp, method: &str, path: &str, token: &str, body: Value) -> TestResponse {
    app.call(phone::handle, authorized(method, path, token, Some(&body)))
        .await
}

async fn verify_phone(app: &TestApp, token: &str, code: &str) -> TestResponse {
    call(
        app,
        "POST",
        "/v1/me/phone/verify",
        token,
        json!({ "code": code }),
    )
    .await
}

async fn add_verify_and_reset_by_sms(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "ada").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let number = fresh_number();
    let r = call(
        &app,
        "PUT",
        "/v1/me/phone",
        &token,
        json!({ "password": PASSWORD, "phone": number }),
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let sms = app.messages_to(&number);
    assert_eq!((sms.len(), sms[0].channel), (1, Channel::Sms));
    assert_eq!(me(&app, &token).await.json["phone"]["verified"], false);

    let code = app.latest_code(&number);
    assert_eq!(verify_phone(&app, &token, &code).await.status, 204);
    let profile = me(&app, &token).await.json;
    assert_eq!(
        profile["phone"],
        json!({ "masked": format!("+33••••••{}", &number[number.len() - 3..]), "verified": true })
    );
    let notice = app.messages_to(&email).pop().unwrap();
    assert_eq!(
        notice.subject.as_deref(),
        Some("The mobile number on your Tessera account changed")
    );
    assert!(
        !notice.body.contains(&number[3..]),
        "the email masks the number"
    );

    // Forgot password by SMS: the code goes to the verified number and works.
    assert_eq!(request_reset(&app, &email, "sms").await.status, 202);
    assert_eq!(app.messages_to(&number).len(), 2);
    let reset_code = app.latest_code(&number);
    let r = verify_reset(&app, &email, &reset_code).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// Unverified numbers never receive reset codes.
async fn unverified_numbers_get_no_reset_codes(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "grace").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let number = fresh_number();
    call(
        &app,
        "PUT",
        "/v1/me/phone",
        &token,
        json!({ "password": PASSWORD, "phone": number }),
    )
    .await;
    assert_eq!(app.messages_to(&number).len(), 1, "the verification code");
    assert_eq!(request_reset(&app, &email, "sms").await.status, 202);
    assert_eq!(
        app.messages_to(&number).len(),
        1,
        "no reset code to a number not yet verified"
    );
}

/// Case 13 for phones: changes need the password; bad numbers and countries are refused;
/// removal needs the password and tells the owner.
async fn changes_need_the_password(backend: Backend) {
    let app = TestApp::with_vars(backend, &[("TESSERA_PHONE_COUNTRIES", "FR,BE")]).await;
    let (email, _) = active_account(&app, "hopper").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let number = fresh_number();
    let r = call(
        &app,
        "PUT",
        "/v1/me/phone",
        &token,
        json!({ "phone": number }),
    )
    .await;
    assert_eq!(
        (r.status, r.json["errors"][0]["field"].as_str()),
        (422, Some("password"))
    );
    let r = call(
        &app,
        "PUT",
        "/v1/me/phone",
        &token,
        json!({ "password": "Wrong-Password-77", "phone": number }),
    )
    .await;
    assert_eq!(
        (r.status, r.json["code"].as_str()),
        (403, Some("invalid_password"))
    );
    let r = call(
        &app,
        "PUT",
        "/v1/me/phone",
        &token,
        json!({ "password": PASSWORD, "phone": "+12015550123" }),
    )
    .await;
    assert_eq!(r.json["errors"][0]["code"], "country_not_allowed");
    let r = call(
        &app,
        "PUT",
        "/v1/me/phone",
        &token,
        json!({ "password": PASSWORD, "phone": "0612345678" }),
    )
    .await;
    assert_eq!(r.json["errors"][0]["code"], "invalid_phone");
    assert!(
        app.messages_to(&number).is_empty(),
        "nothing sent for refused changes"
    );
    let r = call(
        &app,
        "DELETE",
        "/v1/me/phone",
        &token,
        json!({ "password": PASSWORD }),
    )
    .await;
    assert_eq!(r.json["code"], "no_phone");

    call(
        &app,
        "PUT",
        "/v1/me/phone",
        &token,
        json!({ "password": PASSWORD, "phone": number }),
    )
    .await;
    let code = app.latest_code(&number);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(
        verify_phone(&app, &token, wrong).await.json["code"],
        "invalid_code"
    );
    assert_eq!(verify_phone(&app, &token, &code).await.status, 204);
    let r = call(
        &app,
        "DELETE",
        "/v1/me/phone",
        &token,
        json!({ "password": "Wrong-Password-77" }),
    )
    .await;
    assert_eq!(r.status, 403);
    let before = app.messages_to(&email).len();
    assert_eq!(
        call(
            &app,
            "DELETE",
            "/v1/me/phone",
            &token,
            json!({ "password": PASSWORD })
        )
        .await
        .status,
        204
    );
    assert_eq!(
        app.messages_to(&email).len(),
        before + 1,
        "the owner is told"
    );
    assert_eq!(me(&app, &token).await.json["phone"], Value::Null);
}

/// An account with a verified number; its address, session and number.
async fn with_verified_number(app: &TestApp, name: &str) -> (String, String, String) {
    let (email, _) = active_account(app, name).await;
    let token = token_of(&log_in(app, &email, PASSWORD).await);
    let number = fresh_number();
    let body = json!({ "password": PASSWORD, "phone": number });
    let r = call(app, "PUT", "/v1/me/phone", &token, body).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let code = app.latest_code(&number);
    assert_eq!(verify_phone(app, &token, &code).await.status, 204);
    (email, token, number)
}

/// Rule "limits per target", for text messages: at most `TESSERA_SMS_PER_NUMBER` to one number a
/// day and `TESSERA_SMS_PER_DAY` in all. Over either, the request answers as usual and nothing
/// is sent; the next day the budgets are whole again.
async fn text_messages_stay_within_their_budgets(backend: Backend) {
    let app = TestApp::with_vars(
        backend,
        &[
            ("TESSERA_SMS_PER_NUMBER", "2"),
            ("TESSERA_SMS_PER_DAY", "4"),
        ],
    )
    .await;
    let (email, _, number) = with_verified_number(&app, "budget").await;
    app.clock.advance(Seconds(61));
    assert_eq!(request_reset(&app, &email, "sms").await.status, 202);
    assert_eq!(
        app.messages_to(&number).len(),
        2,
        "verification and a reset"
    );
    app.clock.advance(Seconds(61));
    assert_eq!(request_reset(&app, &email, "sms").await.status, 202);
    assert_eq!(
        app.messages_to(&number).len(),
        2,
        "the number's budget is spent"
    );

    // Three messages went out today: one more to a new number, then the day's budget is spent.
    let (_, _, second) = with_verified_number(&app, "second").await;
    assert_eq!(app.messages_to(&second).len(), 1);
    let (_, token, _) = with_verified_number(&app, "third").await;
    app.clock.advance(Seconds(61));
    let third = fresh_number();
    let body = json!({ "password": PASSWORD, "phone": third });
    assert_eq!(
        call(&app, "PUT", "/v1/me/phone", &token, body).await.status,
        202
    );
    assert!(
        app.messages_to(&third).is_empty(),
        "the day's budget is spent"
    );

    app.clock.advance(Seconds::days(1));
    assert_eq!(request_reset(&app, &email, "sms").await.status, 202);
    assert_eq!(app.messages_to(&number).len(), 3, "a new day");
}

/// A default allow-list of SMS countries: a number from elsewhere is refused unless the operator
/// allows every country (`TESSERA_PHONE_COUNTRIES=all`).
async fn numbers_from_outside_the_default_countries_are_refused(backend: Backend) {
    let body = json!({ "password": PASSWORD, "phone": "+2348031234567" });
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "abroad").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let r = call(&app, "PUT", "/v1/me/phone", &token, body.clone()).await;
    assert_eq!(
        r.json["errors"][0]["code"], "country_not_allowed",
        "{}",
        r.text
    );
    let open = TestApp::with_vars(backend, &[("TESSERA_PHONE_COUNTRIES", "all")]).await;
    let (email, _) = active_account(&open, "abroad").await;
    let token = token_of(&log_in(&open, &email, PASSWORD).await);
    assert_eq!(
        call(&open, "PUT", "/v1/me/phone", &token, body)
            .await
            .status,
        202
    );
}

async fn countries_menu(app: &TestApp) -> TestResponse {
    let request = lambda_http::http::Request::builder()
        .method("GET")
        .uri("/v1/phone/countries")
        .body(lambda_http::Body::Empty)
        .unwrap();
    app.call(phone::handle, request).await
}

/// The country-code menu lists the countries numbers may come from with their calling codes
/// (public, cacheable; every country when the operator allows all), and a number typed in its
/// national form with its country binds in international form.
async fn the_country_menu_and_national_numbers(backend: Backend) {
    let app = TestApp::new(backend).await;
    let menu = countries_menu(&app).await;
    assert_eq!(menu.status, 200, "{}", menu.text);
    assert_eq!(menu.header("cache-control"), Some("public, max-age=3600"));
    let countries = menu.json["countries"].as_array().unwrap();
    let defaults = tessera_identity::phone::DEFAULT_SMS_COUNTRIES
        .split(' ')
        .count();
    assert_eq!(countries.len(), defaults, "{}", menu.text);
    assert!(countries.contains(&json!({ "country": "GB", "calling_code": "+44" })));
    assert!(countries.contains(&json!({ "country": "US", "calling_code": "+1" })));
    let open = TestApp::with_vars(backend, &[("TESSERA_PHONE_COUNTRIES", "all")]).await;
    let all = countries_menu(&open).await;
    assert!(
        all.json["countries"].as_array().unwrap().len() > 200,
        "{}",
        all.text
    );

    let (email, _) = active_account(&app, "national.dial").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let number = fresh_number();
    let national = format!("0{} {}", &number[3..4], &number[4..]);
    let bare = json!({ "password": PASSWORD, "phone": national });
    let r = call(&app, "PUT", "/v1/me/phone", &token, bare).await;
    assert_eq!(
        (r.status, r.json["errors"][0]["field"].as_str()),
        (422, Some("phone")),
        "{}",
        r.text
    );
    let unknown = json!({ "password": PASSWORD, "phone": national, "country": "XX" });
    let r = call(&app, "PUT", "/v1/me/phone", &token, unknown).await;
    assert_eq!(
        (r.status, r.json["errors"][0]["field"].as_str()),
        (422, Some("country")),
        "{}",
        r.text
    );
    let typed = json!({ "password": PASSWORD, "phone": national, "country": "FR" });
    let r = call(&app, "PUT", "/v1/me/phone", &token, typed).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let sms = app.messages_to(&number);
    assert_eq!(
        sms.len(),
        1,
        "the code went to {number}, in international form"
    );
}

on_both_backends!(
    the_country_menu_and_national_numbers,
    text_messages_stay_within_their_budgets,
    numbers_from_outside_the_default_countries_are_refused,
    add_verify_and_reset_by_sms,
    unverified_numbers_get_no_reset_codes,
    changes_need_the_password
);
