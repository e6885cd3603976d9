//! Sign-up → activation code by email → activation, through the real handler, on both backends.
//! Every test reads the message really sent (outbox file or moto's SES) to get the code.

use serde_json::{json, Value};
use std::sync::Arc;
use tessera_kernel::time::Seconds;
use tessera_testkit::{
    json_request, raw_request, unique_email, Backend, FlakyMessenger, TestApp, TestResponse,
};
use tessera_tests::{activate, activate_with, log_in, me, on_both_backends, sign_up, token_of};

const PASSWORD: &str = "Quartz-Harbor-42x";

fn sign_up_body(email: &str, password: &str) -> Value {
    json!({ "email": email, "password": password, "first_name": "Ada", "last_name": "Lovelace", "country": "GB" })
}

async fn resend(app: &TestApp, email: &str) -> TestResponse {
    app.call(
        accounts::handle,
        json_request(
            "POST",
            "/v1/accounts/activation-code",
            &json!({ "email": email }),
        ),
    )
    .await
}

fn assert_invalid_code(r: &TestResponse) {
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json["code"], "invalid_code");
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
}

/// A code that differs from `code` in every digit.
fn wrong(code: &str) -> String {
    code.chars()
        .map(|c| char::from(b'0' + (c as u8 - b'0' + 1) % 10))
        .collect()
}

async fn sign_up_email_code_activate(backend: Backend) {
    let app = TestApp::new(backend).await;
    let email = unique_email("ada");
    let r = sign_up(&app, &email, PASSWORD).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.json, json!({ "status": "activation_pending" }));

    let sent = app.messages_to(&email);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].subject.as_deref(),
        Some("Your Tessera activation code")
    );
    assert!(sent[0].body.contains("Ada"), "the email greets the person");
    let code = app.latest_code(&email);

    let r = activate(&app, &email, &code).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "active");
    let username = r.json["username"].as_str().unwrap();
    assert!(
        username.starts_with("TS")
            && username.len() == 10
            && username[2..].bytes().all(|b| b.is_ascii_digit())
    );

    // Single use: the same code again fails.
    assert_invalid_code(&activate(&app, &email, &code).await);
    let keys = app.stored_keys().await;
    assert_eq!(
        keys.iter().filter(|k| k.starts_with("USERNAME#")).count(),
        1
    );
    assert!(keys.contains(&format!("USERNAME#{username}")));
}

/// SECURITY.md case 4: one account per canonical email; the caller always sees the same 202.
async fn email_identity_is_canonical_and_second_sign_up_is_generic(backend: Backend) {
    let app = TestApp::new(backend).await;
    let local = unique_email("ada");
    let mixed = local.to_uppercase().replace("EXAMPLE.COM", "Example.COM");
    let first = sign_up(&app, &mixed, PASSWORD).await;
    let second = sign_up(&app, &local, "Another-Secret-77y").await;
    assert_eq!(
        (first.status, &first.json),
        (second.status, &second.json),
        "same answer"
    );
    let keys = app.stored_keys().await;
    assert_eq!(
        keys.iter().filter(|k| k.starts_with("EMAIL#")).count(),
        1,
        "{keys:?}"
    );
    assert_eq!(
        keys.iter().filter(|k| k.starts_with("ACCOUNT#")).count(),
        1,
        "{keys:?}"
    );
    assert!(
        keys.contains(&format!("EMAIL#{local}")),
        "stored under the canonical form"
    );
    // Within 60 s of the first code nothing more is sent; the first code still works.
    assert_eq!(
        app.messages_to(&local).len(),
        1,
        "mail goes to the canonical stored address"
    );
    let code = app.latest_code(&local);
    assert_eq!(activate(&app, &mixed, &code).await.status, 200);

    // Signing up again with the active address: same 202, and the owner is told by email.
    let third = sign_up(&app, &local, "Yet-Another-Secret-9").await;
    assert_eq!((third.status, &third.json), (first.status, &first.json));
    let sent = app.messages_to(&local);
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[1].subject.as_deref(),
        Some("You already have a Tessera account")
    );
    assert_eq!(
        tessera_testkit::messages::extract_code(&sent[1].body),
        None,
        "no code in the notice"
    );
}

