//! The authenticator second factor end to end, on both backends: enrolment, login challenges,
//! replay, recovery codes, removal, and reset with MFA (SECURITY.md cases 10, 11 and 13).

use std::sync::Arc;

use serde_json::json;
use tessera_identity::mfa::code_at;
use tessera_identity::throttle::ATTEMPT_LEASE;
use tessera_kernel::time::Seconds;
use tessera_testkit::{json_request, Backend, TestApp, TestResponse};
use tessera_tests::{
    active_account, authorized, log_in, me, on_both_backends, request_reset, token_of,
    verify_reset, PASSWORD,
};

struct Enrolled {
    email: String,
    secret: String,
    recovery_codes: Vec<String>,
}

/// The code the authenticator app shows now.
fn current_code(app: &TestApp, secret: &str) -> String {
    code_at(
        secret,
        tessera_kernel::ports::Clock::now(app.clock.as_ref()),
    )
    .unwrap()
}

/// A six-digit code the authenticator does not show in the accepted window (±1 step).
fn wrong_code(app: &TestApp, secret: &str) -> String {
    let now = tessera_kernel::ports::Clock::now(app.clock.as_ref());
    let window: Vec<String> = [-30, 0, 30]
        .iter()
        .map(|d| code_at(secret, tessera_kernel::time::Timestamp(now.0 + d)).unwrap())
        .collect();
    (0..1000)
        .map(|n| format!("{n:06}"))
        .find(|c| !window.contains(c))
        .unwrap()
}

