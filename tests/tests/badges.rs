//! Open Badges 3.0 credentials on both backends, as a verifier meets them: the holder's
//! certification screen issues the badge; its hosted credential validates against 1EdTech's
//! published credential schema (vendored in `tests/schemas/`), and as a VC-JWT verifies with a
//! verifier's own JOSE library against the published JWK Set alone; the status list it names
//! reads each hold the back office puts on the certification (suspended, revoked, lifted), read
//! as the W3C algorithm reads it; the credential follows the record's dates and verifies as
//! expired once they pass.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use flate2::read::GzDecoder;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use lambda_http::{Body, Request};
use serde_json::{json, Value};
use std::io::Read;
use tessera_credentials::badges::identity_hash;
use tessera_identity::staff::Role;
use tessera_kernel::ids::CandidateId;
use tessera_kernel::time::Seconds;
use tessera_testkit::{Backend, TestApp, TestResponse};
use tessera_tests::certification::{call, consent, holder};
mod open_badges;

use tessera_tests::{
    authorized, log_in, on_both_backends, staff_call, staff_member, token_of, PASSWORD,
};

const DETAIL: &str = "/v1/candidate/certifications/infrastructure-associate";

fn get(path: &str, accept: &str) -> Request {
    lambda_http::http::Request::builder()
        .uri(path)
        .header("accept", accept)
        .body(Body::Empty)
        .unwrap()
}

/// What anyone fetches from the issuer function at `url` (an absolute address it published).
async fn fetch(app: &TestApp, url: &str, accept: &str) -> TestResponse {
    let path = url
        .strip_prefix(tessera_http::config::LOCAL_PUBLIC_URL)
        .unwrap_or_else(|| panic!("{url} is under the API's address"));
    let answer = app.call(issuer::handle, get(path, accept)).await;
    assert_eq!(answer.status, 200, "{path}: {}", answer.text);
    assert_eq!(answer.header("cache-control"), Some("public, max-age=300"));
    answer
}

fn schema_errors(credential: &Value) -> Vec<String> {
    open_badges::schema_errors("achievementcredential.json", credential)
}

