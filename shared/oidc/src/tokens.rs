//! What the provider hands out, and what it keeps of each: only digests.
//!
//! - An **authorization code**: 256 random bits, single use (one conditional delete redeems it),
//!   for one minute, bound to the client, the redirect URI, the PKCE challenge and the nonce.
//! - A **token family**: the tokens of one sign-in at one client. Its access and refresh tokens
//!   are `<family id>.<256 random bits>`; the family item keeps the current refresh token's digest
//!   and the current access token's digest and expiry. A refresh replaces both (one conditional
//!   write); presenting a refresh token that is no longer current is a replay, and revokes the
//!   family. The family's id is the ID token's `sid`, so RP-initiated logout ends exactly it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::Random;
use tessera_kernel::random_id;
use tessera_kernel::time::Timestamp;

use crate::client::ClientId;
use crate::scopes::Scopes;
use crate::Lifetimes;

fn random_secret(random: &dyn Random) -> String {
    let mut bytes = [0u8; 32];
    random.fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn is_secret(raw: &str) -> bool {
    raw.len() == 43
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// SHA-256, hex: what is stored of a code or token (256 random bits need no salt or slow hash).
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// An authorization code as the client holds it. `Debug` never shows it.
pub struct AuthorizationCode(String);

impl AuthorizationCode {
    pub fn generate(random: &dyn Random) -> AuthorizationCode {
        AuthorizationCode(random_secret(random))
    }

    pub fn parse(raw: &str) -> Option<AuthorizationCode> {
        is_secret(raw).then(|| AuthorizationCode(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn digest(&self) -> String {
        digest(&self.0)
    }
}

impl std::fmt::Debug for AuthorizationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthorizationCode(<redacted>)")
    }
}

/// What a code stands for, stored under its digest until redeemed or expired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeGrant {
    pub code_digest: String,
    pub client_id: ClientId,
    pub redirect_uri: String,
    pub account_id: AccountId,
    pub scopes: Scopes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// BASE64URL(SHA-256(code_verifier)), as the client sent it.
    pub code_challenge: String,
    /// When the person signed in (the portal session began).
    pub auth_time: Timestamp,
    /// The sign-in passed the authenticator too.
    pub second_factor: bool,
    /// The account's session epoch at the time: a password changed since voids the code.
    pub session_epoch: u64,
    pub expires_at: Timestamp,
}

impl CodeGrant {
    /// Whether `verifier` is the PKCE verifier of this code's challenge (RFC 7636 §4.6, S256).
    pub fn verifier_matches(&self, verifier: &str) -> bool {
        let well_formed = (43..=128).contains(&verifier.len())
            && verifier
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        well_formed && bool::from(computed.as_bytes().ct_eq(self.code_challenge.as_bytes()))
    }
}

/// A token family's id: 128 random bits, 32 hex digits (the ID token's `sid`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FamilyId(String);

impl FamilyId {
    pub fn generate(random: &dyn Random) -> FamilyId {
        FamilyId(random_id::generate(random))
    }

    pub fn parse(raw: &str) -> Option<FamilyId> {
        random_id::is_well_formed(raw).then(|| FamilyId(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An access or refresh token as the client holds it: `<family id>.<secret>`. `Debug` never
/// shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct FamilyToken(String);

impl FamilyToken {
    fn generate(family: &FamilyId, random: &dyn Random) -> FamilyToken {
        FamilyToken(format!("{}.{}", family.as_str(), random_secret(random)))
    }

    pub fn parse(raw: &str) -> Option<FamilyToken> {
        let (family, secret) = raw.split_once('.')?;
        (FamilyId::parse(family).is_some() && is_secret(secret))
            .then(|| FamilyToken(raw.to_string()))
    }

    pub fn family(&self) -> FamilyId {
        FamilyId(
            self.0
                .split_once('.')
                .map(|(f, _)| f)
                .unwrap_or_default()
                .to_string(),
        )
    }

    pub fn digest(&self) -> String {
        digest(&self.0)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for FamilyToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FamilyToken(<redacted>)")
    }
}

/// The tokens of one sign-in at one client.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenFamily {
    pub id: FamilyId,
    pub client_id: ClientId,
    pub account_id: AccountId,
    pub scopes: Scopes,
    pub auth_time: Timestamp,
    pub second_factor: bool,
    /// The account's session epoch when it began: a later one (a new password) ends it.
    pub session_epoch: u64,
    pub created_at: Timestamp,
    /// The family ends here, however often it is refreshed.
    pub expires_at: Timestamp,
    pub refresh_digest: String,
    /// How many refreshes so far.
    pub generation: u32,
    pub access_digest: String,
    pub access_expires_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
}

/// Tokens just issued: the family as it is to be stored, and what the client is given.
pub struct Issued {
    pub family: TokenFamily,
    pub access_token: FamilyToken,
    pub refresh_token: FamilyToken,
}

/// What a presented refresh token is to its family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshState {
    /// The current refresh token of a live family.
    Current,
    /// A refresh token the family has moved past, or any token of a revoked family: a replay.
    Replayed,
    /// The family has ended (its time is up); nothing to revoke.
    Ended,
}

impl TokenFamily {
    /// A new family for a redeemed code.
    pub fn start(
        grant: &CodeGrant,
        now: Timestamp,
        lifetimes: &Lifetimes,
        random: &dyn Random,
    ) -> Issued {
        let id = FamilyId::generate(random);
        let access_token = FamilyToken::generate(&id, random);
        let refresh_token = FamilyToken::generate(&id, random);
        let family = TokenFamily {
            id,
            client_id: grant.client_id.clone(),
            account_id: grant.account_id.clone(),
            scopes: grant.scopes.clone(),
            auth_time: grant.auth_time,
            second_factor: grant.second_factor,
            session_epoch: grant.session_epoch,
            created_at: now,
            expires_at: now + lifetimes.family,
            refresh_digest: refresh_token.digest(),
            generation: 0,
            access_digest: access_token.digest(),
            access_expires_at: now + lifetimes.access_token,
            revoked_at: None,
        };
        Issued {
            family,
            access_token,
            refresh_token,
        }
    }

    pub fn refresh_state(&self, presented: &FamilyToken, now: Timestamp) -> RefreshState {
        let current: bool = self
            .refresh_digest
            .as_bytes()
            .ct_eq(presented.digest().as_bytes())
            .into();
        if self.revoked_at.is_some() || !current {
            RefreshState::Replayed
        } else if now >= self.expires_at {
            RefreshState::Ended
        } else {
            RefreshState::Current
        }
    }

    /// The family after a refresh at `now`: new access and refresh tokens.
    pub fn rotate(&self, now: Timestamp, lifetimes: &Lifetimes, random: &dyn Random) -> Issued {
        let access_token = FamilyToken::generate(&self.id, random);
        let refresh_token = FamilyToken::generate(&self.id, random);
        let family = TokenFamily {
            refresh_digest: refresh_token.digest(),
            generation: self.generation + 1,
            access_digest: access_token.digest(),
            access_expires_at: (now + lifetimes.access_token).min(self.expires_at),
            ..self.clone()
        };
        Issued {
            family,
            access_token,
            refresh_token,
        }
    }

    /// Whether `presented` is this family's current, unexpired access token.
    pub fn access_valid(&self, presented: &FamilyToken, now: Timestamp) -> bool {
        let current: bool = self
            .access_digest
            .as_bytes()
            .ct_eq(presented.digest().as_bytes())
            .into();
        current && self.revoked_at.is_none() && now < self.access_expires_at
    }

    /// Whether `presented` is either of this family's current tokens (revocation accepts both).
    pub fn holds(&self, presented: &FamilyToken) -> bool {
        let d = presented.digest();
        let access: bool = self.access_digest.as_bytes().ct_eq(d.as_bytes()).into();
        let refresh: bool = self.refresh_digest.as_bytes().ct_eq(d.as_bytes()).into();
        access || refresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_kernel::ports::CountingRandom;

    fn grant(challenge: &str) -> CodeGrant {
        CodeGrant {
            code_digest: "d".into(),
            client_id: ClientId::parse("0123456789abcdef0123456789abcdef").unwrap(),
            redirect_uri: "https://a.example/cb".into(),
            account_id: AccountId::from_stored("fedcba9876543210fedcba9876543210".into()),
            scopes: Scopes::parse("openid"),
            nonce: None,
            code_challenge: challenge.into(),
            auth_time: Timestamp(10),
            second_factor: false,
            session_epoch: 1,
            expires_at: Timestamp(70),
        }
    }

    #[test]
    fn pkce_s256_matches_the_rfc_7636_example() {
        // RFC 7636 Appendix B.
        let g = grant("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert!(g.verifier_matches("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert!(!g.verifier_matches("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl"));
        assert!(!g.verifier_matches("short"));
    }

    #[test]
    fn a_refresh_rotates_and_the_spent_token_is_a_replay() {
        let random = CountingRandom::from(0);
        let lifetimes = Lifetimes::default();
        let first = TokenFamily::start(&grant("x"), Timestamp(100), &lifetimes, &random);
        let f = &first.family;
        assert_eq!(first.refresh_token.family(), f.id);
        assert_ne!(first.access_token, first.refresh_token);
        assert_eq!(
            f.refresh_state(&first.refresh_token, Timestamp(101)),
            RefreshState::Current
        );
        assert!(f.access_valid(&first.access_token, Timestamp(101)));
        assert!(
            !f.access_valid(&first.refresh_token, Timestamp(101)),
            "a refresh token is no access token"
        );
        assert!(!f.access_valid(&first.access_token, Timestamp(100) + lifetimes.access_token));

        let second = f.rotate(Timestamp(200), &lifetimes, &random);
        let g = &second.family;
        assert_eq!(g.generation, 1);
        assert_eq!(g.id, f.id);
        assert_eq!(
            g.refresh_state(&first.refresh_token, Timestamp(201)),
            RefreshState::Replayed
        );
        assert_eq!(
            g.refresh_state(&second.refresh_token, Timestamp(201)),
            RefreshState::Current
        );
        assert!(
            !g.access_valid(&first.access_token, Timestamp(201)),
            "the old access token is replaced"
        );
        assert_eq!(
            g.refresh_state(&second.refresh_token, g.expires_at),
            RefreshState::Ended
        );
        let mut revoked = g.clone();
        revoked.revoked_at = Some(Timestamp(300));
        assert_eq!(
            revoked.refresh_state(&second.refresh_token, Timestamp(301)),
            RefreshState::Replayed
        );
        assert!(!revoked.access_valid(&second.access_token, Timestamp(301)));
        assert!(g.holds(&second.access_token) && g.holds(&second.refresh_token));
        assert!(!g.holds(&first.refresh_token));
    }

    #[test]
    fn tokens_parse_only_in_their_own_shape() {
        let random = CountingRandom::from(7);
        let issued = TokenFamily::start(&grant("x"), Timestamp(1), &Lifetimes::default(), &random);
        let raw = issued.refresh_token.expose().to_string();
        assert_eq!(FamilyToken::parse(&raw), Some(issued.refresh_token.clone()));
        for bad in [
            "",
            "x.y",
            &raw[1..],
            &format!("{raw}="),
            &raw.replace('.', ":"),
        ] {
            assert!(FamilyToken::parse(bad).is_none(), "{bad}");
        }
        let code = AuthorizationCode::generate(&random);
        assert!(AuthorizationCode::parse(code.expose()).is_some());
        assert!(AuthorizationCode::parse("abc").is_none());
        assert_eq!(
            format!("{:?}", issued.access_token),
            "FamilyToken(<redacted>)"
        );
    }
}
