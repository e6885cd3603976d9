use std::sync::OnceLock;

use async_trait::async_trait;
use aws_sdk_sesv2::config::SharedInterceptor;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use aws_types::SdkConfig;
use tessera_kernel::ports::{Channel, Messenger, OutgoingMessage, SendError};

/// Email through SES v2 (text and HTML parts), SMS through SNS. Each client is built on its first
/// message: most requests send nothing, and a client costs a cold function about 0.15 ms of Init.
pub struct AwsMessenger {
    sdk: SdkConfig,
    /// Put on both clients: none in production; tests inject faults through them.
    interceptors: Vec<SharedInterceptor>,
    ses: OnceLock<aws_sdk_sesv2::Client>,
    sns: OnceLock<aws_sdk_sns::Client>,
    from: String,
    /// Every email is sent with it, so its bounces and complaints reach the suppression list.
    configuration_set: Option<String>,
}

impl AwsMessenger {
    pub fn new(sdk: &SdkConfig, from: impl Into<String>) -> AwsMessenger {
        AwsMessenger::with_interceptors(sdk, from, Vec::new())
    }

    /// Like `new`, with `interceptors` on the SES and SNS clients.
    pub fn with_interceptors(
        sdk: &SdkConfig,
        from: impl Into<String>,
        interceptors: Vec<SharedInterceptor>,
    ) -> AwsMessenger {
        AwsMessenger {
            sdk: sdk.clone(),
            interceptors,
            ses: OnceLock::new(),
            sns: OnceLock::new(),
            from: from.into(),
            configuration_set: None,
        }
    }

    /// Sends every email with the SES configuration set `name`.
    pub fn with_configuration_set(mut self, name: Option<String>) -> AwsMessenger {
        self.configuration_set = name;
        self
    }

    fn ses(&self) -> &aws_sdk_sesv2::Client {
        self.ses.get_or_init(|| {
            let mut config = aws_sdk_sesv2::config::Builder::from(&self.sdk);
            for interceptor in &self.interceptors {
                config.push_interceptor(interceptor.clone());
            }
            aws_sdk_sesv2::Client::from_conf(config.build())
        })
    }

    fn sns(&self) -> &aws_sdk_sns::Client {
        self.sns.get_or_init(|| {
            let mut config = aws_sdk_sns::config::Builder::from(&self.sdk);
            for interceptor in &self.interceptors {
                config.push_interceptor(interceptor.clone());
            }
            aws_sdk_sns::Client::from_conf(config.build())
        })
    }
}

fn utf8(data: &str) -> Result<Content, SendError> {
    Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(|e| SendError(Box::new(e)))
}

#[async_trait]
impl Messenger for AwsMessenger {
    async fn send(&self, message: &OutgoingMessage) -> Result<(), SendError> {
        match message.channel {
            Channel::Email => {
                let mut body = Body::builder().text(utf8(&message.text)?);
                if let Some(html) = &message.html {
                    body = body.html(utf8(html)?);
                }
                let content = EmailContent::builder()
                    .simple(
                        Message::builder()
                            .subject(utf8(message.subject.as_deref().unwrap_or_default())?)
                            .body(body.build())
                            .build(),
                    )
                    .build();
                self.ses()
                    .send_email()
                    .from_email_address(&self.from)
                    .set_configuration_set_name(self.configuration_set.clone())
                    .destination(Destination::builder().to_addresses(&message.to).build())
                    .content(content)
                    .send()
                    .await
                    .map_err(|e| SendError(Box::new(e.into_service_error())))?;
            }
            Channel::Sms => {
                self.sns()
                    .publish()
                    .phone_number(&message.to)
                    .message(&message.text)
                    .send()
                    .await
                    .map_err(|e| SendError(Box::new(e.into_service_error())))?;
            }
        }
        Ok(())
    }
}
