//! The authorization endpoint: the request checked in the order OpenID Connect Core §3.1.2
//! requires (what cannot be trusted to redirect is shown to the person; everything after is
//! sent back to the client), what to do with it given the person's session and consent, and the
//! code issued.

use std::collections::HashMap;

use tessera_identity::session::Session;
use tessera_identity::Profile;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::Timestamp;

use crate::client::{Client, ClientId};
use crate::scopes::Scopes;
use crate::tokens::{AuthorizationCode, CodeGrant};
use crate::OidcDeps;

const MAX_NONCE: usize = 512;
const MAX_STATE: usize = 1024;

/// `prompt` (Core §3.1.2.1): `none` may not be combined with another value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
}

/// A checked authorization request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub client: Client,
    pub redirect_uri: String,
    pub scopes: Scopes,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub prompt: Prompt,
    /// Seconds since the person signed in beyond which they sign in again.
    pub max_age: Option<i64>,
}

/// An error the client receives at its redirect URI (RFC 6749 §4.1.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorRedirect {
    pub redirect_uri: String,
    pub error: &'static str,
    pub description: String,
    pub state: Option<String>,
}

impl ErrorRedirect {
    /// Where the browser goes: the redirect URI with the error, the state and the issuer.
    pub fn location(&self, issuer: &str) -> String {
        let mut pairs = vec![
            ("error", self.error),
            ("error_description", &self.description),
        ];
        if let Some(state) = &self.state {
            pairs.push(("state", state));
        }
        pairs.push(("iss", issuer));
        with_query(&self.redirect_uri, &pairs)
    }
}

/// Why a request was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No client, or no redirect URI registered for it: nothing may be sent back, so the
    /// person is told (Core §3.1.2.6).
    Shown(String),
    Redirect(ErrorRedirect),
}

/// What to do with a checked request, given the visit's session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Sign in first (again, for `prompt=login` or `max_age`), then come back.
    LogIn,
    /// Ask the person to consent to the scopes.
    AskConsent,
    /// Issue the code.
    Issue,
    Refuse(ErrorRedirect),
}

/// The query's parameters, each name at most once (a repeated one is refused).
pub struct Params(HashMap<String, String>, Vec<String>);

impl Params {
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Params {
        let mut map = HashMap::new();
        let mut repeated = Vec::new();
        for (name, value) in pairs {
            match map.entry(name) {
                std::collections::hash_map::Entry::Occupied(taken) => {
                    repeated.push(taken.key().clone())
                }
                std::collections::hash_map::Entry::Vacant(free) => {
                    free.insert(value);
                }
            }
        }
        Params(map, repeated)
    }

    /// A parameter given once and not empty (an empty one is as if absent, RFC 6749 §3.1).
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn repeated(&self, name: &str) -> bool {
        self.1.iter().any(|n| n == name)
    }

    /// The client the request names, if well formed (the caller looks it up).
    pub fn client_id(&self) -> Option<ClientId> {
        if self.repeated("client_id") {
            return None;
        }
        self.get("client_id").and_then(ClientId::parse)
    }
}

