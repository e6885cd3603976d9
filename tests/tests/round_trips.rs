//! DynamoDB round trips per request, counted by an SDK interceptor on moto: no flow may make
//! more calls than it makes today (the bound below), and `make bench` reports them beside the
//! data model's minimum.

use tessera_tests::round_trips::flows;

/// Today's counts: lower one when a flow gets cheaper; raising one needs a reason.
///
/// Reasons so far (SECURITY.md, "Rules added after the first review"): every check of a password
/// counts its attempt before the check, with one `UpdateItem` sent beside the identity's read
/// (log-in: +1). Codes held on the identity (emailed, SMS, TOTP, recovery) cost nothing extra:
/// the version-checked write that uses a right one up, or records a wrong one, is the count.
/// Re-entering the password within a minute of logging in also counts the login's own attempt,
/// still within its lease, and clears both after (MFA enrol: +3). The unauthenticated routes
/// that cost a hash or send a message also take the request from its client address's
/// allowance: +1 for a request that takes a batch of them (sign-up, log-in, the reset request
/// and completion here), none for one that spends a request its process took ahead
/// (activation, reset verify, the second log-in). A login challenge is written nowhere (it
/// proves itself); the TOTP step writes the identity and then the session (3 calls, not 2 in a
/// transaction: a transaction bills each item twice). Every email reads the suppression list
/// before it is sent (one `GetItem`: mail to an address that bounced for good or complained is
/// what gets a sender suspended): +1 for the flows that email (sign-up, the reset request and
/// completion, MFA confirm); the profile (GET /v1/me) says whether mail reaches the address,
/// reading the list beside the identity, at once (+1). The OpenID Connect token endpoint takes
/// an attempt from the client's allowance at the caller's address before any check and gives it
/// back once the answer was right (+2 on both grants: every guess at a secret, a code or a refresh
/// token is counted), and like the other unauthenticated routes that check a secret takes the
/// request from its client address's allowance (+1 where it takes a batch: the code here); the authorization endpoint reads the client and the consent one after the
/// other (+1: the consent's key needs the account the session names, and the client is checked
/// before the session is read).
const BOUNDS: &[(&str, usize)] = &[
    ("sign-up (new address)", 3),
    ("activate", 2),
    ("log in (password only)", 4),
    ("authenticated read (GET /v1/me)", 3),
    ("reset request", 4),
    ("reset verify", 2),
    ("reset complete", 4),
    ("MFA enrol", 6),
    ("MFA confirm", 4),
    ("log in (MFA challenge)", 2),
    ("TOTP step", 3),
    ("certification screen", 2),
    ("personal info", 2),
    ("verification (GET /v1/verify/{code})", 2),
    ("hosted badge (GET /v1/badges/{id})", 2),
    ("status list (GET /v1/status-lists/{id})", 1),
    ("badges list (GET /v1/candidate/badges)", 2),
    ("baked badge (GET /v1/candidate/badges/{id}/image.png)", 2),
    ("OIDC authorize (consented)", 4),
    ("OIDC token (authorization code)", 7),
    ("OIDC token (refresh)", 6),
    ("OIDC userinfo", 2),
    ("access levels (GET /v1/me/access)", 2),
    ("log out", 2),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_flow_makes_more_dynamodb_calls_than_its_bound() {
    let flows = flows().await;
    for f in &flows {
        println!(
            "{:<36} {} (minimum {}): {:?}",
            f.flow,
            f.calls.len(),
            f.minimum,
            f.calls
        );
    }
    for f in &flows {
        let bound = BOUNDS
            .iter()
            .find(|(flow, _)| *flow == f.flow)
            .unwrap_or_else(|| panic!("no bound for {:?}", f.flow))
            .1;
        assert!(f.calls.len() <= bound, "{}: {:?}", f.flow, f.calls);
        assert!(
            f.calls.len() >= f.minimum,
            "{}: below the model's minimum?",
            f.flow
        );
    }
}
