//! Short-lived secrets that name their account: `<hex of the canonical email>.<256 random bits,
//! hex>`. The email part finds the identity in one read; only the whole token's SHA-256 is
//! stored. Used for reset tokens, and for MFA login challenges, whose secret part carries its
//! own proof instead (`challenge.rs`).

use sha2::{Digest, Sha256};
use std::fmt;
use tessera_kernel::email::Email;
use tessera_kernel::ports::Random;

#[derive(Clone, PartialEq, Eq)]
pub struct AddressedToken(String);

impl AddressedToken {
    pub fn generate(email: &Email, random: &dyn Random) -> AddressedToken {
        let mut secret = [0u8; 32];
        random.fill(&mut secret);
        AddressedToken(format!(
            "{}.{}",
            hex::encode(email.as_str()),
            hex::encode(secret)
        ))
    }

    /// A token whose secret part is `secret`, made by the caller.
    pub fn from_secret(email: &Email, secret: [u8; 32]) -> AddressedToken {
        AddressedToken(format!(
            "{}.{}",
            hex::encode(email.as_str()),
            hex::encode(secret)
        ))
    }

    /// The secret part's bytes.
    pub fn secret(&self) -> Option<[u8; 32]> {
        let (_, secret) = self.0.split_once('.')?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(secret, &mut out).ok()?;
        Some(out)
    }

    /// A token as presented; its email part must be a canonical address.
    pub fn parse(raw: &str) -> Option<AddressedToken> {
        let raw = raw.trim();
        let (email_hex, secret) = raw.split_once('.')?;
        let lower_hex = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        };
        if secret.len() != 64 || !lower_hex(secret) || !lower_hex(email_hex) {
            return None;
        }
        let email = String::from_utf8(hex::decode(email_hex).ok()?).ok()?;
        Email::parse(&email).ok().filter(|e| e.as_str() == email)?;
        Some(AddressedToken(raw.to_string()))
    }

    pub fn email(&self) -> Option<Email> {
        let (email_hex, _) = self.0.split_once('.')?;
        Email::parse(&String::from_utf8(hex::decode(email_hex).ok()?).ok()?).ok()
    }

    /// What is stored and compared: SHA-256 of the whole token, hex.
    pub fn digest(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AddressedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AddressedToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Sevens;
    impl Random for Sevens {
        fn fill(&self, buf: &mut [u8]) {
            buf.fill(7);
        }
    }

    #[test]
    fn tokens_name_the_account_and_hide_their_secret() {
        let email = Email::parse("ada@example.com").unwrap();
        let token = AddressedToken::generate(&email, &Sevens);
        assert_eq!(AddressedToken::parse(token.expose()), Some(token.clone()));
        assert_eq!(token.email(), Some(email));
        assert_eq!(format!("{token:?}"), "AddressedToken(<redacted>)");
        assert!(!token.digest().contains("0707"));
        for bad in [
            "",
            "x.y",
            "616461.abc",
            &token.expose().to_uppercase(),
            &format!("zz{}", token.expose()),
        ] {
            assert!(AddressedToken::parse(bad).is_none(), "{bad}");
        }
        // A token whose email part is not canonical is refused.
        let shouting = format!("{}.{}", hex::encode("ADA@EXAMPLE.COM"), "7".repeat(64));
        assert!(AddressedToken::parse(&shouting).is_none());
    }
}