/// Checks a request whose `client_id` named `client` (None: no such enabled client).
pub fn check(params: &Params, client: Option<Client>) -> Result<AuthorizationRequest, Refusal> {
    let client = client.filter(|c| !c.disabled).ok_or_else(|| {
        Refusal::Shown("The application that sent you here is not registered.".into())
    })?;
    let redirect_uri = match params.get("redirect_uri") {
        Some(uri) if !params.repeated("redirect_uri") && client.allows_redirect(uri) => uri.to_string(),
        _ => {
            return Err(Refusal::Shown(
                "The application that sent you here gave an address to return to that it has not registered.".into(),
            ))
        }
    };
    let state = params
        .get("state")
        .filter(|s| s.len() <= MAX_STATE && !params.repeated("state"))
        .map(str::to_string);
    let refuse = |error: &'static str, description: &str| {
        Refusal::Redirect(ErrorRedirect {
            redirect_uri: redirect_uri.clone(),
            error,
            description: description.to_string(),
            state: state.clone(),
        })
    };
    if let Some(name) = params.1.first() {
        return Err(refuse(
            "invalid_request",
            &format!("{name} is given more than once"),
        ));
    }
    if params.get("state").is_some_and(|s| s.len() > MAX_STATE) {
        return Err(refuse("invalid_request", "state is too long"));
    }
    if params.get("request").is_some() {
        return Err(refuse(
            "request_not_supported",
            "request objects are not supported",
        ));
    }
    if params.get("request_uri").is_some() {
        return Err(refuse(
            "request_uri_not_supported",
            "request_uri is not supported",
        ));
    }
    if params.get("response_type") != Some("code") {
        return Err(refuse(
            "unsupported_response_type",
            "only the authorization code flow (response_type=code) is supported",
        ));
    }
    if params.get("response_mode").is_some_and(|m| m != "query") {
        return Err(refuse(
            "invalid_request",
            "only response_mode=query is supported",
        ));
    }
    let scopes = Scopes::parse(params.get("scope").unwrap_or_default());
    if !scopes.has("openid") {
        return Err(refuse("invalid_scope", "the openid scope is required"));
    }
    if params.get("code_challenge_method") != Some("S256") {
        return Err(refuse(
            "invalid_request",
            "PKCE is required, with code_challenge_method=S256",
        ));
    }
    let code_challenge = match params.get("code_challenge") {
        Some(c)
            if c.len() == 43
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            c.to_string()
        }
        _ => {
            return Err(refuse(
                "invalid_request",
                "code_challenge must be a base64url SHA-256 digest (43 characters)",
            ))
        }
    };
    let nonce = params.get("nonce").map(str::to_string);
    if nonce.as_ref().is_some_and(|n| n.len() > MAX_NONCE) {
        return Err(refuse("invalid_request", "nonce is too long"));
    }
    let mut prompt = Prompt::default();
    for value in params
        .get("prompt")
        .unwrap_or_default()
        .split(' ')
        .filter(|v| !v.is_empty())
    {
        match value {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            // One account per person: there is nothing to select.
            "select_account" => {}
            _ => return Err(refuse("invalid_request", "prompt has an unknown value")),
        }
    }
    if prompt.none && (prompt.login || prompt.consent) {
        return Err(refuse(
            "invalid_request",
            "prompt=none cannot be combined with other values",
        ));
    }
    let max_age = match params.get("max_age") {
        None => None,
        Some(raw) => match raw.parse::<i64>() {
            Ok(age) if age >= 0 => Some(age),
            _ => {
                return Err(refuse(
                    "invalid_request",
                    "max_age must be a whole number of seconds",
                ))
            }
        },
    };
    Ok(AuthorizationRequest {
        client,
        redirect_uri,
        scopes,
        state,
        nonce,
        code_challenge,
        prompt,
        max_age,
    })
}

impl AuthorizationRequest {
    fn refusal(&self, error: &'static str, description: &str) -> Decision {
        Decision::Refuse(ErrorRedirect {
            redirect_uri: self.redirect_uri.clone(),
            error,
            description: description.to_string(),
            state: self.state.clone(),
        })
    }

    /// What to do, given the visit's live session (if any) and the scopes the person already
    /// consented to give this client.
    pub fn decide(
        &self,
        session: Option<&Session>,
        consented: Option<&Scopes>,
        now: Timestamp,
    ) -> Decision {
        let too_old = |s: &Session| self.max_age.is_some_and(|age| (now - s.created_at).0 > age);
        match session {
            None if self.prompt.none => {
                self.refusal("login_required", "the person is not signed in")
            }
            None => Decision::LogIn,
            Some(s) if self.prompt.none && too_old(s) => {
                self.refusal("login_required", "the person signed in too long ago")
            }
            Some(s) if self.prompt.login || too_old(s) => Decision::LogIn,
            Some(_) => {
                let covered = consented.is_some_and(|c| self.scopes.within(c));
                if covered && !self.prompt.consent {
                    Decision::Issue
                } else if self.prompt.none {
                    self.refusal(
                        "consent_required",
                        "the person has not consented to this application",
                    )
                } else {
                    Decision::AskConsent
                }
            }
        }
    }

