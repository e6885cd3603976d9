//! The issuer's public documents on both backends, as a verifier fetches them: the profile
//! valid against 1EdTech's published Open Badges 3.0 schema (vendored in `tests/schemas/`), and
//! the JWK Set against which a credential the program signs verifies with a verifier's own JOSE
//! library; both cacheable. The program's name, home page and address follow its settings.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use lambda_http::{Body, Request};
use serde_json::{json, Value};
use tessera_kernel::signing::compact_jws;
use tessera_testkit::{Backend, TestApp, TestResponse};
use tessera_tests::on_both_backends;

mod open_badges;
use open_badges::{achievement_errors, schema_errors};

fn get(path: &str) -> Request {
    lambda_http::http::Request::builder()
        .uri(path)
        .header("accept", "application/json")
        .body(Body::Empty)
        .unwrap()
}

async fn fetch(app: &TestApp, path: &str) -> TestResponse {
    let answer = app.call(issuer::handle, get(path)).await;
    assert_eq!(answer.status, 200, "{path}: {}", answer.text);
    assert_eq!(answer.header("cache-control"), Some("public, max-age=300"));
    answer
}

async fn the_profile_is_an_open_badges_profile(backend: Backend) {
    let app = TestApp::new(backend).await;
    let profile = fetch(&app, "/v1/issuer").await.json;
    assert_eq!(
        schema_errors("profile.json", &profile),
        Vec::<String>::new()
    );
    let base = tessera_http::config::LOCAL_PUBLIC_URL;
    assert_eq!(profile["id"], format!("{base}/v1/issuer"));
    assert_eq!(profile["type"], json!(["Profile"]));
    assert_eq!(profile["name"], "Tessera certification program");
    assert_eq!(profile["url"], base);
    assert!(profile.get("email").is_none());
    // Something that is not a profile fails the same schema: the check has teeth.
    assert!(!schema_errors("profile.json", &json!({ "id": "x", "type": ["Badge"] })).is_empty());

    let named = TestApp::with_vars(
        backend,
        &[
            ("TESSERA_PROGRAM_NAME", "Example Certification Board"),
            ("TESSERA_PROGRAM_URL", "https://board.example.org"),
            ("TESSERA_PROGRAM_EMAIL", "credentials@board.example.org"),
        ],
    )
    .await;
    let profile = fetch(&named, "/v1/issuer").await.json;
    assert_eq!(
        schema_errors("profile.json", &profile),
        Vec::<String>::new()
    );
    assert_eq!(
        (&profile["name"], &profile["url"], &profile["email"]),
        (
            &json!("Example Certification Board"),
            &json!("https://board.example.org"),
            &json!("credentials@board.example.org")
        )
    );
}

async fn what_the_program_signs_verifies_with_the_published_keys(backend: Backend) {
    let app = TestApp::new(backend).await;
    let set = fetch(&app, "/v1/issuer/jwks.json").await;
    assert!(
        !set.text.contains("\"d\""),
        "never a private part: {}",
        set.text
    );
    let keys: JwkSet = serde_json::from_str(&set.text).expect("a JWK Set");
    assert!(!keys.keys.is_empty());

    let key_url = format!(
        "{}/v1/issuer/jwks.json",
        tessera_http::config::LOCAL_PUBLIC_URL
    );
    let payload = json!({ "iss": format!("{}/v1/issuer", tessera_http::config::LOCAL_PUBLIC_URL) });
    let token = compact_jws(app.signer.as_ref(), &key_url, &payload)
        .await
        .unwrap();
    let kid = decode_header(&token).unwrap().kid.unwrap();
    let (url, id) = kid
        .split_once('#')
        .expect("the key's id after the set's address");
    assert_eq!(url, key_url, "the header names where the key is published");
    let jwk = keys.find(id).expect("the signing key is published");
    let mut validation = Validation::new(Algorithm::ES256);
    validation.required_spec_claims.clear();
    let verified = decode::<Value>(&token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .expect("the signature verifies");
    assert_eq!(verified.claims, payload);
}

async fn each_certification_is_an_open_badges_achievement(backend: Backend) {
    let app = TestApp::new(backend).await;
    let achievement = fetch(&app, "/v1/achievements/infrastructure-associate")
        .await
        .json;
    assert_eq!(achievement_errors(&achievement), Vec::<String>::new());
    let base = tessera_http::config::LOCAL_PUBLIC_URL;
    assert_eq!(
        achievement["id"],
        format!("{base}/v1/achievements/infrastructure-associate")
    );
    assert_eq!(achievement["achievementType"], "Certification");
    assert_eq!(achievement["humanCode"], "IA");
    assert_eq!(achievement["creator"]["id"], format!("{base}/v1/issuer"));
    let criteria = achievement["criteria"]["narrative"].as_str().unwrap();
    assert!(criteria.contains("IA-201"), "{criteria}");
    // The check has teeth: an achievement without criteria fails it.
    let mut without = achievement.clone();
    without.as_object_mut().unwrap().remove("criteria");
    assert!(!achievement_errors(&without).is_empty());

    for unknown in ["no-such-certification", "NOT_AN_ID"] {
        let r = app
            .call(issuer::handle, get(&format!("/v1/achievements/{unknown}")))
            .await;
        assert_eq!(r.status, 404, "{unknown}: {}", r.text);
    }
}

on_both_backends!(
    the_profile_is_an_open_badges_profile,
    each_certification_is_an_open_badges_achievement,
    what_the_program_signs_verifies_with_the_published_keys,
);
