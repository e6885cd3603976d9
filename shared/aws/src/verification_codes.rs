//! The register of verification codes in the candidate table, one item per code:
//!
//! | item | pk            | sk     | notes                                                   |
//! |------|---------------|--------|---------------------------------------------------------|
//! | code | `CODE#<code>` | `CODE` | `candidate_id`, `certification_id`, `carrier`, `checks` |
//!
//! A certificate's code is put when its PDF is made (if it is new), a kit's in its order's
//! transaction (`orders.rs`). A check is one `UpdateItem` (`ADD checks`) returning the item.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;
use tessera_certification::verification_codes::{
    CodeCheck, CodeSubject, VerificationCode, VerificationCodes,
};
use tessera_kernel::ports::StoreError;

use crate::dynamo::{
    conflict_if_condition_failed, item_key, item_with_key, updated_or_none, CandidateStore, Item,
};

pub(crate) fn code_key(code: &VerificationCode) -> Item {
    item_key(format!("CODE#{}", code.as_str()), "CODE")
}

/// The code's item, as registered (no check counted yet).
pub(crate) fn code_item(
    code: &VerificationCode,
    subject: &CodeSubject,
) -> Result<Item, StoreError> {
    item_with_key(subject, code_key(code), None)
}

#[derive(serde::Deserialize)]
struct Stored {
    #[serde(flatten)]
    subject: CodeSubject,
    /// Absent until the first check.
    #[serde(default)]
    checks: u64,
}

impl From<Stored> for CodeCheck {
    fn from(s: Stored) -> CodeCheck {
        CodeCheck {
            subject: s.subject,
            checks: s.checks,
        }
    }
}

#[async_trait]
impl VerificationCodes for CandidateStore {
    async fn register_code(
        &self,
        code: &VerificationCode,
        subject: &CodeSubject,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(code_item(code, subject)?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match result.map_err(conflict_if_condition_failed) {
            Ok(_) | Err(StoreError::Conflict) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn check_code(&self, code: &VerificationCode) -> Result<Option<CodeCheck>, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(code_key(code)))
            .condition_expression("attribute_exists(pk)")
            .update_expression("ADD checks :one")
            .expression_attribute_values(
                ":one",
                aws_sdk_dynamodb::types::AttributeValue::N("1".into()),
            )
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        let stored: Option<Stored> = updated_or_none(result)?;
        Ok(stored.map(CodeCheck::from))
    }

    async fn code_checks(&self, code: &VerificationCode) -> Result<Option<CodeCheck>, StoreError> {
        let stored: Option<Stored> = self.get(code_key(code)).await?;
        Ok(stored.map(CodeCheck::from))
    }
}