/// Signing up again with a pending address sends a fresh code that replaces the old one.
async fn signing_up_again_while_pending_sends_a_fresh_code(backend: Backend) {
    let app = TestApp::new(backend).await;
    let email = unique_email("grace");
    sign_up(&app, &email, PASSWORD).await;
    let old = app.latest_code(&email);
    app.clock.advance(Seconds(61));
    assert_eq!(sign_up(&app, &email, PASSWORD).await.status, 202);
    assert_eq!(app.messages_to(&email).len(), 2);
    let fresh = app.latest_code(&email);
    if fresh != old {
        assert_invalid_code(&activate(&app, &email, &old).await);
    }
    assert_eq!(activate(&app, &email, &fresh).await.status, 200);
}

/// Resend: 60 s apart, 5 a day, a new code replaces the old; unknown and active addresses get
/// the same 202 and nothing is sent.
async fn resend_rules(backend: Backend) {
    let app = TestApp::new(backend).await;
    let email = unique_email("hopper");
    sign_up(&app, &email, PASSWORD).await;
    let r = resend(&app, &email).await;
    assert_eq!(r.status, 202);
    assert_eq!(app.messages_to(&email).len(), 1, "too soon: nothing sent");
    for sent in 2..=6 {
        app.clock.advance(Seconds(60));
        assert_eq!(resend(&app, &email).await.status, 202);
        assert_eq!(app.messages_to(&email).len(), sent);
    }
    app.clock.advance(Seconds(600));
    assert_eq!(resend(&app, &email).await.status, 202);
    assert_eq!(
        app.messages_to(&email).len(),
        6,
        "the sixth resend in a day is not sent"
    );

    let unknown = unique_email("nobody");
    let r = resend(&app, &unknown).await;
    assert_eq!(
        (r.status, &r.json),
        (202, &json!({ "status": "activation_pending" }))
    );
    assert!(app.messages_to(&unknown).is_empty());

    let code = app.latest_code(&email);
    assert_eq!(activate(&app, &email, &code).await.status, 200);
    app.clock.advance(Seconds(600));
    assert_eq!(resend(&app, &email).await.status, 202);
    assert_eq!(
        app.messages_to(&email).len(),
        6,
        "active accounts get no code"
    );
}

/// Codes expire after 24 h even though the stored item still exists.
async fn activation_codes_expire_after_24_hours(backend: Backend) {
    let app = TestApp::new(backend).await;
    let email = unique_email("lamarr");
    sign_up(&app, &email, PASSWORD).await;
    let code = app.latest_code(&email);
    app.clock.advance(Seconds::hours(24));
    assert_invalid_code(&activate(&app, &email, &code).await);
    // A resend gives a working code.
    assert_eq!(resend(&app, &email).await.status, 202);
    let fresh = app.latest_code(&email);
    assert_eq!(activate(&app, &email, &fresh).await.status, 200);
}

/// SECURITY.md case 9: after 5 wrong guesses the right code fails too.
async fn five_wrong_guesses_kill_the_code(backend: Backend) {
    let app = TestApp::new(backend).await;
    let email = unique_email("noether");
    sign_up(&app, &email, PASSWORD).await;
    let code = app.latest_code(&email);
    for _ in 0..5 {
        assert_invalid_code(&activate(&app, &email, &wrong(&code)).await);
    }
    assert_invalid_code(&activate(&app, &email, &code).await);
}

/// The per-account guess budget (10 an hour) spans codes: a new code does not reset it.
async fn the_guess_budget_spans_fresh_codes(backend: Backend) {
    let app = TestApp::new(backend).await;
    let email = unique_email("curie");
    sign_up(&app, &email, PASSWORD).await;
    for round in 0..2 {
        let code = app.latest_code(&email);
        for _ in 0..5 {
            assert_invalid_code(&activate(&app, &email, &wrong(&code)).await);
        }
        app.clock.advance(Seconds(61));
        resend(&app, &email).await;
        assert_eq!(app.messages_to(&email).len(), round + 2);
    }
    let code = app.latest_code(&email);
    assert_invalid_code(&activate(&app, &email, &code).await);
    app.clock.advance(Seconds::hours(1));
    assert_eq!(
        activate(&app, &email, &code).await.status,
        200,
        "the budget refills after an hour"
    );
}

