//! A person's data-protection requests, through the real handler on both backends: the export
//! of what Tessera holds about them (the account, the record mapped to it, its orders,
//! transcripts, access levels, the applications it consented to, and audit events, as one JSON
//! attachment, and no secret of any kind), and erasure
//! (nothing that names them left in either table, the tombstone in the audit log, every session,
//! code and transcript link dead at once, even for a login under way).

use serde_json::{json, Value};
use tessera_identity::staff::Role;
use tessera_testkit::{Backend, TestApp, TestResponse};
use tessera_tests::certification::{consent, create_transcript, holder};
use tessera_tests::orders::{order_a_kit, report};
use tessera_tests::{
    active_account, authorized, enrol_authenticator, log_in, me, on_both_backends,
    open_transcript_link, staff_call, staff_member, token_of, PASSWORD,
};

async fn everything_held_about_a_person_is_exported_without_secrets(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, token) = holder(&app).await;
    // After the holder: its clock move would outlast a session begun before.
    let support = staff_member(&app, "privacy.desk", &[Role::Support]).await;
    consent(&app, &token, true).await;
    let transcript = create_transcript(&app, &token).await;
    let order = order_a_kit(&app, &token, "export-1").await;
    let secret = enrol_authenticator(&app, &email).await;

    let found = staff_call(
        &app,
        lambda_http::RequestExt::with_query_string_parameters(
            authorized("GET", "/v1/staff/accounts", &support.token, None),
            std::collections::HashMap::from([("email".to_string(), email.clone())]),
        ),
    )
    .await;
    let account = found.json["account_id"].as_str().unwrap().to_string();
    let (number, application) = held_access_and_consent(&app, &account).await;
    let path = format!("/v1/staff/accounts/{account}/export");
    let export = staff_call(&app, authorized("GET", &path, &support.token, None)).await;
    assert_eq!(export.status, 200, "{}", export.text);
    assert!(export
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(export.header("cache-control"), Some("no-store"));
    let body = &export.json;
    assert_eq!(body["account"]["sign_in"]["email"], json!(email));
    assert_eq!(body["account"]["sign_in"]["authenticator"], true);
    assert_eq!(body["account"]["profile"]["candidate_id"], "TSC1000001");
    assert_eq!(
        body["certification"]["record"]["candidate"]["last_name"],
        "Lovelace"
    );
    assert!(
        body["certification"]["record"]["exams"]
            .as_array()
            .unwrap()
            .len()
            >= 3
    );
    assert_eq!(body["certification"]["orders"][0]["id"], order.json["id"]);
    assert_eq!(
        body["certification"]["transcripts"][0]["id"],
        transcript.json["id"]
    );
    assert_eq!(body["access"][0]["level"], "customer", "{}", body["access"]);
    assert_eq!(body["access"][0]["source"]["number"], json!(number));
    assert_eq!(
        body["applications"],
        json!([{ "client_id": application, "scopes": ["email", "openid"] }])
    );
    assert!(body["audit"].is_array());
    for secret_text in [
        "$argon2",
        "password_hash",
        "code_hash",
        "digest",
        secret.as_str(),
    ] {
        assert!(
            !export.text.contains(secret_text),
            "{secret_text} in the export"
        );
    }
    let nobody = staff_call(
        &app,
        authorized(
            "GET",
            "/v1/staff/accounts/0123456789abcdef0123456789abcdef/export",
            &support.token,
            None,
        ),
    )
    .await;
    assert_eq!(nobody.status, 404);
}

/// Gives `account` a service contract's customer level and a consent to an application: the
/// contract's number and the application's client id.
async fn held_access_and_consent(app: &TestApp, account: &str) -> (String, String) {
    let account = tessera_kernel::ids::AccountId::from_stored(account.to_string());
    let raw = tessera_tests::customer_by_contract(app, &account).await;
    let client = tessera_oidc::client::ClientId::generate(&tessera_testkit::SeededRandom::new(41));
    app.oidc
        .store
        .remember_consent(
            &account,
            &client,
            &tessera_oidc::scopes::Scopes::parse("openid email"),
        )
        .await
        .unwrap();
    (raw, client.as_str().to_string())
}

/// The account id of the account signed in at `email`, as support finds it.
async fn account_of(app: &TestApp, staff_token: &str, email: &str) -> String {
    let found = staff_call(
        app,
        lambda_http::RequestExt::with_query_string_parameters(
            authorized("GET", "/v1/staff/accounts", staff_token, None),
            std::collections::HashMap::from([("email".to_string(), email.to_string())]),
        ),
    )
    .await;
    assert_eq!(found.status, 200, "{}", found.text);
    found.json["account_id"].as_str().unwrap().to_string()
}

