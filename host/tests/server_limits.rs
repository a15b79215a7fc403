//! `sopline serve` under connection abuse: more half-sent requests
//! (slowloris) than it has file descriptors, idle keep-alive connections,
//! and a graceful stop with connections of every kind open.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use support::{Launch, Server, Sse, rules, sqlite_db, token};

fn addr(server: &Server) -> SocketAddr {
    server.base.trim_start_matches("http://").parse().unwrap()
}

/// Whether the server has closed `stream` (end of file or a reset), without waiting.
fn is_closed(stream: &mut TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            // An answer (a 503, say) before the close: read on.
            Ok(_) => continue,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return false,
            Err(_) => return true,
        }
    }
}

/// Sends a complete `GET /healthz` on `stream` and reads the whole answer.
fn get_healthz(stream: &mut TcpStream) -> String {
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n").unwrap();
    stream.set_nonblocking(false).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "closed mid-answer: {}", String::from_utf8_lossy(&answer));
        answer.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&answer).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
                .unwrap_or(0usize);
            if body.len() >= length {
                return text;
            }
        }
    }
}

#[test]
fn half_sent_requests_beyond_the_descriptor_limit_do_not_starve_healthz() {
    let db = sqlite_db("limits-slowloris");
    let server = Server::launch(
        &db,
        &rules(&[]),
        "n1",
        &Launch { extra: &["--header-timeout", "2s"], open_files: Some(256), ..Launch::default() },
    );
    let opened = Instant::now();
    let mut loris: Vec<TcpStream> = (0..300)
        .map(|_| {
            let mut s = TcpStream::connect(addr(&server)).unwrap();
            s.write_all(b"GET /healthz HT").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));

    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(1)).build().unwrap();
    let started = Instant::now();
    let health = client.get(server.url("/healthz")).send().unwrap_or_else(|e| {
        panic!("/healthz did not answer within 1 s with 300 half-sent requests open and 256 descriptors: {e}")
    });
    let took = started.elapsed();
    assert_eq!(health.status().as_u16(), 200, "{}", health.text().unwrap_or_default());
    eprintln!("/healthz answered in {took:?} under 300 half-sent requests");

    // Every half-sent request is closed; those still held, by the 2 s header timeout.
    let mut closed_at: Vec<Option<Duration>> = vec![None; loris.len()];
    while closed_at.iter().any(Option::is_none) && opened.elapsed() < Duration::from_secs(6) {
        for (stream, at) in loris.iter_mut().zip(closed_at.iter_mut()) {
            if at.is_none() && is_closed(stream) {
                *at = Some(opened.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let open = closed_at.iter().filter(|c| c.is_none()).count();
    assert_eq!(open, 0, "{open} of 300 half-sent requests are still open after {:?}", opened.elapsed());
    let late = closed_at.iter().flatten().filter(|at| **at >= Duration::from_millis(1_800)).count();
    let last = closed_at.iter().flatten().max().unwrap();
    eprintln!("{late} half-sent requests were held until the header timeout; the last closed at {last:?}");
    assert!(late > 0, "some were held until the header timeout (the rest made room for new connections)");
    assert!(*last < Duration::from_millis(4_000), "the last closed at {last:?}, well after the 2 s header timeout");

    let health = client.get(server.url("/healthz")).send().unwrap();
    assert_eq!(health.status().as_u16(), 200);
    // The operator can see why they were closed.
    let metrics = client.get(server.url("/metrics")).send().unwrap().text().unwrap();
    let closed = |reason: &str| -> u64 {
        let name = format!("sopline_http_connections_closed_total{{reason=\"{reason}\"}} ");
        metrics.lines().find_map(|l| l.strip_prefix(&name)).map_or(0, |n| n.trim().parse().unwrap())
    };
    assert!(closed("header_timeout") >= late as u64, "{metrics}");
    assert!(closed("evicted") >= (300 - late) as u64, "{metrics}");
}

#[test]
fn an_idle_keep_alive_connection_outlives_the_header_timeout_and_closes_after_the_idle_timeout() {
    let db = sqlite_db("limits-idle");
    let server = Server::start_with(&db, &rules(&[]), "n1", &["--header-timeout", "1s", "--idle-timeout", "3s"]);
    let mut stream = TcpStream::connect(addr(&server)).unwrap();
    let answer = get_healthz(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let idle_since = Instant::now();

    std::thread::sleep(Duration::from_millis(2_000));
    assert!(!is_closed(&mut stream), "an idle keep-alive connection is not cut by the 1 s header timeout");
    let closed = loop {
        if is_closed(&mut stream) {
            break idle_since.elapsed();
        }
        assert!(idle_since.elapsed() < Duration::from_secs(6), "still open after {:?} idle", idle_since.elapsed());
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(closed >= Duration::from_millis(2_900), "closed after {closed:?} idle, before the 3 s idle timeout");
}

#[test]
fn a_graceful_stop_finishes_with_streams_idle_and_half_sent_connections_open() {
    let db = sqlite_db("limits-stop");
    let root = token(&db, "admin", "root", &[]);
    let mut server = Server::start(&db, &rules(&[]), "n1");
    let stream = Sse::connect(&server, &root);
    let mut idle = TcpStream::connect(addr(&server)).unwrap();
    assert!(get_healthz(&mut idle).starts_with("HTTP/1.1 200"));
    let mut half = TcpStream::connect(addr(&server)).unwrap();
    half.write_all(b"GET /heal").unwrap();
    std::thread::sleep(Duration::from_millis(200));

    let started = Instant::now();
    let status = server.stop();
    let took = started.elapsed();
    assert_eq!(status.code(), Some(0), "a graceful stop");
    assert!(
        took < Duration::from_secs(5),
        "the stop waited {took:?} for open connections (default timeouts are longer)"
    );
    assert!(is_closed(&mut idle) && is_closed(&mut half));
    drop(stream);
}
