//! Signing in through an organisation's provider (flow 32), as a relying party: the email's
//! domain finds the provider; the person is sent to it with a `state`, a `nonce` and a PKCE
//! challenge; when it sends them back with a code, the code is redeemed, the ID token checked,
//! and the account with the address the provider verified is signed in: made at the first
//! sign-in, or an existing one linked (it becomes federated: its password stops working and its
//! security settings go, as its organisation manages them now). An unverified address links
//! nothing.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use tessera_identity::account::{AccountStatus, Identity, Profile, Username};
use tessera_identity::password::PasswordHash;
use tessera_identity::ports::UniqueWriteError;
use tessera_identity::session::{Session, SessionToken};
use tessera_identity::signup::IdentityDeps;
use tessera_kernel::audit::{AuditEvent, AuditId, AuditLog, AuditParty, FieldChange, Reason};
use tessera_kernel::email::Email;
use tessera_kernel::ids::AccountId;
use tessera_kernel::person::Name;
use tessera_kernel::ports::StoreError;
use tessera_kernel::time::{Seconds, Timestamp};

use crate::id_token::{self, Expected, Person};
use crate::ports::{FederationStore, IssuerError, IssuerMetadata, Issuers, PendingLogin};
use crate::provider::{domain_of, OrgProvider};

/// How long a person has at their organisation's sign-in page.
pub const LOGIN_WINDOW: Seconds = Seconds::minutes(10);

/// A write lost to a parallel one is read again and tried this often.
const RETRIES: usize = 3;

#[derive(Clone)]
pub struct FederationDeps {
    pub store: Arc<dyn FederationStore>,
    pub issuers: Arc<dyn Issuers>,
    /// Accounts, sessions, the keys client secrets are sealed with, the clock and randomness.
    pub identity: IdentityDeps,
    pub audit: Arc<dyn AuditLog>,
}

fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn random_hex(deps: &FederationDeps, bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    deps.identity.random.fill(&mut buffer);
    hex::encode(buffer)
}

/// The enabled provider that signs in people with `email`'s domain, if any.
pub async fn provider_for(
    deps: &FederationDeps,
    email: &Email,
) -> Result<Option<OrgProvider>, StoreError> {
    deps.store.provider_for_domain(domain_of(email)).await
}