async fn erase(app: &TestApp, staff_token: &str, account: &str) -> TestResponse {
    let body = json!({ "reason": "The person asked for erasure (case 77)" });
    staff_call(
        app,
        authorized(
            "DELETE",
            &format!("/v1/staff/accounts/{account}"),
            staff_token,
            Some(&body),
        ),
    )
    .await
}

/// Erasure, end to end: refused while an order is still to ship, then everything that names
/// the person leaves both tables (account, sign-in address and login ID, number, the record's
/// names, email and testing ID, a pending new address, transcripts, the orders' addresses),
/// the record stays unmapped with its exams, the orders stay for the tax records, the audit log
/// keeps a tombstone naming no one, and sessions, sign-in and transcript links stop at once.
async fn an_erased_person_is_gone_from_both_tables(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, token) = holder(&app).await;
    let support = staff_member(&app, "erasure.desk", &[Role::Support]).await;
    consent(&app, &token, true).await;
    let transcript = create_transcript(&app, &token).await;
    let transcript_id = transcript.json["id"].as_str().unwrap().to_string();
    let number = tessera_testkit::app::unique_mobile();
    let phone_call = |method: &str, path: &str, body: Value| {
        app.call(phone::handle, authorized(method, path, &token, Some(&body)))
    };
    let r = phone_call(
        "PUT",
        "/v1/me/phone",
        json!({ "password": PASSWORD, "phone": number }),
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let code = app.latest_code(&number);
    let r = phone_call("POST", "/v1/me/phone/verify", json!({ "code": code })).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let order_id = order_a_kit(&app, &token, "erase-1").await.json["id"]
        .as_str()
        .unwrap()
        .to_string();
    let renamed =
        json!({ "first_name": "Erasmine", "last_name": "Vanishwood", "company": "Quietworks" });
    let r = app
        .call(
            profile::handle,
            authorized("PATCH", "/v1/me", &token, Some(&renamed)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let username = me(&app, &token).await.json["username"]
        .as_str()
        .unwrap()
        .to_string();
    let account = account_of(&app, &support.token, &email).await;
    // Mail to the address bounced: the suppression list holds the address too, and the export
    // says so.
    let postbox: tessera_kernel::delivery::Postbox = app.state();
    let suppressed = tessera_kernel::suppression::Suppression {
        address: email.to_lowercase(),
        reason: tessera_kernel::suppression::SuppressionReason::HardBounce,
        since: tessera_kernel::ports::Clock::now(app.clock.as_ref()),
    };
    postbox.suppressions.suppress(&suppressed).await.unwrap();
    let export = staff_call(
        &app,
        authorized(
            "GET",
            &format!("/v1/staff/accounts/{account}/export"),
            &support.token,
            None,
        ),
    )
    .await;
    assert_eq!(
        export.json["account"]["sign_in"]["email_suppressed"]["reason"], "hard_bounce",
        "{}",
        export.text
    );

    // While the kit waits to ship, its address is still needed: nothing changes.
    let open = erase(&app, &support.token, &account).await;
    assert_eq!(open.status, 409, "{}", open.text);
    assert_eq!(open.json["code"], "orders_open");
    assert_eq!(
        me(&app, &token).await.status,
        200,
        "the account is untouched"
    );
    let sent = report(
        &app,
        &order_id,
        json!({"status": "sent", "tracking_number": "1Z999AA10123456784"}),
    )
    .await;
    assert_eq!(sent.status, 200, "{}", sent.text);

    let personal = [
        email.as_str(),
        username.as_str(),
        number.as_str(),
        "Erasmine",
        "Vanishwood",
        "Quietworks",
        "ada@example.com",
        "VT226754252",
        "ada.holder",
        "Rue de l",
        "N1 1AA",
        "+44 20 7946 0000",
        "1Z999AA10123456784",
    ];
    let before = app.stored_text().await;
    for text in personal {
        assert!(before.contains(text), "{text} is stored before the erasure");
    }
    let erased = erase(&app, &support.token, &account).await;
    assert_eq!(erased.status, 200, "{}", erased.text);
    assert_eq!(erased.json["candidate_id"], "TSC1000001");
    assert_eq!(erased.json["transcripts_deleted"], 1);
    assert_eq!(erased.json["orders_blanked"], 1);

    let after = app.stored_text().await;
    for text in personal {
        let found: Vec<&str> = after.lines().filter(|l| l.contains(text)).collect();
        assert!(found.is_empty(), "{text} is still stored: {found:?}");
    }
    // What stays: the record (unmapped, naming no one) with its exams; the order for the tax
    // records (what, how much, which country).
    let record = staff_call(
        &app,
        authorized(
            "GET",
            "/v1/staff/candidates/TSC1000001",
            &support.token,
            None,
        ),
    )
    .await;
    assert_eq!(record.status, 200, "{}", record.text);
    assert_eq!(record.json["candidate"]["account_id"], Value::Null);
    assert_eq!(record.json["candidate"]["last_name"], "");
    assert!(record.json["exams"].as_array().unwrap().len() >= 5);
    let stored_order = app
        .orders
        .order_book(&tessera_kernel::ids::CandidateId::parse("TSC1000001").unwrap())
        .await
        .unwrap()
        .orders;
    assert_eq!(stored_order.len(), 1);
    assert_eq!(stored_order[0].shipping.country.as_str(), "GB");
    assert_eq!(stored_order[0].status.as_str(), "sent");

    // Everything stops at once.
    assert_eq!(me(&app, &token).await.status, 401, "the session ended");
    let link = open_transcript_link(&app, &transcript_id).await;
    assert_eq!(link.status, 404, "the transcript link is dead");
    assert_eq!(log_in(&app, &email, PASSWORD).await.status, 401);
    let export = staff_call(
        &app,
        authorized(
            "GET",
            &format!("/v1/staff/accounts/{account}/export"),
            &support.token,
            None,
        ),
    )
    .await;
    assert_eq!(export.status, 404);
    assert_eq!(erase(&app, &support.token, &account).await.status, 404);

    // The tombstone: who, why and what went, naming no one.
    let events = tessera_tests::audit_about(&app, "account", &account).await;
    // Both in one second: ids of one second sort in no set order.
    let mut actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    actions.sort_unstable();
    assert_eq!(actions, ["account.disable", "account.erased"]);
    let tombstone = events
        .iter()
        .find(|e| e.action == "account.erased")
        .unwrap();
    let tombstone = serde_json::to_string(tombstone).unwrap();
    for text in personal {
        assert!(!tombstone.contains(text), "{text} in the tombstone");
    }
    assert!(tombstone.contains("case 77"));
    let record_events = tessera_tests::audit_about(&app, "candidate", "TSC1000001").await;
    assert!(record_events.iter().any(|e| e.action == "candidate.erased"));
    assert!(tombstone.contains(support.account.as_str()));
}

/// An erasure while the person logs in: whichever lands first, the login ends with no account
/// behind it (a session it got is refused, the address signs in no one) and nothing of the
/// account is written back.
async fn an_erasure_during_a_login_leaves_no_account(backend: Backend) {
    let app = TestApp::new(backend).await;
    let support = staff_member(&app, "erasure.race", &[Role::Support]).await;
    for round in 0..3 {
        let (email, _) = active_account(&app, &format!("racer{round}")).await;
        let account = account_of(&app, &support.token, &email).await;
        let (login, erasure) = tokio::join!(log_in(&app, &email, PASSWORD), async {
            tokio::time::sleep(std::time::Duration::from_millis(round * 5)).await;
            erase(&app, &support.token, &account).await
        });
        assert_eq!(erasure.status, 200, "round {round}: {}", erasure.text);
        if login.status == 201 {
            assert_eq!(
                me(&app, &token_of(&login)).await.status,
                401,
                "round {round}: a session of an erased account"
            );
        } else {
            assert_eq!(login.status, 401, "round {round}: {}", login.text);
        }
        let address = tessera_kernel::email::Email::parse(&email).unwrap();
        assert_eq!(app.deps.store.identity(&address).await.unwrap(), None);
        let id = tessera_kernel::ids::AccountId::parse(&account).unwrap();
        assert_eq!(app.deps.store.profile(&id).await.unwrap(), None);
        assert_eq!(log_in(&app, &email, PASSWORD).await.status, 401);
    }
}

/// An improper registration (never activated: a group address, a duplicate) is removed the same
/// way: gone with its code (which no longer activates), and the address may sign up afresh.
async fn an_improper_registration_is_removed(backend: Backend) {
    let app = TestApp::new(backend).await;
    let support = staff_member(&app, "registrations.desk", &[Role::Support]).await;
    let email = tessera_testkit::unique_email("info.team");
    assert_eq!(
        tessera_tests::sign_up(&app, &email, PASSWORD).await.status,
        202
    );
    let code = app.latest_code(&email);
    let account = account_of(&app, &support.token, &email).await;
    let removed = erase(&app, &support.token, &account).await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    let address = tessera_kernel::email::Email::parse(&email).unwrap();
    assert_eq!(app.deps.store.identity(&address).await.unwrap(), None);
    let late = tessera_tests::activate(&app, &email, &code).await;
    assert_eq!(
        late.status, 400,
        "the removed registration's code: {}",
        late.text
    );
    assert_eq!(
        tessera_tests::sign_up(&app, &email, PASSWORD).await.status,
        202
    );
    let fresh = tessera_tests::activate(&app, &email, &app.latest_code(&email)).await;
    assert_eq!(fresh.status, 200, "{}", fresh.text);
}

on_both_backends!(
    an_improper_registration_is_removed,
    everything_held_about_a_person_is_exported_without_secrets,
    an_erased_person_is_gone_from_both_tables,
    an_erasure_during_a_login_leaves_no_account
);
