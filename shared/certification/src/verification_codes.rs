//! The codes printed on PDF certificates and kits, and what each leads to. A certificate's code is
//! registered when the PDF is made, a kit's in its order's own write; public verification
//! (`tessera-credentials`) looks a code up and counts the check for its holder.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tessera_kernel::ids::CandidateId;
use tessera_kernel::ports::StoreError;

/// A verification code as stored: twelve characters of Crockford's base 32 (a certificate's
/// hexadecimal code is one too).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VerificationCode(String);

impl VerificationCode {
    pub const LEN: usize = 12;

    /// Reads a code as people type or print it: case, spaces and hyphens do not matter, and
    /// Crockford's look-alikes read as the digits they stand for (O as 0, I and L as 1).
    pub fn parse(raw: &str) -> Option<VerificationCode> {
        if raw.len() > 4 * Self::LEN {
            return None;
        }
        let mut code = String::with_capacity(Self::LEN);
        for c in raw.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c if c.is_ascii_digit() || (c.is_ascii_uppercase() && c != 'U') => c,
                _ => return None,
            };
            code.push(c);
        }
        (code.len() == Self::LEN).then_some(VerificationCode(code))
    }

    /// A code no parse gives (U is not in the alphabet): what a malformed code is looked up as,
    /// so that it costs what an unknown one does.
    pub fn never_issued() -> VerificationCode {
        VerificationCode("U".repeat(Self::LEN))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As printed on kits: three groups of four.
    pub fn grouped(&self) -> String {
        let (a, rest) = self.0.split_at(4);
        let (b, c) = rest.split_at(4);
        format!("{a}-{b}-{c}")
    }
}

/// What carries a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeCarrier {
    Certificate,
    Kit,
}

impl CodeCarrier {
    pub fn as_str(self) -> &'static str {
        match self {
            CodeCarrier::Certificate => "certificate",
            CodeCarrier::Kit => "kit",
        }
    }
}

/// What a code leads to: whose record, which certification, on what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSubject {
    pub candidate_id: CandidateId,
    pub certification_id: String,
    pub carrier: CodeCarrier,
}

/// A code looked up: what it leads to, and how often it has been checked (this check included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeCheck {
    pub subject: CodeSubject,
    pub checks: u64,
}

/// The register of printed codes. Adapters: the candidate table (`CODE#<code>` items) and the
/// embedded database; kits' codes are written by the order stores in the order's own write.
#[async_trait]
pub trait VerificationCodes: Send + Sync {
    /// Registers `code` as leading to `subject`; a code registered before keeps its subject and
    /// its count.
    async fn register_code(
        &self,
        code: &VerificationCode,
        subject: &CodeSubject,
    ) -> Result<(), StoreError>;

    /// Counts one check of `code` and answers what it leads to, in one write; `None`, and
    /// nothing counted, when it was never registered.
    async fn check_code(&self, code: &VerificationCode) -> Result<Option<CodeCheck>, StoreError>;

    /// What `code` leads to and how often it was checked, counting nothing: for its holder.
    async fn code_checks(&self, code: &VerificationCode) -> Result<Option<CodeCheck>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_typed_and_print_in_groups() {
        let code = VerificationCode::parse(" abcd-efgh-jkmn ").unwrap();
        assert_eq!(code.as_str(), "ABCDEFGHJKMN");
        assert_eq!(code.grouped(), "ABCD-EFGH-JKMN");
        assert_eq!(
            VerificationCode::parse("0O1I-L234-5678").unwrap().as_str(),
            "001112345678"
        );
        for malformed in [
            "",
            "ABCD-EFGH-JKM",
            "ABCD-EFGH-JKMNP",
            "ABCD-EFGH-JKM?",
            "UUUU-UUUU-UUUU",
        ] {
            assert_eq!(VerificationCode::parse(malformed), None, "{malformed:?}");
        }
        assert_eq!(VerificationCode::parse(&"-".repeat(100)), None);
        assert_eq!(VerificationCode::never_issued().as_str().len(), 12);
    }
}