/// SECURITY.md case 8: a valid code for another account fails; unknown addresses answer alike.
async fn codes_are_bound_to_their_account(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = unique_email("a");
    let b = unique_email("b");
    sign_up(&app, &a, PASSWORD).await;
    sign_up(&app, &b, PASSWORD).await;
    let a_code = app.latest_code(&a);
    let b_code = app.latest_code(&b);
    if a_code != b_code {
        assert_invalid_code(&activate(&app, &b, &a_code).await);
    }
    assert_invalid_code(&activate(&app, &unique_email("nobody"), &a_code).await);
    assert_eq!(activate(&app, &a, &a_code).await.status, 200);
}

/// SECURITY.md case 14: 20 concurrent sign-ups with one email → one account and one marker.
async fn concurrent_sign_ups_make_one_account(backend: Backend) {
    let app = Arc::new(TestApp::new(backend).await);
    let email = unique_email("race");
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (app, email) = (app.clone(), email.clone());
            tokio::spawn(async move { sign_up(&app, &email, PASSWORD).await })
        })
        .collect();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status, 202, "{}", r.text);
    }
    let keys = app.stored_keys().await;
    assert_eq!(
        keys.iter().filter(|k| k.starts_with("EMAIL#")).count(),
        1,
        "{keys:?}"
    );
    let profiles = keys.iter().filter(|k| k.starts_with("ACCOUNT#")).count();
    match backend {
        Backend::Embedded => assert_eq!(profiles, 1, "{keys:?}"),
        // moto checks a transaction's conditions and applies its writes without isolation from
        // its other server threads, so under load two transactions can both pass
        // `attribute_not_exists` and leave a second profile. DynamoDB transactions are
        // serializable; the marker (the uniqueness that matters) holds on moto too, and its
        // account's profile exists.
        Backend::Moto => assert!(profiles >= 1, "{keys:?}"),
    }
    let canonical = tessera_kernel::email::Email::parse(&email).unwrap();
    let identity = app.deps.store.identity(&canonical).await.unwrap().unwrap();
    let profile = app.deps.store.profile(&identity.account_id).await.unwrap();
    assert!(profile.is_some(), "the marker's account is whole");
    let emails = app.messages_to(&email).len();
    match backend {
        Backend::Embedded => assert_eq!(emails, 1, "one activation email"),
        // At most one per account moto let through.
        Backend::Moto => assert!((1..=profiles).contains(&emails), "{emails} emails"),
    }
}

/// SECURITY.md case 16: the email fails after the account is written: the account stays
/// pending, the answer is the generic one, and a resend delivers a working code.
async fn a_failed_email_leaves_a_pending_account_that_resend_recovers(backend: Backend) {
    let mut app = TestApp::new(backend).await;
    app.set_messenger(Arc::new(FlakyMessenger::new(app.messenger(), 1)));
    let email = unique_email("babbage");
    let r = sign_up(&app, &email, PASSWORD).await;
    assert_eq!(
        (r.status, &r.json),
        (202, &json!({ "status": "activation_pending" }))
    );
    assert!(app.messages_to(&email).is_empty());
    app.clock.advance(Seconds(60));
    assert_eq!(resend(&app, &email).await.status, 202);
    let code = app.latest_code(&email);
    assert_eq!(activate(&app, &email, &code).await.status, 200);
}

/// SECURITY.md case 1: length bounds, and a 1 MiB body refused before any work.
async fn password_length_rules_and_body_limit(backend: Backend) {
    let app = TestApp::new(backend).await;
    let email = unique_email("knuth");
    let r = sign_up(&app, &email, "Abcdefgh-1x").await; // 11
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json["errors"],
        json!([{ "field": "password", "code": "min_length", "message": "At least 12 characters" }])
    );
    let sixty_one = format!("Aa1-{}", "q".repeat(57));
    let r = sign_up(&app, &email, &sixty_one).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json["errors"][0]["code"], "max_length");
    assert!(
        app.stored_keys().await.is_empty(),
        "nothing written for rejected sign-ups"
    );
    assert_eq!(sign_up(&app, &email, "Abcdefgh-1xy").await.status, 202); // 12

    let huge = sign_up_body(&unique_email("huge"), &"A1-a".repeat(256 * 1024)).to_string();
    let r = app
        .call(
            accounts::handle,
            raw_request("POST", "/v1/accounts", "application/json", huge),
        )
        .await;
    assert_eq!(r.status, 413);
    assert_eq!(r.json["code"], "body_too_large");
    assert_eq!(
        app.stored_keys().await.len(),
        2,
        "only the 12-character sign-up was stored"
    );
}

