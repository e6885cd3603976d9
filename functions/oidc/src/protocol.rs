//! The provider's machine-to-machine endpoints: token (RFC 6749 §3.2, OpenID Connect Core
//! §3.1.3), userinfo (Core §5.3) and revocation (RFC 7009). Each answers the protocol's own
//! error JSON (`{error, error_description}`), mapped once here from the flow's error.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use lambda_http::http::header::AUTHORIZATION;
use lambda_http::{Body, Request, Response};
use serde_json::json;
use tessera_http::client::{client_address, limit_by};
use tessera_http::{response, Problem};
use tessera_kernel::client_limits::{ClientCounting, ClientRequest};
use tessera_kernel::time::Timestamp;
use tessera_oidc::grants::{self, ClientCredentials, Grant, TokenError, UserinfoError};
use tessera_web::Form;

use crate::OidcState;

/// The protocol's error answer.
fn oauth_error(status: u16, error: &str, description: &str) -> Response<Body> {
    let mut answer = response::json(
        status,
        &json!({ "error": error, "error_description": description }),
    );
    answer
        .headers_mut()
        .insert("pragma", "no-cache".parse().expect("a header value"));
    answer
}

fn token_error(e: TokenError, now: Timestamp) -> Response<Body> {
    match e {
        TokenError::InvalidRequest(why) => oauth_error(400, "invalid_request", &why),
        TokenError::InvalidClient => {
            let mut answer = oauth_error(
                401,
                "invalid_client",
                "the client is unknown or its credentials are wrong",
            );
            answer.headers_mut().insert(
                "www-authenticate",
                "Basic realm=\"tessera\"".parse().expect("a header value"),
            );
            answer
        }
        TokenError::InvalidGrant(why) => oauth_error(400, "invalid_grant", why),
        TokenError::UnsupportedGrantType => oauth_error(
            400,
            "unsupported_grant_type",
            "grant_type is authorization_code or refresh_token",
        ),
        TokenError::InvalidScope => {
            oauth_error(400, "invalid_scope", "more scope than was granted")
        }
        // As every per-client limit answers (problem+json with `Retry-After`).
        TokenError::TooManyAttempts { retry_at } => {
            Problem::too_many_attempts((retry_at - now).0.max(1)).into_response()
        }
        TokenError::Store(e) => Problem::internal(&e).into_response(),
        TokenError::Sign(e) => Problem::internal(&e).into_response(),
    }
}

/// Every request to these endpoints checks a secret: each is taken from its client address's
/// allowance first (`TESSERA_CLIENT_TOKENS`), as the other unauthenticated routes that check one.
async fn limited(request: &Request, state: &OidcState) -> Result<(), Response<Body>> {
    let identity = &state.identity;
    let counting = ClientCounting {
        attempts: identity.attempts.as_ref(),
        leases: &identity.client_leases,
        limits: &identity.settings.client_limits,
    };
    limit_by(
        request,
        counting,
        ClientRequest::Tokens,
        identity.clock.now(),
    )
    .await
    .map_err(Problem::into_response)
}

/// The request's form and the client's credentials: HTTP Basic (each part form-encoded, RFC 6749
/// §2.3.1) or `client_id` (and `client_secret`) in the form, never both.
fn form_and_client(request: &Request) -> Result<(Form, ClientCredentials), TokenError> {
    let form = Form::from_request(request).map_err(|_| {
        TokenError::InvalidRequest(
            "the body must be a form (application/x-www-form-urlencoded)".into(),
        )
    })?;
    let basic = match request.headers().get(AUTHORIZATION) {
        None => None,
        Some(value) => Some(
            basic_credentials(value.to_str().unwrap_or_default())
                .ok_or(TokenError::InvalidClient)?,
        ),
    };
    let in_form = form.get("client_id").map(|id| ClientCredentials {
        client_id: id.to_string(),
        secret: form.get("client_secret").map(str::to_string),
    });
    let credentials = match (basic, in_form) {
        (Some(_), Some(_)) => {
            return Err(TokenError::InvalidRequest(
                "the client authenticates one way only".into(),
            ))
        }
        (Some(c), None) | (None, Some(c)) => c,
        (None, None) => return Err(TokenError::InvalidClient),
    };
    Ok((form, credentials))
}

