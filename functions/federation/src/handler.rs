//! Federated sign-in (flow 32): the person whose email's domain an organisation's provider signs
//! in is sent there from the log-in page (`GET /federation/start`), and comes back with a code
//! (`GET /federation/callback`), signed in to the portal; and the staff routes where a
//! `program_admin` registers those providers with their domains.
//!
//! - `GET /federation/start?email=&next=` → 303 to the organisation's authorization endpoint
//! - `GET /federation/callback?state=&code=` → 303 to `next` (the account by default), signed in
//! - `POST /v1/staff/federation-providers` `{name, issuer, client_id, client_secret?, domains,
//!   default_country, reason}` → 201 the provider (never its secret)
//! - `GET /v1/staff/federation-providers` → every provider, newest first
//! - `POST /v1/staff/federation-providers/{id}/disable` `{reason}` → 200: its domains sign in
//!   with passwords again
//!
//! and the staff console's page for them, `/staff/federation-providers`.

mod console;
mod pages;
mod providers;

use lambda_http::{Body, Request, Response};
use tessera_federation::flows::FederationDeps;
use tessera_http::routing::route_with_params;
use tessera_http::wiring::{FromWiring, Wiring, WiringError};

/// The sealing keys (an organisation's client secret is sealed with them, as authenticator
/// seeds are), and the edge layer's secret as every HTTP function.
pub const SECRETS: tessera_http::config::Secrets = tessera_http::config::Secrets {
    seed_keys: true,
    ..tessera_http::config::Secrets::HTTP
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Start,
    Callback,
    Register,
    List,
    Disable,
    ConsoleProviders,
    ConsoleRegister,
    ConsoleDisable,
}

const ROUTES: &[tessera_http::routing::Route<Route>] = &[
    ("GET", "/federation/start", Route::Start),
    ("GET", "/federation/callback", Route::Callback),
    ("POST", "/v1/staff/federation-providers", Route::Register),
    ("GET", "/v1/staff/federation-providers", Route::List),
    (
        "POST",
        "/v1/staff/federation-providers/{id}/disable",
        Route::Disable,
    ),
    // The staff console's page for them.
    (
        "GET",
        "/staff/federation-providers",
        Route::ConsoleProviders,
    ),
    (
        "POST",
        "/staff/federation-providers",
        Route::ConsoleRegister,
    ),
    (
        "POST",
        "/staff/federation-providers/{id}/disable",
        Route::ConsoleDisable,
    ),
];

/// The (method, path) pairs this function serves: held to the template's routes by a test.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    tessera_http::routing::pairs(ROUTES)
}

#[derive(Clone)]
pub struct FederationState {
    pub federation: FederationDeps,
    pub public_url: Option<String>,
}

impl FromWiring for FederationState {
    fn from_wiring<W: Wiring + ?Sized>(wiring: &W) -> Result<Self, WiringError> {
        Ok(FederationState {
            federation: wiring.federation_deps()?,
            public_url: wiring.config().public_url.clone(),
        })
    }
}

pub async fn handle(request: Request, state: FederationState) -> Response<Body> {
    let (route, params) =
        match route_with_params(&request, ROUTES, tessera_kernel::random_id::is_well_formed) {
            Ok(found) => found,
            Err(problem) => return problem.into_response(),
        };
    match route {
        Route::Start => pages::start(&request, &state).await,
        Route::Callback => pages::callback(&request, &state).await,
        Route::Register => providers::register(&request, &state).await,
        Route::List => providers::list(&request, &state).await,
        Route::Disable => providers::disable(&request, &state, &params[0]).await,
        Route::ConsoleProviders | Route::ConsoleRegister | Route::ConsoleDisable => {
            let posted = match route {
                Route::ConsoleRegister => Some(console::Action::Register),
                Route::ConsoleDisable => Some(console::Action::Disable(&params[0])),
                _ => None,
            };
            let random = state.federation.identity.random.clone();
            tessera_web::console::serve(&request, &state, random.as_ref(), posted).await
        }
    }
}