/// Runs `n` copies of `request` at once; each answer's status and problem code.
async fn at_once<F, Fut>(n: usize, request: F) -> Vec<(u16, Option<String>)>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = TestResponse> + Send + 'static,
{
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let future = request();
            tokio::spawn(async move {
                let r = future.await;
                (r.status, r.json["code"].as_str().map(str::to_string))
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

async fn enrol(app: &TestApp, token: &str, password: &str) -> TestResponse {
    app.call(
        mfa::handle,
        authorized(
            "POST",
            "/v1/me/mfa/totp",
            token,
            Some(&json!({ "password": password })),
        ),
    )
    .await
}

async fn confirm(app: &TestApp, token: &str, code: &str) -> TestResponse {
    app.call(
        mfa::handle,
        authorized(
            "POST",
            "/v1/me/mfa/totp/confirm",
            token,
            Some(&json!({ "code": code })),
        ),
    )
    .await
}

async fn answer(app: &TestApp, challenge: &str, code: &str) -> TestResponse {
    let body = json!({ "challenge": challenge, "code": code });
    app.call(
        sessions::handle,
        json_request("POST", "/v1/sessions/mfa", &body),
    )
    .await
}

/// Logs in with the password and returns the MFA challenge.
async fn challenge(app: &TestApp, email: &str) -> String {
    challenge_with(app, email, PASSWORD).await
}

async fn challenge_with(app: &TestApp, email: &str, password: &str) -> String {
    let r = log_in(app, email, password).await;
    assert_eq!(
        (r.status, &r.json["mfa_required"]),
        (200, &json!(true)),
        "{}",
        r.text
    );
    r.json["challenge"].as_str().unwrap().to_string()
}

/// An active account with a confirmed authenticator; the clock is moved past the confirming step.
async fn enrolled_account(app: &TestApp, name: &str) -> Enrolled {
    let (email, _) = active_account(app, name).await;
    let token = token_of(&log_in(app, &email, PASSWORD).await);
    let r = enrol(app, &token, PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let secret = r.json["secret"].as_str().unwrap().to_string();
    let r = confirm(app, &token, &current_code(app, &secret)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let recovery_codes = r.json["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    app.clock.advance(Seconds(30));
    Enrolled {
        email,
        secret,
        recovery_codes,
    }
}

async fn enrol_confirm_and_log_in_with_a_code(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "ada").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let r = enrol(&app, &token, PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let secret = r.json["secret"].as_str().unwrap().to_string();
    let uri = r.json["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/Tessera:") && uri.contains(&format!("secret={secret}")),
        "{uri}"
    );
    assert!(
        r.json["qr_png_base64"]
            .as_str()
            .unwrap()
            .starts_with("iVBORw0KGgo"),
        "a PNG"
    );
    assert_eq!(
        me(&app, &token).await.json["mfa"]["totp"],
        false,
        "not active until confirmed"
    );

    let first = current_code(&app, &secret);
    let r = confirm(&app, &token, &first).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let codes = r.json["recovery_codes"].as_array().unwrap();
    assert_eq!(codes.len(), 10);
    assert_eq!(
        me(&app, &token).await.json["mfa"]["totp"],
        true,
        "the profile shows it"
    );
    let last = app.messages_to(&email).pop().unwrap();
    assert_eq!(
        last.subject.as_deref(),
        Some("Two-step verification is on for your Tessera account")
    );

    // Case 11: the confirming code is never accepted again, not even within its window.
    let challenge_one = challenge(&app, &email).await;
    let replay = answer(&app, &challenge_one, &first).await;
    assert_eq!(
        (replay.status, replay.json["code"].as_str()),
        (401, Some("invalid_code"))
    );
    app.clock.advance(Seconds(30));
    let next = current_code(&app, &secret);
    let session = token_of(&answer(&app, &challenge_one, &next).await);
    assert_eq!(me(&app, &session).await.status, 200);
    // The challenge is used up, and the same code fails on a fresh challenge too.
    assert_eq!(
        answer(&app, &challenge_one, &next).await.json["code"],
        "invalid_challenge"
    );
    let challenge_two = challenge(&app, &email).await;
    assert_eq!(
        answer(&app, &challenge_two, &next).await.json["code"],
        "invalid_code"
    );
}

/// Case 11 with real parallel requests: one challenge answered four times at once with the same
/// code starts one session; the others are refused (the challenge used up, or the code replayed).
async fn one_code_answered_four_times_at_once_starts_one_session(backend: Backend) {
    let app = Arc::new(TestApp::new(backend).await);
    let enrolled = enrolled_account(&app, "lovelace").await;
    let challenge = challenge(&app, &enrolled.email).await;
    let code = current_code(&app, &enrolled.secret);
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (app, challenge, code) = (app.clone(), challenge.clone(), code.clone());
            tokio::spawn(async move {
                let r = answer(&app, &challenge, &code).await;
                (r.status, r.json["code"].as_str().map(str::to_string))
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    let sessions = results.iter().filter(|(status, _)| *status == 201).count();
    assert_eq!(sessions, 1, "{results:?}");
    let refused = |r: &(u16, Option<String>)| {
        matches!(
            (r.0, r.1.as_deref()),
            (400, Some("invalid_challenge")) | (401, Some("invalid_code"))
        )
    };
    assert!(
        results.iter().filter(|(s, _)| *s != 201).all(refused),
        "{results:?}"
    );
}

async fn recovery_codes_each_work_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let enrolled = enrolled_account(&app, "grace").await;
    let code = enrolled.recovery_codes[3].clone();
    let c = challenge(&app, &enrolled.email).await;
    token_of(&answer(&app, &c, &code.to_uppercase()).await);
    let c = challenge(&app, &enrolled.email).await;
    assert_eq!(
        answer(&app, &c, &code).await.json["code"],
        "invalid_code",
        "used up"
    );
    token_of(&answer(&app, &c, &enrolled.recovery_codes[4]).await);
}

async fn five_wrong_codes_end_a_challenge(backend: Backend) {
    let app = TestApp::new(backend).await;
    let enrolled = enrolled_account(&app, "hopper").await;
    let c = challenge(&app, &enrolled.email).await;
    for _ in 0..5 {
        assert_eq!(
            answer(&app, &c, "000000").await.json["code"],
            "invalid_code"
        );
    }
    let right = current_code(&app, &enrolled.secret);
    assert_eq!(
        answer(&app, &c, &right).await.json["code"],
        "invalid_challenge"
    );
    // The wrong codes counted as failed logins: the address now waits.
    assert_eq!(log_in(&app, &enrolled.email, PASSWORD).await.status, 429);
}

/// Rule "every guess counts": wrong codes answered to one challenge at once are answered one at
/// a time (each is recorded on the identity, version-checked, before its answer): twenty get
/// five checks, the rest find the challenge over, and so does the right code after them.
async fn wrong_codes_sent_at_once_end_a_challenge(backend: Backend) {
    let app = Arc::new(TestApp::new(backend).await);
    let enrolled = enrolled_account(&app, "noether").await;
    let c = challenge(&app, &enrolled.email).await;
    let wrong = wrong_code(&app, &enrolled.secret);
    let results = at_once(20, || {
        let (app, c, wrong) = (app.clone(), c.clone(), wrong.clone());
        async move { answer(&app, &c, &wrong).await }
    })
    .await;
    let checked = results
        .iter()
        .filter(|r| *r == &(401, Some("invalid_code".to_string())))
        .count();
    let over = results
        .iter()
        .filter(|r| *r == &(400, Some("invalid_challenge".to_string())))
        .count();
    assert_eq!((checked, over), (5, 15), "{results:?}");
    let right = current_code(&app, &enrolled.secret);
    assert_eq!(
        answer(&app, &c, &right).await.json["code"],
        "invalid_challenge"
    );
    let identity = stored_identity(&app, &enrolled.email).await;
    assert_eq!(identity.challenge_mark.unwrap().answered[0].failures, 5);
}

/// A challenge is stored nowhere: it proves itself, for its account and its password. Changing
/// the password voids one still open; a tampered one is refused; going back to a challenge
/// issued before one already answered gets no fresh guesses.
async fn challenges_prove_themselves_and_never_go_back(backend: Backend) {
    let app = TestApp::new(backend).await;
    let enrolled = enrolled_account(&app, "germain").await;
    let open = challenge(&app, &enrolled.email).await;
    let mut tampered = open.clone().into_bytes();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
    let tampered = String::from_utf8(tampered).unwrap();
    let right = current_code(&app, &enrolled.secret);
    assert_eq!(
        answer(&app, &tampered, &right).await.json["code"],
        "invalid_challenge"
    );

    // An earlier challenge, after a later one was answered wrongly, is over.
    app.clock.advance(Seconds(1));
    let later = challenge(&app, &enrolled.email).await;
    let wrong = wrong_code(&app, &enrolled.secret);
    assert_eq!(
        answer(&app, &later, &wrong).await.json["code"],
        "invalid_code"
    );
    assert_eq!(
        answer(&app, &open, &right).await.json["code"],
        "invalid_challenge",
        "issued before the one answered"
    );
    token_of(&answer(&app, &later, &right).await);

    // A password change voids the challenges still open (the password may change an hour on).
    app.clock.advance(Seconds::hours(2));
    let c = challenge(&app, &enrolled.email).await;
    let token = token_of(&answer(&app, &c, &current_code(&app, &enrolled.secret)).await);
    app.clock.advance(Seconds(30));
    let pending = challenge(&app, &enrolled.email).await;
    let new = "Tessellate-9-Quartz";
    let r = tessera_tests::change_password(&app, &token, PASSWORD, new, new).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let right = current_code(&app, &enrolled.secret);
    assert_eq!(
        answer(&app, &pending, &right).await.json["code"],
        "invalid_challenge"
    );
    let fresh = challenge_with(&app, &enrolled.email, new).await;
    token_of(&answer(&app, &fresh, &right).await);
}

/// Case 13: removing the authenticator needs the password and a current code; the owner is told.
async fn removal_needs_password_and_code(backend: Backend) {
    let app = TestApp::new(backend).await;
    let enrolled = enrolled_account(&app, "lamarr").await;
    let c = challenge(&app, &enrolled.email).await;
    let token = token_of(&answer(&app, &c, &current_code(&app, &enrolled.secret)).await);
    app.clock.advance(Seconds(30));
    let remove = |body: serde_json::Value| {
        let token = token.clone();
        let app = &app;
        async move {
            app.call(
                mfa::handle,
                authorized("DELETE", "/v1/me/mfa/totp", &token, Some(&body)),
            )
            .await
        }
    };
    let code = current_code(&app, &enrolled.secret);
    assert_eq!(
        remove(json!({ "code": code })).await.status,
        422,
        "no password"
    );
    assert_eq!(
        remove(json!({ "password": "Wrong-Password-77", "code": code }))
            .await
            .json["code"],
        "invalid_password"
    );
    assert_eq!(
        remove(json!({ "password": PASSWORD, "code": "000000" }))
            .await
            .json["code"],
        "invalid_code"
    );
    assert_eq!(
        remove(json!({ "password": PASSWORD, "code": code }))
            .await
            .status,
        204
    );
    let last = app.messages_to(&enrolled.email).pop().unwrap();
    assert_eq!(
        last.subject.as_deref(),
        Some("Two-step verification was turned off for your Tessera account")
    );
    assert_eq!(
        log_in(&app, &enrolled.email, PASSWORD).await.status,
        201,
        "password alone again"
    );
}

/// Case 10: with TOTP enrolled, a reset cannot complete without a TOTP or recovery code, and the
/// emailed reset code does not count as one.
async fn a_reset_needs_the_second_factor(backend: Backend) {
    let app = TestApp::new(backend).await;
    let enrolled = enrolled_account(&app, "noether").await;
    let email = enrolled.email.clone();
    let r = request_reset(&app, &email, "email").await;
    assert_eq!(r.status, 202);
    let reset_code = app.latest_code(&email);
    let r = verify_reset(&app, &email, &reset_code).await;
    assert_eq!(r.json["mfa_required"], true);
    let reset_token = r.json["reset_token"].as_str().unwrap().to_string();
    let complete = |mfa_code: Option<String>| {
        let app = &app;
        let mut body = json!({ "reset_token": reset_token, "new_password": "Tessellate-9-Quartz", "confirm_password": "Tessellate-9-Quartz" });
        if let Some(code) = mfa_code {
            body["mfa_code"] = json!(code);
        }
        async move {
            app.call(
                password_reset::handle,
                json_request("POST", "/v1/password-resets/complete", &body),
            )
            .await
        }
    };
    assert_eq!(complete(None).await.json["code"], "mfa_code_required");
    assert_eq!(
        complete(Some(reset_code.clone())).await.json["code"],
        "mfa_code_required",
        "the emailed code is not a factor"
    );
    assert_eq!(
        log_in(&app, &email, "Tessellate-9-Quartz").await.status,
        401,
        "nothing changed"
    );
    assert_eq!(
        complete(Some(current_code(&app, &enrolled.secret)))
            .await
            .status,
        204
    );
    assert_eq!(
        log_in(&app, &email, "Tessellate-9-Quartz").await.json["mfa_required"],
        true
    );
}

async fn enrolment_checks(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "curie").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    assert_eq!(
        enrol(&app, &token, "Wrong-Password-77").await.json["code"],
        "invalid_password"
    );
    assert_eq!(
        confirm(&app, &token, "123456").await.json["code"],
        "no_pending_enrolment"
    );
    let secret = enrol(&app, &token, PASSWORD).await.json["secret"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        confirm(&app, &token, "000000").await.json["code"],
        "invalid_code"
    );
    app.clock.advance(Seconds::minutes(16));
    let late = current_code(&app, &secret);
    assert_eq!(
        confirm(&app, &token, &late).await.json["code"],
        "no_pending_enrolment",
        "enrolments expire after 15 minutes"
    );
    assert_eq!(me(&app, &token).await.json["mfa"]["totp"], false);
}

/// Rule "every guess counts": wrong authenticator codes at a reset's last step count against the
/// grant. Twenty sent at once get no more checks than five sent one by one; then the grant is
/// over and even the right code must start the reset again.
async fn wrong_codes_sent_at_once_end_a_reset_grant(backend: Backend) {
    let app = Arc::new(TestApp::new(backend).await);
    let enrolled = enrolled_account(&app, "meitner").await;
    let email = enrolled.email.clone();
    assert_eq!(request_reset(&app, &email, "email").await.status, 202);
    let r = verify_reset(&app, &email, &app.latest_code(&email)).await;
    let reset_token = r.json["reset_token"].as_str().unwrap().to_string();
    let complete = |code: String| {
        let app = app.clone();
        let body = json!({ "reset_token": reset_token, "new_password": "Tessellate-9-Quartz",
                           "confirm_password": "Tessellate-9-Quartz", "mfa_code": code });
        async move {
            app.call(
                password_reset::handle,
                json_request("POST", "/v1/password-resets/complete", &body),
            )
            .await
        }
    };
    let wrong = wrong_code(&app, &enrolled.secret);
    let results = at_once(20, || complete(wrong.clone())).await;
    let checked = results
        .iter()
        .filter(|r| *r == &(401, Some("mfa_code_required".to_string())))
        .count();
    let ended = results
        .iter()
        .filter(|r| *r == &(400, Some("invalid_reset_token".to_string())))
        .count();
    assert_eq!((checked, ended), (5, 15), "{results:?}");
    let right = current_code(&app, &enrolled.secret);
    assert_eq!(
        complete(right).await.json["code"],
        "invalid_reset_token",
        "the grant ended at its fifth wrong code"
    );
    assert_eq!(
        log_in(&app, &email, "Tessellate-9-Quartz").await.status,
        401,
        "the password did not change"
    );
}

/// Rule "every guess counts": wrong codes when removing the authenticator spend the account's
/// guess budget (10 an hour), even sent at once; then the right code is refused until the window
/// has passed. Removal needs the password too, and passwords checked at once are throttled like
/// logins (attempts counted before the check), so each wave lets only some reach the code: waves
/// are sent until ten answers were "wrong code" — which needs the budget's ten attempts taken.
async fn wrong_removal_codes_spend_the_accounts_budget(backend: Backend) {
    let app = Arc::new(TestApp::new(backend).await);
    let enrolled = enrolled_account(&app, "franklin").await;
    let c = challenge(&app, &enrolled.email).await;
    let token = token_of(&answer(&app, &c, &current_code(&app, &enrolled.secret)).await);
    app.clock.advance(Seconds(30));
    let remove = |token: &str, code: String| {
        let (app, token) = (app.clone(), token.to_string());
        let body = json!({ "password": PASSWORD, "code": code });
        async move {
            app.call(
                mfa::handle,
                authorized("DELETE", "/v1/me/mfa/totp", &token, Some(&body)),
            )
            .await
        }
    };
    let mut wrong_codes = 0;
    for _ in 0..10 {
        app.clock.advance(ATTEMPT_LEASE);
        let wrong = wrong_code(&app, &enrolled.secret);
        let results = at_once(12, || remove(&token, wrong.clone())).await;
        for r in &results {
            match r {
                (400, Some(code)) if code == "invalid_code" => wrong_codes += 1,
                (429, Some(code)) if code == "too_many_attempts" => {}
                // Lost every race to write the identity: nothing was answered, so nothing counts.
                (409, Some(code)) if code == "conflict" => {}
                other => panic!("{other:?} in {results:?}"),
            }
        }
        if wrong_codes >= 10 {
            break;
        }
    }
    assert!(wrong_codes >= 10, "{wrong_codes}");
    app.clock.advance(ATTEMPT_LEASE);
    let right = current_code(&app, &enrolled.secret);
    assert_eq!(
        remove(&token, right.clone()).await.json["code"],
        "invalid_code",
        "the budget is spent"
    );
    assert_eq!(me(&app, &token).await.json["mfa"]["totp"], true);
    // An hour on (the session has idled out meanwhile): a new window, a new session.
    app.clock.advance(Seconds::hours(1));
    let c = challenge(&app, &enrolled.email).await;
    let token = token_of(&answer(&app, &c, &current_code(&app, &enrolled.secret)).await);
    app.clock.advance(Seconds(30));
    let right = current_code(&app, &enrolled.secret);
    assert_eq!(remove(&token, right).await.status, 204, "a new window");
}

async fn stored_identity(app: &TestApp, email: &str) -> tessera_identity::Identity {
    let email = tessera_kernel::email::Email::parse(email).unwrap();
    app.deps.store.identity(&email).await.unwrap().unwrap()
}

/// Rule "TOTP seeds are encrypted at rest with a key that is not in the table": the stored seed
/// (pending and confirmed) is sealed, never the base32 text the app was given, and it is bound to
/// its account (copied onto another account it opens nothing). A seed stored before sealing
/// still works, and is sealed at its next use.
async fn seeds_are_sealed_at_rest(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, _) = active_account(&app, "sealed").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let r = enrol(&app, &token, PASSWORD).await;
    let secret = r.json["secret"].as_str().unwrap().to_string();
    let pending = stored_identity(&app, &email).await.totp_pending.unwrap();
    assert!(
        pending.secret.starts_with("sealed:v1:"),
        "{}",
        pending.secret
    );
    assert!(!pending.secret.contains(&secret));
    let r = confirm(&app, &token, &current_code(&app, &secret)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut identity = stored_identity(&app, &email).await;
    let sealed = identity.totp.clone().unwrap().secret;
    assert!(sealed.starts_with("sealed:v1:") && !sealed.contains(&secret));
    let dump = app.stored_identities_text().await;
    assert!(
        dump.contains("sealed:v1:") && !dump.contains(&secret),
        "nowhere in the table"
    );

    // A seed from before sealing: stored as its base32 text, it still logs in, and is sealed by
    // that use.
    app.clock.advance(Seconds(30));
    identity.totp.as_mut().unwrap().secret = secret.clone();
    app.deps.store.update_identity(&identity).await.unwrap();
    let c = challenge(&app, &email).await;
    let r = answer(&app, &c, &current_code(&app, &secret)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let resealed = stored_identity(&app, &email).await.totp.unwrap().secret;
    assert!(resealed.starts_with("sealed:v1:"), "{resealed}");

    // Another account's sealed seed, copied onto this one, opens nothing: codes fail closed.
    let other = enrolled_account(&app, "other").await;
    let foreign = stored_identity(&app, &other.email)
        .await
        .totp
        .unwrap()
        .secret;
    let mut identity = stored_identity(&app, &email).await;
    identity.totp.as_mut().unwrap().secret = foreign;
    app.deps.store.update_identity(&identity).await.unwrap();
    app.clock.advance(Seconds(30));
    let c = challenge(&app, &email).await;
    let r = answer(&app, &c, &current_code(&app, &other.secret)).await;
    assert_ne!(r.status, 201, "{}", r.text);
}

on_both_backends!(
    seeds_are_sealed_at_rest,
    enrol_confirm_and_log_in_with_a_code,
    one_code_answered_four_times_at_once_starts_one_session,
    recovery_codes_each_work_once,
    five_wrong_codes_end_a_challenge,
    wrong_codes_sent_at_once_end_a_challenge,
    challenges_prove_themselves_and_never_go_back,
    removal_needs_password_and_code,
    a_reset_needs_the_second_factor,
    enrolment_checks,
    wrong_codes_sent_at_once_end_a_reset_grant,
    wrong_removal_codes_spend_the_accounts_budget,
);