fn basic_credentials(header: &str) -> Option<ClientCredentials> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| -> String {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some(ClientCredentials {
        client_id: unescape(id),
        secret: Some(unescape(secret)),
    })
}

fn required(form: &Form, name: &str) -> Result<String, TokenError> {
    form.get(name)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .ok_or_else(|| TokenError::InvalidRequest(format!("{name} is required")))
}

pub async fn token(request: &Request, state: &OidcState, issuer: &str) -> Response<Body> {
    if let Err(refused) = limited(request, state).await {
        return refused;
    }
    let exchange = async {
        let (form, credentials) = form_and_client(request)?;
        let grant = match form.get("grant_type") {
            Some("authorization_code") => Grant::AuthorizationCode {
                code: required(&form, "code")?,
                redirect_uri: required(&form, "redirect_uri")?,
                code_verifier: required(&form, "code_verifier")?,
            },
            Some("refresh_token") => Grant::RefreshToken {
                refresh_token: required(&form, "refresh_token")?,
                scope: form.get("scope").map(str::to_string),
            },
            Some(_) => return Err(TokenError::UnsupportedGrantType),
            None => return Err(TokenError::InvalidRequest("grant_type is required".into())),
        };
        grants::exchange(
            &state.oidc,
            issuer,
            &credentials,
            grant,
            &client_address(request),
        )
        .await
    };
    match exchange.await {
        Ok(tokens) => {
            let mut answer = response::json(200, &tokens);
            answer
                .headers_mut()
                .insert("pragma", "no-cache".parse().expect("a header value"));
            answer
        }
        Err(e) => token_error(e, state.oidc.clock.now()),
    }
}

/// The access token from `Authorization: Bearer`, or (POST) the form's `access_token` (RFC 6750
/// §2.2); never from the URL.
fn access_token(request: &Request) -> Option<String> {
    if let Some(value) = request.headers().get(AUTHORIZATION) {
        let (scheme, token) = value.to_str().ok()?.trim().split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_string());
    }
    if request.method() == "POST" {
        return Form::from_request(request)
            .ok()?
            .get("access_token")
            .map(str::to_string);
    }
    None
}

pub async fn userinfo(request: &Request, state: &OidcState) -> Response<Body> {
    if let Err(refused) = limited(request, state).await {
        return refused;
    }
    let found = match access_token(request) {
        Some(token) => grants::userinfo(&state.oidc, &token).await,
        None => Err(UserinfoError::InvalidToken),
    };
    match found {
        Ok(claims) => response::json(200, &claims),
        Err(UserinfoError::InvalidToken) => {
            let mut answer = oauth_error(
                401,
                "invalid_token",
                "the access token is missing, unknown, expired or revoked",
            );
            answer.headers_mut().insert(
                "www-authenticate",
                "Bearer error=\"invalid_token\""
                    .parse()
                    .expect("a header value"),
            );
            answer
        }
        Err(UserinfoError::Store(e)) => Problem::internal(&e).into_response(),
    }
}

pub async fn revoke(request: &Request, state: &OidcState) -> Response<Body> {
    if let Err(refused) = limited(request, state).await {
        return refused;
    }
    let revoked = async {
        let (form, credentials) = form_and_client(request)?;
        let token = required(&form, "token")?;
        grants::revoke(&state.oidc, &credentials, &token, &client_address(request)).await
    };
    match revoked.await {
        Ok(()) => response::empty(200),
        Err(e) => token_error(e, state.oidc.clock.now()),
    }
}
