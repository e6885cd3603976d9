//! Cold starts against a local stand-in for the Lambda Runtime API: the documented
//! `GET /2018-06-01/runtime/invocation/next` and `POST …/invocation/{id}/response` endpoints on
//! loopback. Each run launches a release binary and times process start → its first `next` call
//! (Init) and → its first response (Init plus one request, DynamoDB on moto included), and
//! reads its resident memory then.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";

#[derive(Clone, Copy, Debug)]
pub struct ColdStart {
    pub init: Duration,
    pub first_response: Duration,
    /// The process's memory right after its first response.
    pub memory: crate::memory::Resident,
}

enum Seen {
    Next,
    Response,
    Error(String),
}

/// One cold start of `binary`, answering its first `next` with `event`.
pub fn run_once(
    binary: &Path,
    event: &str,
    env: &HashMap<String, String>,
) -> Result<ColdStart, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let (seen_tx, seen_rx) = mpsc::channel();
    let event = event.to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let (seen, event) = (seen_tx.clone(), event.clone());
            std::thread::spawn(move || serve_connection(stream, &event, &seen));
        }
    });

    let start = Instant::now();
    let mut child = Command::new(binary)
        .env_clear()
        .envs(env)
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    let pid = child.id();
    let outcome = (|| {
        let mut init = None;
        loop {
            let seen = seen_rx
                .recv_timeout(Duration::from_secs(30))
                .map_err(|_| "no answer within 30 s".to_string())?;
            match seen {
                Seen::Next if init.is_none() => init = Some(start.elapsed()),
                Seen::Next => {}
                Seen::Response => {
                    let first_response = start.elapsed();
                    return Ok(ColdStart {
                        init: init.ok_or("a response before any next call")?,
                        first_response,
                        memory: crate::memory::of(pid).ok_or("the process ended early")?,
                    });
                }
                Seen::Error(body) => return Err(format!("the function reported an error: {body}")),
            }
        }
    })();
    let _ = child.kill();
    let _ = child.wait();
    outcome
}

/// Answers one keep-alive connection's requests until it closes.
fn serve_connection(stream: TcpStream, event: &str, seen: &mpsc::Sender<Seen>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
    let mut writer = stream;
    let mut served_event = false;
    while let Some((method, path, body)) = read_request(&mut reader) {
        if method == "GET" && path.ends_with("/runtime/invocation/next") {
            let _ = seen.send(Seen::Next);
            if served_event {
                // One invocation per process: hold the runtime here until it is killed.
                std::thread::sleep(Duration::from_secs(3600));
                return;
            }
            served_event = true;
            let deadline = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis()
                + 30_000;
            let headers = format!(
                "Lambda-Runtime-Aws-Request-Id: {REQUEST_ID}\r\n\
                 Lambda-Runtime-Deadline-Ms: {deadline}\r\n\
                 Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:bench\r\n\
                 Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1\r\n"
            );
            respond(&mut writer, "200 OK", &headers, event);
        } else if method == "POST" && path.ends_with("/response") {
            let _ = seen.send(Seen::Response);
            respond(&mut writer, "202 Accepted", "", "{\"status\":\"OK\"}");
        } else if method == "POST" && path.ends_with("/error") {
            let _ = seen.send(Seen::Error(String::from_utf8_lossy(&body).into_owned()));
            respond(&mut writer, "202 Accepted", "", "{\"status\":\"OK\"}");
        } else {
            respond(&mut writer, "404 Not Found", "", "{}");
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(String, String, Vec<u8>)> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((method, path, body))
}

fn respond(writer: &mut TcpStream, status: &str, headers: &str, body: &str) {
    let _ = write!(
        writer,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{headers}\r\n{body}",
        body.len()
    );
    let _ = writer.flush();
}
