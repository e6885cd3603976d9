//! The messaging port on both backends: an email (subject, text, HTML) through SES v2 or the
//! outbox, an SMS through SNS or the outbox, each read back from where it really landed.

use tessera_identity::messages::ACTIVATION;
use tessera_kernel::ports::{Channel, OutgoingMessage};
use tessera_testkit::{app::unique_mobile, unique_email, Backend, TestApp};
use tessera_tests::on_both_backends;

async fn email_and_sms_reach_their_channels(backend: Backend) {
    let app = TestApp::new(backend).await;
    let to = unique_email("inbox");
    let email = ACTIVATION.render(&to, &[("first_name", "Ada"), ("code", "123456")]);
    app.messenger().send(&email).await.unwrap();
    let phone = unique_mobile();
    let sms = OutgoingMessage {
        channel: Channel::Sms,
        to: phone.clone(),
        subject: None,
        text: "Your Tessera code is 654321".into(),
        html: None,
    };
    app.messenger().send(&sms).await.unwrap();

    let emails = app.messages_to(&to);
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].channel, Channel::Email);
    assert_eq!(
        emails[0].subject.as_deref(),
        Some("Your Tessera activation code")
    );
    assert!(emails[0].body.contains("123456"));
    let texts = app.messages_to(&phone);
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0].channel, Channel::Sms);
    assert_eq!(texts[0].body, "Your Tessera code is 654321");
}

on_both_backends!(email_and_sms_reach_their_channels);

/// The outbox contract the README promises: one JSON line per message with `channel`, `to`,
/// `subject`, `text`, `created_at`, and `html` for email.
#[tokio::test]
async fn outbox_lines_carry_the_documented_fields() {
    let app = TestApp::new(Backend::Embedded).await;
    let to = unique_email("fields");
    app.messenger()
        .send(&ACTIVATION.render(&to, &[("first_name", "Ada"), ("code", "222333")]))
        .await
        .unwrap();
    let sms = OutgoingMessage {
        channel: Channel::Sms,
        to: "+14155550123".into(),
        subject: None,
        text: "x".into(),
        html: None,
    };
    app.messenger().send(&sms).await.unwrap();
    let text = std::fs::read_to_string(app.outbox_path()).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["channel"], "email");
    assert_eq!(lines[0]["to"], to.as_str());
    assert!(lines[0]["html"].as_str().unwrap().contains("222333"));
    assert!(lines[0]["text"].as_str().unwrap().contains("222333"));
    assert_eq!(
        lines[0]["created_at"], "2026-01-01T00:00:00Z",
        "the injected clock's time"
    );
    assert_eq!(lines[1]["channel"], "sms");
    assert!(lines[1].get("html").is_none());
    assert!(lines[1]["subject"].is_null());
}