/// SECURITY.md case 2: common passwords and parts of the email are refused, naming the rule.
async fn common_passwords_and_email_parts_are_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let r = sign_up(&app, &unique_email("ada"), "Password123!").await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json["errors"][0]["code"], "not_common");
    let r = sign_up(&app, "charles.babbage@engines.example", "Babbage-Rules-42").await;
    assert_eq!(r.json["errors"][0]["code"], "no_email_parts");
    let r = sign_up(
        &app,
        "charles.babbage@engines.example",
        "My-Engines-Rule-42",
    )
    .await;
    assert_eq!(r.json["errors"][0]["code"], "no_email_parts");
    assert!(app.stored_keys().await.is_empty());
}

/// Every invalid field is listed in one 422; nothing is written.
async fn every_invalid_field_is_listed_at_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let body = json!({ "email": "not-an-email", "password": "short", "first_name": "", "last_name": 7, "country": "XX" });
    let r = app
        .call(
            accounts::handle,
            json_request("POST", "/v1/accounts", &body),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.json["code"], "validation_failed");
    let fields: Vec<(&str, &str)> = r.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    for expected in [
        ("email", "invalid_email"),
        ("first_name", "invalid_name"),
        ("last_name", "invalid_type"),
        ("country", "invalid_country"),
        ("password", "min_length"),
        ("password", "uppercase"),
    ] {
        assert!(
            fields.contains(&expected),
            "{expected:?} missing from {fields:?}"
        );
    }
    let missing = app
        .call(
            accounts::handle,
            json_request("POST", "/v1/accounts", &json!({})),
        )
        .await;
    assert_eq!(missing.status, 422);
    assert_eq!(
        missing.json["errors"].as_array().unwrap().len(),
        5,
        "all five required fields named"
    );
    assert!(app.stored_keys().await.is_empty());
}

/// The password a stranger typed when signing up with an address that is not theirs.
const STRANGER: &str = "Mallory-Knows-This-1";

async fn sign_up_as(app: &TestApp, email: &str, password: &str, first_name: &str) -> TestResponse {
    let body = json!({ "email": email, "password": password, "first_name": first_name,
                       "last_name": "Person", "country": "FR" });
    app.call(
        accounts::handle,
        json_request("POST", "/v1/accounts", &body),
    )
    .await
}

/// Who may log in after the race: the stranger never, the owner with the password they chose.
async fn only_the_owner_gets_in(app: &TestApp, email: &str, owner: &str) -> String {
    assert_eq!(log_in(app, email, STRANGER).await.status, 401);
    token_of(&log_in(app, email, owner).await)
}

/// Rule "a pending registration belongs to nobody", stranger first: someone signs up with an
/// address they do not own. The owner, with nothing but their mailbox, activates with the code it
/// received and a password of their own; the stranger's password never works.
async fn a_stranger_who_signs_up_first_gains_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let email = unique_email("owner");
    assert_eq!(
        sign_up_as(&app, &email, STRANGER, "Mallory").await.status,
        202
    );
    let code = app.latest_code(&email);
    let r = activate_with(&app, &email, &code, PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    only_the_owner_gets_in(&app, &email, PASSWORD).await;
}

