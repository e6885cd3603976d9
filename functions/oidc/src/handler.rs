//! The OpenID Connect provider (flow 31): discovery (`/.well-known/openid-configuration`), the
//! JWK Set of the ID-token keys, the authorization endpoint (a page: the person signs in on the
//! portal's own pages, then consents once per client), the token endpoint (authorization code
//! with PKCE, refresh with rotation), userinfo, revocation, RP-initiated logout, and the staff
//! routes where a `program_admin` registers clients.
//!
//! The issuer is the configured public URL (`TESSERA_PUBLIC_URL`), the origin the API and the
//! pages share; its endpoints live under `/oidc/`.

mod clients;
mod console;
mod pages;
mod protocol;

use lambda_http::{Body, Request, Response};
use serde_json::json;
use tessera_http::links::public_base;
use tessera_http::response;
use tessera_http::routing::route_with_params;
use tessera_http::wiring::{FromWiring, Wiring, WiringError};
use tessera_identity::signup::IdentityDeps;
use tessera_oidc::OidcDeps;

/// The routes' secrets: none beyond the edge layer's (the signing keys never leave KMS; the
/// session checks need no pepper).
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets::HTTP;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Discovery,
    Keys,
    Authorize,
    Consent,
    Token,
    UserinfoGet,
    UserinfoPost,
    Revoke,
    Logout,
    EndSession,
    RegisterClient,
    ListClients,
    DisableClient,
    ConsoleClients,
    ConsoleRegister,
    ConsoleDisable,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("GET", "/.well-known/openid-configuration", Route::Discovery),
    ("GET", "/oidc/jwks.json", Route::Keys),
    ("GET", "/oidc/authorize", Route::Authorize),
    ("POST", "/oidc/authorize", Route::Consent),
    ("POST", "/oidc/token", Route::Token),
    ("GET", "/oidc/userinfo", Route::UserinfoGet),
    ("POST", "/oidc/userinfo", Route::UserinfoPost),
    ("POST", "/oidc/revoke", Route::Revoke),
    ("GET", "/oidc/logout", Route::Logout),
    ("POST", "/oidc/logout", Route::EndSession),
    ("POST", "/v1/staff/oidc-clients", Route::RegisterClient),
    ("GET", "/v1/staff/oidc-clients", Route::ListClients),
    (
        "POST",
        "/v1/staff/oidc-clients/{id}/disable",
        Route::DisableClient,
    ),
    // The staff console's page for them.
    ("GET", "/staff/oidc-clients", Route::ConsoleClients),
    ("POST", "/staff/oidc-clients", Route::ConsoleRegister),
    (
        "POST",
        "/staff/oidc-clients/{id}/disable",
        Route::ConsoleDisable,
    ),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

#[derive(Clone)]
pub struct OidcState {
    /// Sessions (the pages' and staff callers').
    pub identity: IdentityDeps,
    pub oidc: OidcDeps,
    pub public_url: Option<String>,
}

impl FromWiring for OidcState {
    fn from_wiring<W: Wiring + ?Sized>(wiring: &W) -> Result<Self, WiringError> {
        Ok(OidcState {
            identity: wiring.identity_deps()?,
            oidc: wiring.oidc_deps()?,
            public_url: wiring.config().public_url.clone(),
        })
    }
}

pub async fn handle(request: Request, state: OidcState) -> Response<Body> {
    let (route, params) =
        match route_with_params(&request, ROUTES, tessera_kernel::random_id::is_well_formed) {
            Ok(found) => found,
            Err(problem) => return problem.into_response(),
        };
    let issuer = match public_base(state.public_url.as_deref(), &request) {
        Ok(base) => base,
        Err(problem) => return problem.into_response(),
    };
    match route {
        Route::Discovery => response::json(200, &discovery(&issuer)),
        Route::Keys => match state.oidc.signer.public_keys().await {
            Ok(keys) => response::json(200, &json!({ "keys": keys })),
            Err(e) => tessera_http::Problem::internal(&e).into_response(),
        },
        Route::Authorize => pages::authorize(&request, &state, &issuer).await,
        Route::Consent => pages::consent(&request, &state, &issuer).await,
        Route::Logout => pages::logout(&request, &state).await,
        Route::EndSession => pages::end_session(&request, &state).await,
        Route::Token => protocol::token(&request, &state, &issuer).await,
        Route::UserinfoGet | Route::UserinfoPost => protocol::userinfo(&request, &state).await,
        Route::Revoke => protocol::revoke(&request, &state).await,
        Route::RegisterClient => clients::register(&request, &state).await,
        Route::ListClients => clients::list(&request, &state).await,
        Route::DisableClient => clients::disable(&request, &state, &params[0]).await,
        Route::ConsoleClients | Route::ConsoleRegister | Route::ConsoleDisable => {
            let posted = match route {
                Route::ConsoleRegister => Some(console::Action::Register),
                Route::ConsoleDisable => Some(console::Action::Disable(&params[0])),
                _ => None,
            };
            tessera_web::console::serve(&request, &state, state.oidc.random.as_ref(), posted).await
        }
    }
}

/// The provider's metadata (OpenID Connect Discovery 1.0 §3).
fn discovery(issuer: &str) -> serde_json::Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/oidc/authorize"),
        "token_endpoint": format!("{issuer}/oidc/token"),
        "userinfo_endpoint": format!("{issuer}/oidc/userinfo"),
        "jwks_uri": format!("{issuer}/oidc/jwks.json"),
        "revocation_endpoint": format!("{issuer}/oidc/revoke"),
        "end_session_endpoint": format!("{issuer}/oidc/logout"),
        "scopes_supported": tessera_oidc::scopes::SUPPORTED,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "sid", "amr", "at_hash",
            "name", "given_name", "family_name", "preferred_username", "email", "email_verified",
            "access_levels", "access_resources"
        ],
        "authorization_response_iss_parameter_supported": true,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "claims_parameter_supported": false,
    })
}
