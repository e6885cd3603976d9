//! The token endpoint's grants (authorization code with PKCE, refresh token), userinfo, and
//! revocation: each answers one typed error, which the route maps once to the protocol's JSON.
//!
//! Every guess at a client's secret, a code or a refresh token is counted: an attempt is taken
//! from the client's allowance at this caller's address before anything is checked, and given
//! back when the answer was right, so only wrong answers spend it.

use serde::Serialize;
use tessera_identity::Profile;
use tessera_kernel::attempts::{Allowance, AttemptKey, Guess, Take};
use tessera_kernel::audit::AuditParty;
use tessera_kernel::ports::StoreError;
use tessera_kernel::signing::{signed_jwt, SignError};
use tessera_kernel::time::{Seconds, Timestamp};

use crate::claims;
use crate::client::{Client, ClientId, ClientKind};
use crate::scopes::Scopes;
use crate::tokens::{AuthorizationCode, FamilyToken, Issued, RefreshState, TokenFamily};
use crate::OidcDeps;

/// Wrong answers at the token endpoint per client and caller address.
pub const WRONG_ANSWERS: Allowance = Allowance {
    max: 30,
    window: Seconds::minutes(15),
};

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("invalid_request: {0}")]
    InvalidRequest(String),
    /// The client is unknown or disabled, or its secret is wrong or missing.
    #[error("invalid_client")]
    InvalidClient,
    #[error("invalid_grant: {0}")]
    InvalidGrant(&'static str),
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    #[error("invalid_scope")]
    InvalidScope,
    #[error("too many wrong answers")]
    TooManyAttempts { retry_at: Timestamp },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Sign(#[from] SignError),
}

/// How the client presented itself (RFC 6749 §2.3): HTTP Basic, the form, or only its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCredentials {
    pub client_id: String,
    pub secret: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grant {
    AuthorizationCode {
        code: String,
        redirect_uri: String,
        code_verifier: String,
    },
    RefreshToken {
        refresh_token: String,
        scope: Option<String>,
    },
}

/// The token response (RFC 6749 §5.1, Core §3.1.3.3).
#[derive(Debug, Serialize)]
pub struct Tokens {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub refresh_token: String,
    pub id_token: String,
    pub scope: String,
}

/// Exchanges a grant for tokens. `caller` is the client's address (its wrong answers are counted
/// per client there).
pub async fn exchange(
    deps: &OidcDeps,
    issuer: &str,
    credentials: &ClientCredentials,
    grant: Grant,
    caller: &str,
) -> Result<Tokens, TokenError> {
    let mut guess = Guess::new(deps.attempts.as_ref(), deps.clock.as_ref(), WRONG_ANSWERS);
    let key = AttemptKey::client("oidc-token", &format!("{}#{caller}", credentials.client_id));
    if let Take::Refused { retry_at } = guess.take(key).await? {
        return Err(TokenError::TooManyAttempts { retry_at });
    }
    let client = authenticate(deps, credentials).await?;
    let tokens = match grant {
        Grant::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => redeem(deps, issuer, &client, &code, &redirect_uri, &code_verifier).await?,
        Grant::RefreshToken {
            refresh_token,
            scope,
        } => refresh(deps, issuer, &client, &refresh_token, scope.as_deref()).await?,
    };
    guess.give_back().await?;
    Ok(tokens)
}

/// The client the credentials prove: a confidential client by its secret, a public one by its id
/// alone (PKCE proves the rest).
async fn authenticate(
    deps: &OidcDeps,
    credentials: &ClientCredentials,
) -> Result<Client, TokenError> {
    let id = ClientId::parse(&credentials.client_id).ok_or(TokenError::InvalidClient)?;
    let client = deps
        .store
        .client(&id)
        .await?
        .filter(|c| !c.disabled)
        .ok_or(TokenError::InvalidClient)?;
    let proven = match (client.kind, &credentials.secret) {
        (ClientKind::Confidential, Some(secret)) => client.secret_matches(secret),
        (ClientKind::Public, None) => true,
        _ => false,
    };
    if proven {
        Ok(client)
    } else {
        Err(TokenError::InvalidClient)
    }
}

async fn redeem(
    deps: &OidcDeps,
    issuer: &str,
    client: &Client,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> Result<Tokens, TokenError> {
    let invalid =
        TokenError::InvalidGrant("the code is unknown, spent, expired or not this client's");
    let code =
        AuthorizationCode::parse(code).ok_or(TokenError::InvalidGrant("the code is malformed"))?;
    // Taken away first, whatever follows: a code is tried once.
    let grant = deps
        .store
        .redeem_code(&code.digest())
        .await?
        .ok_or(invalid)?;
    let now = deps.clock.now();
    if grant.client_id != client.id || now >= grant.expires_at {
        return Err(TokenError::InvalidGrant(
            "the code is unknown, spent, expired or not this client's",
        ));
    }
    if grant.redirect_uri != redirect_uri {
        return Err(TokenError::InvalidGrant(
            "redirect_uri is not the one the code was issued to",
        ));
    }
    if !grant.verifier_matches(verifier) {
        return Err(TokenError::InvalidGrant(
            "code_verifier does not match the code_challenge",
        ));
    }
    let profile = live_profile(deps, &grant.account_id, grant.session_epoch).await?;
    let issued = TokenFamily::start(&grant, now, &deps.settings, deps.random.as_ref());
    deps.store.start_family(&issued.family).await?;
    tokens(
        deps,
        issuer,
        &profile,
        issued,
        grant.nonce.as_deref(),
        None,
        now,
    )
    .await
}

async fn refresh(
    deps: &OidcDeps,
    issuer: &str,
    client: &Client,
    presented: &str,
    scope: Option<&str>,
) -> Result<Tokens, TokenError> {
    let invalid =
        TokenError::InvalidGrant("the refresh token is unknown, spent, revoked or expired");
    let token = FamilyToken::parse(presented)
        .ok_or(TokenError::InvalidGrant("the refresh token is malformed"))?;
    let family = deps.store.family(&token.family()).await?;
    let family = family.filter(|f| f.client_id == client.id).ok_or(invalid)?;
    let now = deps.clock.now();
    match family.refresh_state(&token, now) {
        RefreshState::Current => {}
        RefreshState::Ended => {
            return Err(TokenError::InvalidGrant(
                "the refresh token is unknown, spent, revoked or expired",
            ))
        }
        RefreshState::Replayed => {
            // Someone holds a copy of a spent token: neither copy may go on.
            deps.store.revoke_family(&family.id, now).await?;
            tracing::warn!(
                family = family.id.as_str(),
                "a spent refresh token was presented: family revoked"
            );
            return Err(TokenError::InvalidGrant(
                "the refresh token is unknown, spent, revoked or expired",
            ));
        }
    }
    let narrowed = match scope {
        None => None,
        Some(raw) => {
            let asked = Scopes::parse(raw);
            if !asked.within(&family.scopes) || !asked.has("openid") {
                return Err(TokenError::InvalidScope);
            }
            Some(asked)
        }
    };
    let profile = live_profile(deps, &family.account_id, family.session_epoch).await?;
    let issued = family.rotate(now, &deps.settings, deps.random.as_ref());
    if !deps
        .store
        .rotate_family(&issued.family, &family.refresh_digest)
        .await?
    {
        // Another refresh with the same token won the race: this one is the replay.
        deps.store.revoke_family(&family.id, now).await?;
        return Err(TokenError::InvalidGrant(
            "the refresh token is unknown, spent, revoked or expired",
        ));
    }
    tokens(deps, issuer, &profile, issued, None, narrowed, now).await
}

/// The account's profile, if the account still exists and its password has not changed since
/// the sign-in (a new session epoch ends every session and every token family with it).
async fn live_profile(
    deps: &OidcDeps,
    account: &tessera_kernel::ids::AccountId,
    epoch: u64,
) -> Result<Profile, TokenError> {
    deps.accounts
        .profile(account)
        .await?
        .filter(|p| p.session_epoch == epoch)
        .ok_or(TokenError::InvalidGrant(
            "the account signed out everywhere since (a new password), or is gone",
        ))
}

async fn tokens(
    deps: &OidcDeps,
    issuer: &str,
    profile: &Profile,
    issued: Issued,
    nonce: Option<&str>,
    narrowed: Option<Scopes>,
    now: Timestamp,
) -> Result<Tokens, TokenError> {
    let family = &issued.family;
    let access = access_claims(deps, family, profile, now).await?;
    let issuance = claims::Issuance {
        issuer,
        at: now,
        lifetime: deps.settings.id_token,
    };
    let claims = claims::id_token(
        &issuance,
        family,
        profile,
        access.as_ref(),
        nonce,
        &issued.access_token,
    );
    let id_token = signed_jwt(deps.signer.as_ref(), str::to_string, &claims).await?;
    Ok(Tokens {
        access_token: issued.access_token.expose().to_string(),
        token_type: "Bearer",
        expires_in: (family.access_expires_at - now).0,
        refresh_token: issued.refresh_token.expose().to_string(),
        id_token,
        scope: narrowed.unwrap_or_else(|| family.scopes.clone()).to_param(),
    })
}

/// The account's access levels when the family's scopes ask for them (two reads at once: the
/// record and a sponsorship waiting for the address), else none.
async fn access_claims(
    deps: &OidcDeps,
    family: &TokenFamily,
    profile: &Profile,
    now: Timestamp,
) -> Result<Option<claims::AccessClaims>, StoreError> {
    if !family.scopes.has("access") {
        return Ok(None);
    }
    let record =
        tessera_access::flows::current(&deps.access, &family.account_id, &profile.email).await?;
    Ok(Some(claims::AccessClaims::of(&record, now)))
}

#[derive(Debug, thiserror::Error)]
pub enum UserinfoError {
    /// Missing, malformed, unknown, expired or revoked: `WWW-Authenticate: Bearer
    /// error="invalid_token"`.
    #[error("invalid_token")]
    InvalidToken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The claims the access token's scopes grant (Core §5.3).
pub async fn userinfo(
    deps: &OidcDeps,
    access_token: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, UserinfoError> {
    let token = FamilyToken::parse(access_token).ok_or(UserinfoError::InvalidToken)?;
    let family = deps
        .store
        .family(&token.family())
        .await?
        .filter(|f| f.access_valid(&token, deps.clock.now()))
        .ok_or(UserinfoError::InvalidToken)?;
    let profile = deps
        .accounts
        .profile(&family.account_id)
        .await?
        .filter(|p| p.session_epoch == family.session_epoch)
        .ok_or(UserinfoError::InvalidToken)?;
    let access = access_claims(deps, &family, &profile, deps.clock.now()).await?;
    Ok(claims::userinfo(&profile, &family.scopes, access.as_ref()))
}

/// Revocation (RFC 7009): an access or refresh token of the client's revokes its whole family.
/// A token that is unknown, another client's or malformed is answered the same (success), so
/// nothing is learned from the answer.
pub async fn revoke(
    deps: &OidcDeps,
    credentials: &ClientCredentials,
    token: &str,
    caller: &str,
) -> Result<(), TokenError> {
    let mut guess = Guess::new(deps.attempts.as_ref(), deps.clock.as_ref(), WRONG_ANSWERS);
    let key = AttemptKey::client("oidc-token", &format!("{}#{caller}", credentials.client_id));
    if let Take::Refused { retry_at } = guess.take(key).await? {
        return Err(TokenError::TooManyAttempts { retry_at });
    }
    let client = authenticate(deps, credentials).await?;
    guess.give_back().await?;
    let Some(token) = FamilyToken::parse(token) else {
        return Ok(());
    };
    if let Some(family) = deps.store.family(&token.family()).await? {
        if family.client_id == client.id && family.holds(&token) {
            deps.store
                .revoke_family(&family.id, deps.clock.now())
                .await?;
        }
    }
    Ok(())
}

/// Ends the family an ID token's `sid` names, if it is the person's own (RP-initiated logout).
pub async fn end_family(
    deps: &OidcDeps,
    family: &crate::tokens::FamilyId,
    account: &tessera_kernel::ids::AccountId,
) -> Result<(), StoreError> {
    if let Some(found) = deps.store.family(family).await? {
        if &found.account_id == account {
            deps.store
                .revoke_family(&found.id, deps.clock.now())
                .await?;
        }
    }
    Ok(())
}

/// Who an audit event about a client names.
pub fn client_party(id: &ClientId) -> AuditParty {
    AuditParty::new("oidc-client", id.as_str())
}