    /// Issues a code for the person's session, and answers where the browser goes next.
    pub async fn issue_code(
        &self,
        deps: &OidcDeps,
        issuer: &str,
        session: &Session,
        profile: &Profile,
    ) -> Result<String, StoreError> {
        let now = deps.clock.now();
        let code = AuthorizationCode::generate(deps.random.as_ref());
        deps.store
            .save_code(&CodeGrant {
                code_digest: code.digest(),
                client_id: self.client.id.clone(),
                redirect_uri: self.redirect_uri.clone(),
                account_id: profile.account_id.clone(),
                scopes: self.scopes.clone(),
                nonce: self.nonce.clone(),
                code_challenge: self.code_challenge.clone(),
                auth_time: session.created_at,
                second_factor: session.second_factor,
                session_epoch: profile.session_epoch,
                expires_at: now + deps.settings.code,
            })
            .await?;
        let mut pairs = vec![("code", code.expose())];
        if let Some(state) = &self.state {
            pairs.push(("state", state));
        }
        // RFC 9207: the client can tell which provider answered.
        pairs.push(("iss", issuer));
        Ok(with_query(&self.redirect_uri, &pairs))
    }
}

/// `uri` with `pairs` added to its query (a registered URI may carry a query of its own).
fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    match url::Url::parse(uri) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(pairs);
            url.to_string()
        }
        Err(_) => uri.to_string(),
    }
}

