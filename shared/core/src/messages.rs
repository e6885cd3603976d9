//! Email templates live in `shared/core/templates/` as `NAME.txt` (first line `Subject: …`)
//! and `NAME.html`. `{{key}}` placeholders are filled in; values are HTML-escaped in the HTML part.

use crate::ports::{Channel, OutgoingMessage};

pub struct EmailTemplate {
    pub text: &'static str,
    pub html: &'static str,
}

macro_rules! template {
    ($name:literal) => {
        EmailTemplate {
            text: include_str!(concat!("../templates/", $name, ".txt")),
            html: include_str!(concat!("../templates/", $name, ".html")),
        }
    };
}

pub const ACTIVATION: EmailTemplate = template!("activation");
pub const ACCOUNT_EXISTS: EmailTemplate = template!("account-exists");
pub const ACCOUNT_LOCKED: EmailTemplate = template!("account-locked");
pub const PASSWORD_CHANGED: EmailTemplate = template!("password-changed");
pub const PASSWORD_RESET_CODE: EmailTemplate = template!("password-reset-code");
pub const PASSWORD_RESET: EmailTemplate = template!("password-reset");
pub const FEDERATED_RESET: EmailTemplate = template!("federated-reset");
pub const MFA_ENABLED: EmailTemplate = template!("mfa-enabled");
pub const MFA_REMOVED: EmailTemplate = template!("mfa-removed");
pub const EMAIL_SHOWN: EmailTemplate = template!("email-shown");
pub const EMAIL_REMINDER: EmailTemplate = template!("email-reminder");
pub const PHONE_CHANGED: EmailTemplate = template!("phone-changed");
pub const MAPPING_CODE: EmailTemplate = template!("mapping-code");
pub const MAPPING_TAKEN: EmailTemplate = template!("mapping-taken");
pub const MAPPING_DUPLICATES: EmailTemplate = template!("mapping-duplicates");
pub const RECORD_EMAIL_PROOF: EmailTemplate = template!("mapping-email-proof");
pub const RECORD_EMAIL_CHANGED: EmailTemplate = template!("record-email-changed");
pub const TRANSCRIPT: EmailTemplate = template!("transcript");
pub const ORDER_CONFIRMED: EmailTemplate = template!("order-confirmed");
pub const ORDER_SENT: EmailTemplate = template!("order-sent");
pub const ORDER_CANCELLED: EmailTemplate = template!("order-cancelled");
pub const CERTIFICATION_EXPIRY: EmailTemplate = template!("certification-expiry");

impl EmailTemplate {
    pub fn render(&self, to: &str, values: &[(&str, &str)]) -> OutgoingMessage {
        let text = fill(self.text, values, |v| v.to_string());
        let (subject, body) = match text.split_once('\n') {
            Some((first, rest)) if first.starts_with("Subject: ") => (
                first.trim_start_matches("Subject: ").trim().to_string(),
                rest.to_string(),
            ),
            _ => (String::new(), text),
        };
        OutgoingMessage {
            channel: Channel::Email,
            to: to.to_string(),
            subject: Some(subject),
            text: body,
            html: Some(fill(self.html, values, escape_html)),
        }
    }
}

fn fill(template: &str, values: &[(&str, &str)], encode: impl Fn(&str) -> String) -> String {
    values
        .iter()
        .fold(template.to_string(), |acc, (key, value)| {
            acc.replace(&format!("{{{{{key}}}}}"), &encode(value))
        })
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_subject_text_and_escaped_html() {
        let m = ACTIVATION.render(
            "a@example.com",
            &[("first_name", "<b>Ada</b>"), ("code", "123456")],
        );
        assert_eq!(m.subject.as_deref(), Some("Your Tessera activation code"));
        assert!(m.text.contains("Hello <b>Ada</b>,"));
        assert!(m.text.contains("123456"));
        let html = m.html.unwrap();
        assert!(html.contains("&lt;b&gt;Ada&lt;/b&gt;"));
        assert!(!html.contains("<b>Ada"));
        assert!(!html.contains("{{"), "every placeholder filled");
    }
}
