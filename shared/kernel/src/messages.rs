//! Email templates: each context keeps its own in its crate's `templates/` as `NAME.txt` (first
//! line `Subject: …`) and `NAME.html`. `{{key}}` placeholders are filled in; values are
//! HTML-escaped in the HTML part.

use crate::ports::{Channel, OutgoingMessage};

pub struct EmailTemplate {
    pub text: &'static str,
    pub html: &'static str,
}

/// An email template of the calling crate: `email_template!("activation")` reads
/// `templates/activation.txt` and `templates/activation.html` beside its `src/`.
#[macro_export]
macro_rules! email_template {
    ($name:literal) => {
        $crate::messages::EmailTemplate {
            text: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/templates/",
                $name,
                ".txt"
            )),
            html: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/templates/",
                $name,
                ".html"
            )),
        }
    };
}

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

    const GREETING: EmailTemplate = EmailTemplate {
        text: "Subject: Your code\n\nHello {{first_name}},\nyour code is {{code}}.\n",
        html: "<p>Hello {{first_name}},</p><p>your code is {{code}}.</p>",
    };

    #[test]
    fn renders_subject_text_and_escaped_html() {
        let m = GREETING.render(
            "a@example.com",
            &[("first_name", "<b>Ada</b>"), ("code", "123456")],
        );
        assert_eq!(m.subject.as_deref(), Some("Your code"));
        assert!(m.text.contains("Hello <b>Ada</b>,"));
        assert!(m.text.contains("123456"));
        let html = m.html.unwrap();
        assert!(html.contains("&lt;b&gt;Ada&lt;/b&gt;"));
        assert!(!html.contains("<b>Ada"));
        assert!(!html.contains("{{"), "every placeholder filled");
    }
}
