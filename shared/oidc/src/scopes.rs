//! The scopes the provider grants: `openid` (required: this is OpenID Connect), `profile` (the
//! person's names and login ID), `email`, and `access` (the access levels: guest, customer,
//! partner, and the resources special access was given to). Others a client asks for are left out of the grant,
//! as OAuth allows, and the token response says which were granted.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

pub const SUPPORTED: [&str; 4] = ["openid", "profile", "email", "access"];

/// The scopes of a request or a grant, in a stable order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Scopes(BTreeSet<String>);

impl Scopes {
    /// The supported scopes in a space-separated list; unknown ones are dropped.
    pub fn parse(raw: &str) -> Scopes {
        Scopes(
            raw.split(' ')
                .filter(|s| SUPPORTED.contains(s))
                .map(str::to_string)
                .collect(),
        )
    }

    pub fn has(&self, scope: &str) -> bool {
        self.0.contains(scope)
    }

    /// Every scope of `self` is in `other`.
    pub fn within(&self, other: &Scopes) -> bool {
        self.0.is_subset(&other.0)
    }

    /// Space-separated, as the protocol writes scopes.
    pub fn to_param(&self) -> String {
        self.0
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_scopes_are_dropped_and_order_does_not_matter() {
        let s = Scopes::parse("email openid  payments profile");
        assert_eq!(s.to_param(), "email openid profile");
        assert!(Scopes::parse("openid").within(&s));
        assert!(!s.within(&Scopes::parse("openid")));
        assert!(!Scopes::parse("profile").has("openid"));
    }
}