/// The provider's discovery document, held to the issuer it was registered with (Discovery §4.3).
async fn metadata(
    deps: &FederationDeps,
    provider: &OrgProvider,
) -> Result<IssuerMetadata, IssuerError> {
    let metadata = deps.issuers.metadata(&provider.issuer).await?;
    if metadata.issuer.trim_end_matches('/') != provider.issuer.trim_end_matches('/') {
        return Err(IssuerError::Refused(format!(
            "its discovery document names the issuer {}",
            metadata.issuer
        )));
    }
    Ok(metadata)
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("no provider signs in this address's domain")]
    NotFederated,
    #[error(transparent)]
    Provider(#[from] IssuerError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A sign-in sent on its way: where to send the person, and the `state` the browser must bring
/// back (the pages keep it in a cookie, so a callback another browser was sent to fails).
#[derive(Debug)]
pub struct Started {
    pub url: String,
    pub state: String,
}

/// Where to send the person with `email` to sign in at their organisation (its authorization
/// endpoint, with this sign-in's `state`, `nonce` and PKCE challenge); `redirect_uri` is this
/// site's callback, as registered at the provider.
pub async fn start(
    deps: &FederationDeps,
    email: &Email,
    next: Option<&str>,
    redirect_uri: &str,
) -> Result<Started, StartError> {
    let provider = provider_for(deps, email)
        .await?
        .ok_or(StartError::NotFederated)?;
    let metadata = metadata(deps, &provider).await?;
    let state = random_hex(deps, 32);
    let nonce = random_hex(deps, 16);
    let mut verifier = [0u8; 32];
    deps.identity.random.fill(&mut verifier);
    let code_verifier = URL_SAFE_NO_PAD.encode(verifier);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(code_verifier.as_bytes()));
    let mut url = url::Url::parse(&metadata.authorization_endpoint)
        .map_err(|_| IssuerError::Refused("its authorization endpoint is not an address".into()))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &provider.client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", "openid email profile")
        .append_pair("state", &state)
        .append_pair("nonce", &nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("login_hint", email.as_str());
    deps.store
        .save_login(&PendingLogin {
            state_digest: digest(&state),
            provider: provider.id.clone(),
            nonce,
            code_verifier,
            next: next.map(str::to_string),
            expires_at: deps.identity.clock.now() + LOGIN_WINDOW,
        })
        .await?;
    Ok(Started {
        url: url.into(),
        state,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum FinishError {
    /// Unknown, used or expired `state`: this browser did not start the sign-in, or took too
    /// long.
    #[error("this sign-in was not started here, was finished already, or took too long")]
    UnknownState,
    #[error("the organisation's provider is no longer enabled")]
    ProviderGone,
    #[error(transparent)]
    Provider(#[from] IssuerError),
    #[error(transparent)]
    Refused(#[from] id_token::Refused),
    /// The provider verified no address, or one outside its domains: it cannot vouch for it.
    #[error("the provider did not vouch for an address of its own domains")]
    NotVouched,
    #[error("the account is disabled")]
    AccountDisabled,
    /// A staff account is not linked to an organisation's provider.
    #[error("a staff account signs in with its own password and authenticator")]
    StaffAccount,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Signed in: the session, and where the person was going.
#[derive(Debug)]
pub struct SignedIn {
    pub token: SessionToken,
    pub expires_at: Timestamp,
    pub account_id: AccountId,
    pub next: Option<String>,
}

/// The provider sent the person back with `code` for the sign-in `state` names.
pub async fn finish(
    deps: &FederationDeps,
    state: &str,
    code: &str,
    redirect_uri: &str,
) -> Result<SignedIn, FinishError> {
    let now = deps.identity.clock.now();
    let login = deps
        .store
        .take_login(&digest(state))
        .await?
        .filter(|l| now < l.expires_at)
        .ok_or(FinishError::UnknownState)?;
    let provider = deps
        .store
        .provider(&login.provider)
        .await?
        .filter(|p| !p.disabled)
        .ok_or(FinishError::ProviderGone)?;
    let metadata = metadata(deps, &provider).await?;
    let secret = match &provider.sealed_secret {
        Some(sealed) => Some(
            deps.identity
                .settings
                .seed_keys
                .open(provider.id.as_str(), sealed)
                .ok_or_else(|| {
                    IssuerError::Refused(
                        "its client secret does not open with the keys here".into(),
                    )
                })?,
        ),
        None => None,
    };
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("code_verifier", login.code_verifier.as_str()),
    ];
    let token = deps
        .issuers
        .redeem_code(
            &metadata.token_endpoint,
            &form,
            (&provider.client_id, secret.as_deref()),
        )
        .await?;
    let expected = Expected {
        issuer: &metadata.issuer,
        client_id: &provider.client_id,
        nonce: &login.nonce,
        now,
    };
    let keys = deps.issuers.keys(&metadata.jwks_uri).await?;
    let person = match id_token::verify(&token, &keys, &expected) {
        // A key newer than the set kept: the provider's set as it is now decides.
        Err(id_token::UNKNOWN_KEY) => {
            let keys = deps.issuers.fresh_keys(&metadata.jwks_uri).await?;
            id_token::verify(&token, &keys, &expected)?
        }
        verified => verified?,
    };
    let email = person
        .verified_email
        .clone()
        .filter(|e| provider.vouches_for(e))
        .ok_or(FinishError::NotVouched)?;
    let identity = linked_account(deps, &provider, &person, &email).await?;
    let token = SessionToken::generate(&identity.account_id, deps.identity.random.as_ref());
    let session = Session::start(
        &token,
        identity.account_id.clone(),
        identity.session_epoch,
        now,
        &deps.identity.settings.sessions,
    );
    deps.identity
        .logins
        .start_session(&session, &email, false)
        .await?;
    tracing::info!(provider = provider.id.as_str(), "federated sign-in");
    Ok(SignedIn {
        token,
        expires_at: session.expires_at,
        account_id: identity.account_id,
        next: login.next,
    })
}

/// The provider's word as the audit log records it.
fn provider_event(
    deps: &FederationDeps,
    provider: &OrgProvider,
    action: &str,
    account: &AccountId,
) -> AuditEvent {
    let now = deps.identity.clock.now();
    AuditEvent {
        id: AuditId::new(now, deps.identity.random.as_ref()),
        at: now,
        actor: AuditParty::new("federation_provider", provider.id.as_str()),
        action: action.into(),
        subject: AuditParty::new("account", account.as_str()),
        reason: Reason::parse(&format!("signed in through {}", provider.name))
            .unwrap_or_else(|| Reason::parse("signed in through the organisation").expect("valid")),
        changes: vec![FieldChange::new("federated", None, Some("true".into()))],
    }
}

/// The account with `email`, federated: made now if there is none, or the existing one linked.
async fn linked_account(
    deps: &FederationDeps,
    provider: &OrgProvider,
    person: &Person,
    email: &Email,
) -> Result<Identity, FinishError> {
    for _ in 0..RETRIES {
        let outcome = match deps.identity.store.identity(email).await? {
            Some(identity) if identity.disabled => return Err(FinishError::AccountDisabled),
            Some(identity) if identity.federated && identity.status == AccountStatus::Active => {
                return Ok(identity)
            }
            Some(identity) => {
                // Staff keep their password and authenticator (staff routes need the second
                // step this sign-in does not give): an organisation never takes them over.
                let profile = deps.identity.store.profile(&identity.account_id).await?;
                if profile.is_some_and(|p| !p.roles.is_empty()) {
                    return Err(FinishError::StaffAccount);
                }
                federate(deps, provider, identity).await
            }
            None => create(deps, provider, person, email).await,
        };
        match outcome {
            Ok(identity) => return Ok(identity),
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Conflict.into())
}

/// An existing account becomes federated: active (a pending one's address is verified now by
/// its organisation), no usable password, no authenticator, phone or reset under way, and every
/// session it had ended. `Conflict` when a parallel write moved it on.
async fn federate(
    deps: &FederationDeps,
    provider: &OrgProvider,
    mut identity: Identity,
) -> Result<Identity, StoreError> {
    if identity.status != AccountStatus::Active {
        let username = Username::generate(
            &deps.identity.settings.username_prefix,
            deps.identity.random.as_ref(),
        );
        identity.status = AccountStatus::Active;
        identity.activation = None;
        identity.purge_at = None;
        identity.username = Some(username.clone());
        match deps.identity.store.activate(&identity, &username).await {
            Ok(()) => identity.version += 1,
            Err(UniqueWriteError::Taken) => return Err(StoreError::Conflict),
            Err(UniqueWriteError::Store(e)) => return Err(e),
        }
    }
    identity.federated = true;
    identity.password_hash = PasswordHash::unusable();
    identity.password_history = Vec::new();
    identity.totp = None;
    identity.totp_pending = None;
    identity.phone = None;
    identity.phone_pending = None;
    identity.reset_required = false;
    identity.reset_code = None;
    identity.reset_grant = None;
    identity.session_epoch += 1;
    let event = provider_event(deps, provider, "account.federate", &identity.account_id);
    deps.identity
        .store
        .save_sign_in(&identity, true, Some(&event))
        .await?;
    identity.version += 1;
    Ok(identity)
}

/// The first sign-in of a person the organisation vouches for: an active, federated account,
/// named as the provider names them (the address's local part when it does not).
async fn create(
    deps: &FederationDeps,
    provider: &OrgProvider,
    person: &Person,
    email: &Email,
) -> Result<Identity, StoreError> {
    let ids = &deps.identity;
    let now = ids.clock.now();
    let local_part = email.as_str().split('@').next().unwrap_or("member");
    let name = |given: &Option<String>, fallback: &str| {
        given
            .as_deref()
            .and_then(|n| Name::parse(n).ok())
            .unwrap_or_else(|| Name::parse(fallback).expect("a fallback name"))
    };
    let first_name = name(&person.given_name, local_part);
    let account_id = AccountId::generate(ids.random.as_ref());
    let mut identity = Identity {
        federated: true,
        greeting_name: Some(first_name.clone()),
        password_history: Vec::new(),
        ..Identity::pending(
            email.clone(),
            account_id.clone(),
            PasswordHash::unusable(),
            now,
        )
    };
    let profile = Profile {
        account_id: account_id.clone(),
        email: email.clone(),
        username: None,
        first_name,
        last_name: name(&person.family_name, &provider.name),
        country: provider.default_country.clone(),
        created_at: now,
        purge_at: None,
        session_epoch: 0,
        details: Default::default(),
        communication: Default::default(),
        federated: true,
        candidate_id: None,
        roles: Default::default(),
    };
    match ids.store.create_account(&identity, &profile).await {
        Ok(()) => {}
        // Made by a parallel sign-in (or sign-up) meanwhile: read it again.
        Err(UniqueWriteError::Taken) => return Err(StoreError::Conflict),
        Err(UniqueWriteError::Store(e)) => return Err(e),
    }
    let username = Username::generate(&ids.settings.username_prefix, ids.random.as_ref());
    identity.status = AccountStatus::Active;
    identity.username = Some(username.clone());
    match ids.store.activate(&identity, &username).await {
        Ok(()) => identity.version += 1,
        Err(UniqueWriteError::Taken) => return Err(StoreError::Conflict),
        Err(UniqueWriteError::Store(e)) => return Err(e),
    }
    let event = provider_event(deps, provider, "account.create_federated", &account_id);
    deps.audit.append(&event).await?;
    Ok(identity)
}

#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    #[error("no key to seal the client secret with is configured here")]
    NoSealingKey,
    #[error(transparent)]
    Register(#[from] crate::ports::RegisterError),
}

/// A `program_admin` registers an organisation's provider (checked beforehand with
/// `Registration::check`); its client secret is sealed, bound to the provider's id.
pub async fn register(
    deps: &FederationDeps,
    by: &tessera_kernel::audit::Attribution,
    admin: &AccountId,
    registration: crate::provider::Registration,
) -> Result<OrgProvider, RegistrationError> {
    let ids = &deps.identity;
    let id = crate::provider::ProviderId::generate(ids.random.as_ref());
    let sealed_secret = match &registration.client_secret {
        Some(secret) => Some(
            ids.settings
                .seed_keys
                .seal(id.as_str(), secret, ids.random.as_ref())
                .map_err(|_| RegistrationError::NoSealingKey)?,
        ),
        None => None,
    };
    let now = ids.clock.now();
    let provider = OrgProvider {
        id,
        name: registration.name,
        issuer: registration.issuer.trim_end_matches('/').to_string(),
        client_id: registration.client_id,
        sealed_secret,
        domains: registration.domains,
        default_country: registration.default_country,
        created_by: admin.clone(),
        created_at: now,
        disabled: false,
    };
    let event = by.event(
        now,
        ids.random.as_ref(),
        "federation_provider.register",
        AuditParty::new("federation_provider", provider.id.as_str()),
        vec![FieldChange::new(
            "domains",
            None,
            Some(provider.domains.join(" ")),
        )],
    );
    deps.store
        .register_provider(&provider, &event)
        .await
        .map_err(RegistrationError::Register)?;
    Ok(provider)
}