/// The request's query for coming back after signing in: as it was, without what asked for the
/// sign-in itself (`prompt=login`, `max_age`), so the fresh sign-in is not asked for again.
pub fn query_after_log_in(pairs: &[(String, String)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        let asks_log_in =
            name == "max_age" || (name == "prompt" && value.split(' ').any(|v| v == "login"));
        if !asks_log_in {
            query.append_pair(name, value);
        }
    }
    query.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_kernel::ids::AccountId;

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn client() -> Client {
        Client {
            id: ClientId::parse("0123456789abcdef0123456789abcdef").unwrap(),
            name: "App".into(),
            kind: crate::client::ClientKind::Public,
            secret_digest: None,
            redirect_uris: vec!["https://app.example/cb".into()],
            post_logout_redirect_uris: vec![],
            created_at: Timestamp(0),
            created_by: AccountId::from_stored("fedcba9876543210fedcba9876543210".into()),
            disabled: false,
        }
    }

    fn params(extra: &[(&str, &str)]) -> Params {
        let mut pairs: Vec<(String, String)> = [
            ("client_id", "0123456789abcdef0123456789abcdef"),
            ("redirect_uri", "https://app.example/cb"),
            ("response_type", "code"),
            ("scope", "openid email"),
            ("state", "s"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
        for (name, value) in extra {
            pairs.retain(|(n, _)| n != name);
            if !value.is_empty() {
                pairs.push((name.to_string(), value.to_string()));
            }
        }
        Params::from_pairs(pairs)
    }

    fn error_of(result: Result<AuthorizationRequest, Refusal>) -> &'static str {
        match result {
            Err(Refusal::Redirect(e)) => {
                assert_eq!(e.state.as_deref(), Some("s"), "the state goes back");
                e.error
            }
            other => panic!("not a redirected refusal: {other:?}"),
        }
    }

    fn session(created_at: i64) -> Session {
        Session {
            token_digest: "d".into(),
            account_id: AccountId::from_stored("fedcba9876543210fedcba9876543210".into()),
            epoch: 0,
            created_at: Timestamp(created_at),
            last_seen_at: Timestamp(created_at),
            expires_at: Timestamp(created_at + 3600),
            second_factor: false,
        }
    }

    #[test]
    fn what_cannot_be_trusted_is_shown_and_never_redirected_to() {
        assert!(matches!(check(&params(&[]), None), Err(Refusal::Shown(_))));
        let mut disabled = client();
        disabled.disabled = true;
        assert!(matches!(
            check(&params(&[]), Some(disabled)),
            Err(Refusal::Shown(_))
        ));
        for uri in ["https://app.example/cb/", "https://evil.example/cb", ""] {
            let r = check(&params(&[("redirect_uri", uri)]), Some(client()));
            assert!(matches!(r, Err(Refusal::Shown(_))), "{uri:?}");
        }
    }

    #[test]
    fn the_protocol_refuses_what_it_forbids_at_the_client() {
        let c = || Some(client());
        assert_eq!(
            error_of(check(&params(&[("response_type", "token")]), c())),
            "unsupported_response_type"
        );
        assert_eq!(
            error_of(check(&params(&[("scope", "email")]), c())),
            "invalid_scope"
        );
        assert_eq!(
            error_of(check(&params(&[("code_challenge_method", "plain")]), c())),
            "invalid_request"
        );
        assert_eq!(
            error_of(check(&params(&[("code_challenge_method", "")]), c())),
            "invalid_request"
        );
        assert_eq!(
            error_of(check(&params(&[("code_challenge", "short")]), c())),
            "invalid_request"
        );
        assert_eq!(
            error_of(check(&params(&[("prompt", "none login")]), c())),
            "invalid_request"
        );
        assert_eq!(
            error_of(check(&params(&[("max_age", "-1")]), c())),
            "invalid_request"
        );
        assert_eq!(
            error_of(check(&params(&[("request", "eyJ")]), c())),
            "request_not_supported"
        );
        let mut repeated = params(&[]);
        repeated.1.push("scope".into());
        assert_eq!(error_of(check(&repeated, c())), "invalid_request");
        let ok = check(&params(&[("nonce", "n")]), c()).unwrap();
        assert_eq!(ok.nonce.as_deref(), Some("n"));
        assert_eq!(ok.scopes.to_param(), "email openid");
    }

    #[test]
    fn the_decision_follows_the_session_the_prompt_and_the_consent() {
        let request = check(&params(&[]), Some(client())).unwrap();
        let consented = Scopes::parse("openid email");
        let now = Timestamp(10_000);
        assert_eq!(request.decide(None, None, now), Decision::LogIn);
        assert_eq!(
            request.decide(Some(&session(9_000)), None, now),
            Decision::AskConsent
        );
        assert_eq!(
            request.decide(Some(&session(9_000)), Some(&consented), now),
            Decision::Issue
        );
        let narrower = Scopes::parse("openid");
        assert_eq!(
            request.decide(Some(&session(9_000)), Some(&narrower), now),
            Decision::AskConsent
        );

        let none = check(&params(&[("prompt", "none")]), Some(client())).unwrap();
        assert!(
            matches!(none.decide(None, None, now), Decision::Refuse(e) if e.error == "login_required")
        );
        assert!(
            matches!(none.decide(Some(&session(9_000)), None, now), Decision::Refuse(e) if e.error == "consent_required")
        );

        let login = check(&params(&[("prompt", "login")]), Some(client())).unwrap();
        assert_eq!(
            login.decide(Some(&session(9_000)), Some(&consented), now),
            Decision::LogIn
        );
        let recent = check(&params(&[("max_age", "600")]), Some(client())).unwrap();
        assert_eq!(
            recent.decide(Some(&session(9_000)), Some(&consented), now),
            Decision::LogIn
        );
        assert_eq!(
            recent.decide(Some(&session(9_500)), Some(&consented), now),
            Decision::Issue
        );
    }

    #[test]
    fn coming_back_after_signing_in_does_not_ask_for_it_again() {
        let pairs: Vec<(String, String)> = [
            ("client_id", "c"),
            ("prompt", "login"),
            ("max_age", "0"),
            ("state", "a b"),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
        assert_eq!(query_after_log_in(&pairs), "client_id=c&state=a+b");
    }

    #[test]
    fn an_error_goes_back_with_the_state_and_the_issuer() {
        let e = ErrorRedirect {
            redirect_uri: "https://app.example/cb?tenant=1".into(),
            error: "access_denied",
            description: "no".into(),
            state: Some("s".into()),
        };
        assert_eq!(
            e.location("https://id.example"),
            "https://app.example/cb?tenant=1&error=access_denied&error_description=no&state=s&iss=https%3A%2F%2Fid.example"
        );
    }
}
