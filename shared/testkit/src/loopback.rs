//! A minimal HTTP/1.1 server on 127.0.0.1 for tests: each connection carries one request (its
//! body read by `Content-Length`), answered by a handler taking and giving lambda_http types.
//! It stands in for a browser's server (the transcript page) and for the payment provider.

use lambda_http::{Body, Request, Response};
use std::future::Future;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The largest request read.
const MAX_REQUEST: usize = 1024 * 1024;

/// Serves `handler` until the test's runtime ends; the server's address (`http://127.0.0.1:…`).
pub async fn serve<H, Fut>(handler: H) -> String
where
    H: Fn(Request) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<Body>> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let address = listener.local_addr().expect("its address");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handler = handler.clone();
            tokio::spawn(async move {
                let mut stream = stream;
                if let Some(request) = read_request(&mut stream).await {
                    let response = handler(request).await;
                    write_response(&mut stream, response).await;
                }
            });
        }
    });
    format!("http://{address}")
}

async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut received = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if received.len() > MAX_REQUEST {
            return None;
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => received.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&received[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let (method, target) = (first.next()?.to_string(), first.next()?.to_string());
    let mut request = lambda_http::http::Request::builder()
        .method(method.as_str())
        .uri(target.as_str());
    let mut length = 0usize;
    for line in lines.take_while(|l| !l.is_empty()) {
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
            request = request.header(name.trim(), value.trim());
        }
    }
    if length > MAX_REQUEST {
        return None;
    }
    let mut body = received[head_end..].to_vec();
    while body.len() < length {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => body.extend_from_slice(&buf[..n]),
        }
    }
    body.truncate(length);
    let body = match String::from_utf8(body) {
        Ok(text) if text.is_empty() => Body::Empty,
        Ok(text) => Body::Text(text),
        Err(bytes) => Body::Binary(bytes.into_bytes()),
    };
    request.body(body).ok()
}

async fn write_response(stream: &mut TcpStream, response: Response<Body>) {
    let (parts, body) = response.into_parts();
    let body: Vec<u8> = match body {
        Body::Text(t) => t.into_bytes(),
        Body::Binary(b) => b,
        _ => Vec::new(),
    };
    let mut out = format!(
        "HTTP/1.1 {} {}\r\n",
        parts.status.as_u16(),
        parts.status.canonical_reason().unwrap_or("")
    );
    for (name, value) in &parts.headers {
        out.push_str(&format!(
            "{}: {}\r\n",
            name,
            value.to_str().unwrap_or_default()
        ));
    }
    out.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    let _ = stream.write_all(out.as_bytes()).await;
    let _ = stream.write_all(&body).await;
    let _ = stream.shutdown().await;
}