/// Verifies `token` as a verifier does: the key its header names, fetched from the published
/// set, and nothing else of the program's.
async fn verified_claims(app: &TestApp, token: &str) -> Value {
    let header = decode_header(token).unwrap();
    assert_eq!(header.alg, Algorithm::ES256);
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    let kid = header.kid.expect("the key named");
    let (set_url, id) = kid
        .split_once('#')
        .expect("the set's address, then the key's id");
    let set: JwkSet = serde_json::from_str(&fetch(app, set_url, "application/json").await.text)
        .expect("a JWK Set");
    let key = DecodingKey::from_jwk(set.find(id).expect("the key is published")).unwrap();
    let mut validation = Validation::new(Algorithm::ES256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    decode::<Value>(token, &key, &validation)
        .expect("the signature verifies")
        .claims
}

/// The value of entry `index` in the status list credential at `url` (W3C Bitstring Status
/// List: multibase base64url, GZIP, 2-bit entries, the first left-most).
async fn entry(app: &TestApp, url: &str, index: usize) -> u8 {
    let list = fetch(app, url, "application/json").await.json;
    assert_eq!(
        list["type"],
        json!(["VerifiableCredential", "BitstringStatusListCredential"])
    );
    let encoded = list["credentialSubject"]["encodedList"].as_str().unwrap();
    let compressed = URL_SAFE_NO_PAD
        .decode(encoded.strip_prefix('u').expect("multibase base64url"))
        .unwrap();
    let mut bits = Vec::new();
    GzDecoder::new(&compressed[..])
        .read_to_end(&mut bits)
        .unwrap();
    assert!(bits.len() >= 16 * 1024);
    let bit = |p: usize| (bits[p / 8] >> (7 - p % 8)) & 1;
    (bit(index * 2) << 1) | bit(index * 2 + 1)
}

async fn set_hold(app: &TestApp, admin: &str, status: &str) {
    let request = authorized(
        "POST",
        "/v1/staff/candidates/TSC1000001/certifications/infrastructure-associate/status",
        admin,
        Some(&json!({ "status": status, "reason": "looked into" })),
    );
    let answer = staff_call(app, request).await;
    assert_eq!(answer.status, 200, "{status}: {}", answer.text);
}

async fn an_earned_certification_is_a_verifiable_open_badge(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (email, token) = holder(&app).await;
    let detail = call(&app, "GET", DETAIL, &token, None).await;
    assert_eq!(detail.status, 200, "{}", detail.text);
    let badge = detail.json["badge"].clone();
    let url = badge["credential_url"]
        .as_str()
        .expect("a badge")
        .to_string();
    // Issued once: the screen read again shows the same badge.
    let again = call(&app, "GET", DETAIL, &token, None).await;
    assert_eq!(again.json["badge"], badge);

    // The hosted credential is an Open Badges 3.0 credential about this certification.
    let credential = fetch(&app, &url, "application/json").await.json;
    assert_eq!(schema_errors(&credential), Vec::<String>::new());
    assert_eq!(credential["id"], url);
    assert_eq!(
        credential["type"],
        json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    let subject = &credential["credentialSubject"];
    assert_eq!(
        subject["achievement"]["id"],
        format!(
            "{}/v1/achievements/infrastructure-associate",
            tessera_http::config::LOCAL_PUBLIC_URL
        )
    );
    assert_eq!(
        credential["validFrom"],
        format!("{}T00:00:00Z", detail.json["active"].as_str().unwrap())
    );
    assert_eq!(
        credential["validUntil"],
        format!("{}T00:00:00Z", detail.json["expires"].as_str().unwrap())
    );
    // The recipient: a salted hash of the email on the record, never the address.
    let on_file = app
        .certification
        .records
        .candidate(&CandidateId::parse("TSC1000001").unwrap())
        .await
        .unwrap()
        .unwrap()
        .profile
        .email
        .expect("an email on the record");
    let identity = &subject["identifier"][0];
    assert_eq!(identity["hashed"], true);
    assert_eq!(
        identity["identityHash"],
        identity_hash(on_file.as_str(), identity["salt"].as_str().unwrap()),
        "{credential}"
    );
    assert!(
        !credential.to_string().contains(on_file.as_str()),
        "{credential}"
    );
    // The check has teeth: a credential without its subject fails the schema.
    let mut broken = credential.clone();
    broken.as_object_mut().unwrap().remove("credentialSubject");
    assert!(!schema_errors(&broken).is_empty());

    // Secured as a VC-JWT: verifies against the published keys, its claims the credential's.
    let jwt = fetch(&app, &url, "application/vc+jwt").await;
    assert_eq!(jwt.header("content-type"), Some("application/vc+jwt"));
    let claims = verified_claims(&app, &jwt.text).await;
    assert_eq!(claims["jti"], url);
    assert_eq!(claims["iss"], credential["issuer"]["id"]);
    assert_eq!(claims["credentialSubject"], credential["credentialSubject"]);
    let day = |field: &str| {
        tessera_kernel::time::Timestamp::parse(credential[field].as_str().unwrap())
            .unwrap()
            .0
    };
    assert_eq!(
        (claims["nbf"].as_i64(), claims["exp"].as_i64()),
        (Some(day("validFrom")), Some(day("validUntil")))
    );
    let mut without_jwt_claims = claims.clone();
    for claim in ["iss", "jti", "nbf", "exp"] {
        without_jwt_claims.as_object_mut().unwrap().remove(claim);
    }
    assert_eq!(without_jwt_claims, credential);

    // Its status entry follows each hold the back office puts on the certification.
    let status = &credential["credentialStatus"];
    assert_eq!(status["type"], "BitstringStatusListEntry");
    assert_eq!(status["statusPurpose"], "message");
    assert_eq!(status["statusMessage"][2]["message"], "revoked");
    let list = status["statusListCredential"].as_str().unwrap().to_string();
    let index: usize = status["statusListIndex"].as_str().unwrap().parse().unwrap();
    assert_eq!(entry(&app, &list, index).await, 0, "active");
    let admin = staff_member(&app, "badge.admin", &[Role::ProgramAdmin]).await;
    set_hold(&app, &admin.token, "suspended").await;
    assert_eq!(entry(&app, &list, index).await, 1, "suspended");
    set_hold(&app, &admin.token, "revoked").await;
    assert_eq!(entry(&app, &list, index).await, 2, "revoked");
    set_hold(&app, &admin.token, "reinstated").await;
    assert_eq!(entry(&app, &list, index).await, 0, "lifted");
    // The list itself is a credential the program signs.
    let signed_list = fetch(&app, &list, "application/vc+jwt").await;
    let list_claims = verified_claims(&app, &signed_list.text).await;
    assert_eq!(list_claims["id"], list);

    // Past its end date the same credential verifies as expired: its validUntil has passed.
    let expires = time::Date::parse(
        detail.json["expires"].as_str().unwrap(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .unwrap();
    let today = app.certification.clock.now().date();
    app.clock
        .advance(Seconds::days((expires - today).whole_days() + 1));
    let expired = fetch(&app, &url, "application/json").await.json;
    assert_eq!(expired["validUntil"], credential["validUntil"]);
    let now = app.certification.clock.now().0;
    assert!(day("validUntil") < now);
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let shown = call(&app, "GET", DETAIL, &token, None).await;
    assert_eq!(shown.json["status"], "expired");
    assert_eq!(
        shown.json["badge"], badge,
        "an expired certification keeps its badge"
    );

    // Consent to third-party verification withdrawn: the program no longer answers for it.
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    consent(&app, &token, false).await;
    let path = url
        .strip_prefix(tessera_http::config::LOCAL_PUBLIC_URL)
        .unwrap();
    let withheld = app
        .call(issuer::handle, get(path, "application/json"))
        .await;
    assert_eq!(withheld.status, 404, "{}", withheld.text);
    consent(&app, &token, true).await;
    fetch(&app, &url, "application/json").await;

    // Not issued, or not an id: not found.
    for unknown in ["0123456789abcdef0123456789abcdef", "NOT_AN_ID"] {
        let r = app
            .call(
                issuer::handle,
                get(&format!("/v1/badges/{unknown}"), "application/json"),
            )
            .await;
        assert_eq!(r.status, 404, "{unknown}: {}", r.text);
    }
    let r = app
        .call(
            issuer::handle,
            get("/v1/status-lists/2", "application/json"),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
}

/// A hold written while no badge existed, then the screen read: a held certification gets no
/// new badge (it would verify as active).
async fn a_held_certification_gets_no_new_badge(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, token) = holder(&app).await;
    let admin = staff_member(&app, "badge.holder.admin", &[Role::ProgramAdmin]).await;
    set_hold(&app, &admin.token, "suspended").await;
    let detail = call(&app, "GET", DETAIL, &token, None).await;
    assert_eq!(detail.status, 200, "{}", detail.text);
    assert!(detail.json.get("badge").is_none(), "{}", detail.text);
    set_hold(&app, &admin.token, "reinstated").await;
    let detail = call(&app, "GET", DETAIL, &token, None).await;
    assert!(detail.json["badge"]["id"].is_string(), "{}", detail.text);
}

async fn badges_call(app: &TestApp, path: &str, token: &str, accept: &str) -> TestResponse {
    let mut request = authorized("GET", path, token, None);
    request
        .headers_mut()
        .insert("accept", accept.parse().unwrap());
    app.call(badges::handle, request).await
}

/// The holder's Digital Badges: each earned certification listed with its links; the credential
/// downloaded as a VC-JWT and baked into the logo as SVG and PNG, each verifying against the
/// published keys; nobody else's badge reachable.
async fn the_holder_lists_downloads_and_bakes_the_badges(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (_, token) = holder(&app).await;
    let listed = badges_call(&app, "/v1/candidate/badges", &token, "application/json").await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let certifications = call(&app, "GET", "/v1/candidate/certifications", &token, None).await;
    let earned: Vec<String> = ["active", "past"]
        .iter()
        .flat_map(|group| {
            certifications.json[group]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .flat_map(|track| {
            track["certifications"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|c| c["id"].as_str().map(str::to_string))
        .collect();
    let badges = listed.json["badges"].as_array().unwrap();
    let mut listed_ids: Vec<String> = badges
        .iter()
        .map(|b| b["certification_id"].as_str().unwrap().to_string())
        .collect();
    listed_ids.sort();
    let mut expected = earned.clone();
    expected.sort();
    assert_eq!(listed_ids, expected, "one badge per earned certification");
    let badge = badges
        .iter()
        .find(|b| b["certification_id"] == "infrastructure-associate")
        .unwrap();
    let detail = call(&app, "GET", DETAIL, &token, None).await;
    assert_eq!(
        badge["id"], detail.json["badge"]["id"],
        "the same badge as its screen's"
    );
    assert_eq!(badge["status"], "active");
    assert_eq!(badge["valid_from"], detail.json["active"]);
    assert_eq!(badge["valid_until"], detail.json["expires"]);
    let id = badge["id"].as_str().unwrap();
    let credential_url = badge["credential_url"].as_str().unwrap();
    let add = badge["add_to_profile_url"].as_str().unwrap();
    assert!(add.contains(&format!("certId={id}")), "{add}");
    assert!(add.contains("name=Infrastructure%20Associate"), "{add}");
    assert!(
        add.contains(&format!(
            "certUrl={}",
            credential_url.replace(':', "%3A").replace('/', "%2F")
        )),
        "{add}"
    );
    assert!(badge["share"]["linkedin"]
        .as_str()
        .unwrap()
        .contains("url=http"));

    // The download: the VC-JWT of the hosted credential.
    let own = format!("/v1/candidate/badges/{id}");
    let jwt = badges_call(&app, &own, &token, "application/vc+jwt").await;
    assert_eq!(jwt.status, 200, "{}", jwt.text);
    assert_eq!(jwt.header("content-type"), Some("application/vc+jwt"));
    assert!(jwt
        .header("content-disposition")
        .is_some_and(|d| d.starts_with("attachment")));
    let hosted = fetch(&app, credential_url, "application/json").await.json;
    let claims = verified_claims(&app, &jwt.text).await;
    assert_eq!(claims["credentialSubject"], hosted["credentialSubject"]);
    let json = badges_call(&app, &own, &token, "application/json").await;
    assert_eq!(json.json, hosted);

    // Baked: the logo with the credential inside, as Open Badges readers extract it.
    let svg = badges_call(&app, &format!("{own}/image.svg"), &token, "image/svg+xml").await;
    assert_eq!(svg.status, 200, "{}", svg.text);
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert!(svg.text.contains(">IA</text>"), "the logo: {}", svg.text);
    let baked = tessera_credentials::baked::from_svg(&svg.text).expect("a baked credential");
    assert_eq!(verified_claims(&app, baked).await["jti"], credential_url);
    let png = badges_call(&app, &format!("{own}/image.png"), &token, "image/png").await;
    assert_eq!(png.status, 200);
    assert_eq!(png.header("content-type"), Some("image/png"));
    // Kept for a look, as the pages' screenshots are.
    let kept = tessera_testkit::repo_root().join(".test-output/badges");
    std::fs::create_dir_all(&kept).unwrap();
    std::fs::write(kept.join("infrastructure-associate.png"), &png.bytes).unwrap();
    std::fs::write(kept.join("infrastructure-associate.svg"), &svg.text).unwrap();
    let reader = png::Decoder::new(std::io::Cursor::new(png.bytes.clone()))
        .read_info()
        .expect("a PNG");
    let chunk = reader
        .info()
        .utf8_text
        .iter()
        .find(|c| c.keyword == "openbadgecredential")
        .expect("the credential's iTXt chunk");
    assert!(!chunk.compressed);
    let text = chunk.get_text().unwrap();
    assert_eq!(verified_claims(&app, &text).await["jti"], credential_url);

    // Someone else's badge, or none: not found; no session: 401.
    let other = tessera_tests::certification::signed_in(&app).await;
    let mapped = call(
        &app,
        "POST",
        "/v1/candidate/mapping",
        &other,
        Some(json!({
            "method": "score_report", "last_name": "Hopper",
            "registration_number": "REG-2024-0611",
            "new_email": tessera_testkit::unique_email("grace.badges"),
        })),
    )
    .await;
    assert_eq!(mapped.status, 200, "{}", mapped.text);
    let theirs = badges_call(&app, &own, &other, "application/json").await;
    assert_eq!(
        (theirs.status, theirs.json["code"].as_str()),
        (404, Some("badge_not_found")),
        "{}",
        theirs.text
    );
    let anonymous = app
        .call(
            badges::handle,
            get("/v1/candidate/badges", "application/json"),
        )
        .await;
    assert_eq!(anonymous.status, 401);
}

on_both_backends!(
    an_earned_certification_is_a_verifiable_open_badge,
    a_held_certification_gets_no_new_badge,
    the_holder_lists_downloads_and_bakes_the_badges,
);