/// The same rule, owner first: a stranger who signs up after the owner replaces the pending
/// details (and sends the owner a fresh code) but cannot activate without the code; the owner's
/// activation sets the owner's password, whatever the stranger typed.
async fn a_stranger_who_signs_up_after_the_owner_gains_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let email = unique_email("owner");
    assert_eq!(
        sign_up_as(&app, &email, PASSWORD, "Grace").await.status,
        202
    );
    app.clock.advance(Seconds(61));
    assert_eq!(
        sign_up_as(&app, &email, STRANGER, "Mallory").await.status,
        202
    );
    let sent = app.messages_to(&email);
    assert_eq!(sent.len(), 2, "the fresh code goes to the owner's mailbox");
    let code = app.latest_code(&email);
    assert_invalid_code(&activate_with(&app, &email, &wrong(&code), STRANGER).await);
    assert_eq!(
        log_in(&app, &email, STRANGER).await.status,
        401,
        "pending accounts cannot log in"
    );
    // The owner signs up once more (their own details stand again), then activates.
    app.clock.advance(Seconds(61));
    assert_eq!(
        sign_up_as(&app, &email, PASSWORD, "Grace").await.status,
        202
    );
    let code = app.latest_code(&email);
    let r = activate_with(&app, &email, &code, PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let token = only_the_owner_gets_in(&app, &email, PASSWORD).await;
    let profile = me(&app, &token).await;
    assert_eq!(
        (&profile.json["first_name"], &profile.json["country"]),
        (&json!("Grace"), &json!("FR")),
        "the latest registration's details"
    );
}

/// The password set at activation follows the policy; a refused one writes nothing, so the code
/// still works.
async fn the_password_set_at_activation_follows_the_policy(backend: Backend) {
    let app = TestApp::new(backend).await;
    let email = unique_email("policy");
    sign_up(&app, &email, PASSWORD).await;
    let code = app.latest_code(&email);
    let weak = activate_with(&app, &email, &code, "short").await;
    assert_eq!(weak.status, 422, "{}", weak.text);
    assert_eq!(weak.json["errors"][0]["field"], "password");
    let r = activate_with(&app, &email, &code, "Another-Secret-77y").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(log_in(&app, &email, PASSWORD).await.status, 401);
    token_of(&log_in(&app, &email, "Another-Secret-77y").await);
}

/// Accounts are personal: a group or role mailbox is refused with a 422 on `email` that says
/// why, and nothing is written or sent; a personal address at a business domain is welcome; the
/// list is the operator's (`TESSERA_ROLE_ADDRESSES`; `none` turns the rule off).
async fn group_and_role_addresses_are_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let n = tessera_testkit::app::unique();
    for address in [
        format!("info+{n}@example.com"),
        format!("No-Reply+{n}@example.com"),
    ] {
        let r = sign_up(&app, &address, PASSWORD).await;
        assert_eq!(r.status, 422, "{address}: {}", r.text);
        let error = &r.json["errors"][0];
        assert_eq!(
            (&error["field"], &error["code"]),
            (&json!("email"), &json!("role_address"))
        );
        assert!(
            error["message"].as_str().unwrap().contains("personal"),
            "{}",
            r.text
        );
        assert!(
            app.messages_to(&address).is_empty(),
            "nothing sent to {address}"
        );
        let login = log_in(&app, &address, PASSWORD).await;
        assert_eq!(login.status, 401, "no account: {}", login.text);
    }
    let business = unique_email("ada.lovelace");
    assert_eq!(sign_up(&app, &business, PASSWORD).await.status, 202);

    let open = TestApp::with_vars(backend, &[("TESSERA_ROLE_ADDRESSES", "none")]).await;
    let address = format!("info+{n}@example.org");
    assert_eq!(sign_up(&open, &address, PASSWORD).await.status, 202);
}

on_both_backends!(
    group_and_role_addresses_are_refused,
    a_stranger_who_signs_up_first_gains_nothing,
    a_stranger_who_signs_up_after_the_owner_gains_nothing,
    the_password_set_at_activation_follows_the_policy,
    sign_up_email_code_activate,
    email_identity_is_canonical_and_second_sign_up_is_generic,
    signing_up_again_while_pending_sends_a_fresh_code,
    resend_rules,
    activation_codes_expire_after_24_hours,
    five_wrong_guesses_kill_the_code,
    the_guess_budget_spans_fresh_codes,
    codes_are_bound_to_their_account,
    concurrent_sign_ups_make_one_account,
    a_failed_email_leaves_a_pending_account_that_resend_recovers,
    password_length_rules_and_body_limit,
    common_passwords_and_email_parts_are_refused,
    every_invalid_field_is_listed_at_once,
);
