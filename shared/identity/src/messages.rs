//! The identity emails, from `templates/`.

use tessera_kernel::email_template;
use tessera_kernel::messages::EmailTemplate;

pub const ACTIVATION: EmailTemplate = email_template!("activation");
pub const ACCOUNT_EXISTS: EmailTemplate = email_template!("account-exists");
pub const ACCOUNT_LOCKED: EmailTemplate = email_template!("account-locked");
pub const PASSWORD_CHANGED: EmailTemplate = email_template!("password-changed");
pub const PASSWORD_RESET_CODE: EmailTemplate = email_template!("password-reset-code");
pub const PASSWORD_RESET: EmailTemplate = email_template!("password-reset");
pub const FEDERATED_RESET: EmailTemplate = email_template!("federated-reset");
pub const MFA_ENABLED: EmailTemplate = email_template!("mfa-enabled");
pub const MFA_REMOVED: EmailTemplate = email_template!("mfa-removed");
pub const EMAIL_SHOWN: EmailTemplate = email_template!("email-shown");
pub const EMAIL_REMINDER: EmailTemplate = email_template!("email-reminder");
pub const PHONE_CHANGED: EmailTemplate = email_template!("phone-changed");
pub const EMAIL_CHANGE_CODE: EmailTemplate = email_template!("email-change-code");
pub const EMAIL_CHANGE_REQUESTED: EmailTemplate = email_template!("email-change-requested");
pub const EMAIL_CHANGED: EmailTemplate = email_template!("email-changed");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_activation_email_names_its_subject_and_fills_every_placeholder() {
        let link = "https://id.example.com/activate?email=a%40example.com&code=123456";
        let m = ACTIVATION.render(
            "a@example.com",
            &[("first_name", "Ada"), ("code", "123456"), ("link", link)],
        );
        assert_eq!(m.subject.as_deref(), Some("Your Tessera activation code"));
        assert!(m.text.contains("Hello Ada,") && m.text.contains("123456"));
        assert!(m.text.contains(link), "the link, as is, in the text part");
        let html = m.html.unwrap();
        assert!(
            html.contains(
                "href=\"https://id.example.com/activate?email=a%40example.com&amp;code=123456\""
            ),
            "{html}"
        );
        assert!(!html.contains("{{"), "every placeholder filled");
    }
}
