//! The messages really sent: the embedded outbox file, or what moto's SES and SNS recorded.

use serde_json::Value;
use std::path::Path;
use tessera_kernel::ports::Channel;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentMessage {
    pub channel: Channel,
    pub to: String,
    pub subject: Option<String>,
    /// The text part from the outbox; moto keeps one body per email (the HTML part when there is one).
    pub body: String,
    pub html: Option<String>,
}

pub fn from_outbox(path: &Path) -> Vec<SentMessage> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("every outbox line is JSON"))
        .map(|v| SentMessage {
            channel: serde_json::from_value(v["channel"].clone()).expect("channel"),
            to: v["to"].as_str().expect("to").to_string(),
            subject: v["subject"].as_str().map(str::to_string),
            body: v["text"].as_str().expect("text").to_string(),
            html: v["html"].as_str().map(str::to_string),
        })
        .collect()
}

pub fn from_moto() -> Vec<SentMessage> {
    let state = crate::moto::state();
    let mut out = Vec::new();
    for m in state["ses"]["Message"].as_array().into_iter().flatten() {
        for to in m["destinations"]["ToAddresses"]
            .as_array()
            .into_iter()
            .flatten()
        {
            out.push(SentMessage {
                channel: Channel::Email,
                to: to.as_str().unwrap_or_default().to_string(),
                subject: m["subject"].as_str().map(str::to_string),
                body: m["body"].as_str().unwrap_or_default().to_string(),
                html: None,
            });
        }
    }
    for m in state["sns"]["SMS"].as_array().into_iter().flatten() {
        out.push(SentMessage {
            channel: Channel::Sms,
            to: m["phone_number"].as_str().unwrap_or_default().to_string(),
            subject: None,
            body: m["message"].as_str().unwrap_or_default().to_string(),
            html: None,
        });
    }
    out
}

/// The first run of exactly six digits in `text`: the code a person would read.
pub fn extract_code(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 6 {
                return Some(text[start..i].to_string());
            }
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn extracts_six_digit_runs_only() {
        assert_eq!(
            super::extract_code("valid 24 hours; code is 012345."),
            Some("012345".into())
        );
        assert_eq!(super::extract_code("1234567 and 123"), None);
    }
}
