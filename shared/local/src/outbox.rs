use async_trait::async_trait;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use tessera_kernel::ports::{Channel, Clock, Messenger, OutgoingMessage, SendError};

/// Appends every message as one JSON line to a file (`.local/outbox.jsonl` by default):
/// `{channel, to, subject, text, html, created_at}`. Each line is one `write` on a file opened
/// for append, so lines from several processes never interleave.
pub struct FileOutbox {
    path: PathBuf,
    clock: Arc<dyn Clock>,
}

#[derive(Serialize)]
struct Line<'a> {
    channel: Channel,
    to: &'a str,
    subject: Option<&'a str>,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    html: Option<&'a str>,
    created_at: String,
}

impl FileOutbox {
    pub fn new(path: PathBuf, clock: Arc<dyn Clock>) -> FileOutbox {
        FileOutbox { path, clock }
    }
}

#[async_trait]
impl Messenger for FileOutbox {
    async fn send(&self, message: &OutgoingMessage) -> Result<(), SendError> {
        let line = Line {
            channel: message.channel,
            to: &message.to,
            subject: message.subject.as_deref(),
            text: &message.text,
            html: message.html.as_deref(),
            created_at: self.clock.now().to_rfc3339(),
        };
        let mut bytes = serde_json::to_vec(&line).map_err(|e| SendError(Box::new(e)))?;
        bytes.push(b'\n');
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)?;
            file.write_all(&bytes)
        })
        .await
        .map_err(|e| SendError(Box::new(e)))?
        .map_err(|e| SendError(Box::new(e)))
    }
}
