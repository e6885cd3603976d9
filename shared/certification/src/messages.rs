//! The certification emails, from `templates/`.

use tessera_kernel::email_template;
use tessera_kernel::messages::EmailTemplate;

pub const MAPPING_CODE: EmailTemplate = email_template!("mapping-code");
pub const MAPPING_TAKEN: EmailTemplate = email_template!("mapping-taken");
pub const MAPPING_DUPLICATES: EmailTemplate = email_template!("mapping-duplicates");
pub const RECORD_EMAIL_PROOF: EmailTemplate = email_template!("mapping-email-proof");
pub const RECORD_EMAIL_CHANGED: EmailTemplate = email_template!("record-email-changed");
pub const TRANSCRIPT: EmailTemplate = email_template!("transcript");
pub const CERTIFICATION_EXPIRY: EmailTemplate = email_template!("certification-expiry");
pub const CERTIFICATION_EARNED: EmailTemplate = email_template!("certification-earned");
pub const CE_CREDITS_LAPSING: EmailTemplate = email_template!("ce-credits-lapsing");
