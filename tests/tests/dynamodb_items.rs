//! What sign-up leaves in DynamoDB (moto): pending items carry the `ttl` the table's TTL
//! deletes them by; activation clears it. Codes are stored only as digests.

use serde_json::json;
use tessera_testkit::{json_request, moto, unique_email, Backend, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_items_expire_by_ttl_until_activated() {
    let app = TestApp::new(Backend::Moto).await;
    let email = unique_email("ttl");
    let body = json!({ "email": email, "password": "Quartz-Harbor-42x", "first_name": "Ada", "last_name": "L", "country": "GB" });
    assert_eq!(
        app.call(
            accounts::handle,
            json_request("POST", "/v1/accounts", &body)
        )
        .await
        .status,
        202
    );
    let code = app.latest_code(&email);

    let client = aws_sdk_dynamodb::Client::new(&moto::sdk_config().await);
    // The account's items; the attempt ledger's (per-client allowances) expire by their own ttl.
    let scan = || async {
        let items = client
            .scan()
            .table_name(app.table_name().unwrap())
            .send()
            .await
            .unwrap()
            .items()
            .to_vec();
        let (ledger, account): (Vec<_>, Vec<_>) = items
            .into_iter()
            .partition(|item| item["pk"].as_s().unwrap().starts_with("ATTEMPTS#"));
        assert!(ledger.iter().all(|item| item.contains_key("ttl")));
        account
    };
    let items = scan().await;
    assert_eq!(items.len(), 2);
    let week = (tessera_testkit::ManualClock::START.0 + 7 * 86_400).to_string();
    for item in &items {
        assert_eq!(item["ttl"].as_n().unwrap(), &week, "{:?}", item["pk"]);
        let dump = format!("{item:?}");
        assert!(!dump.contains(&code), "the code itself is never stored");
        assert!(!dump.contains("Quartz-Harbor-42x"), "nor the password");
    }

    let activate = json!({ "email": email, "code": code, "password": "Quartz-Harbor-42x" });
    assert_eq!(
        app.call(
            accounts::handle,
            json_request("POST", "/v1/accounts/activate", &activate)
        )
        .await
        .status,
        200
    );
    let items = scan().await;
    assert_eq!(items.len(), 3, "identity, profile and the username marker");
    assert!(
        items.iter().all(|item| !item.contains_key("ttl")),
        "active accounts never expire"
    );
}
