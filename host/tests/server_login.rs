//! Signing in, end to end against real `sopline serve` processes: failed
//! logins throttled per name and per client address, password checks
//! bounded under a flood, every login audited, the audit trail paged, and
//! user names that imitate others refused.

mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Api, PROPERTY, Server, cli, login, login_from, peak_rss_mib, rules, sqlite_db, token, user};

#[test]
fn the_sixth_wrong_password_is_throttled_even_when_the_right_one_follows() {
    let db = sqlite_db("login-throttle");
    let root = Api::new(&token(&db, "admin", "root", &[]));
    let server = Server::start(&db, &rules(&[]), "n1");
    user(&db, "agent", "chen", &[PROPERTY], "chen-pass-1");
    user(&db, "agent", "zhou", &[PROPERTY], "zhou-pass-1");

    for attempt in 1..=5 {
        let answer = login(&server, "chen", &format!("guess-{attempt}"));
        assert_eq!((answer.status, &answer.body["error"]["code"]), (401, &json!("unauthorized")), "attempt {attempt}");
    }
    let sixth = login(&server, "chen", "guess-6");
    assert_eq!((sixth.status, &sixth.body["error"]["code"]), (429, &json!("throttled")), "{}", sixth.body);
    let wait = sixth.retry_after.expect("a 429 says when to come back (Retry-After)");
    assert!((1..=60).contains(&wait), "Retry-After: {wait}");
    let message = sixth.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("try again") && message.contains(&format!("{wait} s")), "{message}");
    let right = login(&server, "chen", "chen-pass-1");
    assert_eq!(right.status, 429, "the right password during the lockout is refused too: {}", right.body);
    assert!(right.retry_after.is_some());

    // Another user at the same address is not locked out by chen's lockout.
    let other = login(&server, "zhou", "zhou-pass-1");
    assert_eq!(other.status, 200, "{}", other.body);

    // Every attempt that was checked is audited with the address; a name
    // that does not exist is recorded and nothing is created for it.
    assert_eq!(login(&server, "ghost", "whatever-1").status, 401);
    let (_, audit) = root.get(&server.url("/api/v1/audit?limit=100"));
    let entries = audit["entries"].as_array().unwrap();
    let of = |action: &str, subject: &str| -> Vec<&Value> {
        entries.iter().filter(|e| e["action"] == action && e["subject"] == subject).collect()
    };
    assert_eq!(of("login_failed", "chen").len(), 5, "{audit}");
    assert!(of("login_failed", "chen").iter().all(|e| e["detail"]["address"] == "127.0.0.1"), "{audit}");
    assert_eq!(of("login_locked", "chen").len(), 1, "the lockout itself is audited once: {audit}");
    let ok = of("login", "zhou");
    assert_eq!((ok.len(), &ok[0]["detail"]["address"]), (1, &json!("127.0.0.1")), "{audit}");
    assert_eq!(of("login_failed", "ghost").len(), 1, "{audit}");
    let (_, users) = root.get(&server.url("/api/v1/users"));
    assert!(!users["users"].as_array().unwrap().iter().any(|u| u["name"] == "ghost"), "{users}");
}

#[test]
fn an_address_is_throttled_after_twenty_failures_and_a_proxy_is_trusted_only_when_asked() {
    let db = sqlite_db("login-address");
    let rules = rules(&[]);
    user(&db, "admin", "root", &[], "root-pass-1");

    // Behind a trusted proxy, the address is the one the proxy forwarded.
    let proxied = Server::start_with(&db, &rules, "n1", &["--trust-proxy"]);
    for i in 0..20 {
        assert_eq!(login_from(&proxied, &format!("nobody-{i}"), "wrong-pass", Some("203.0.113.7")).status, 401);
    }
    let locked = login_from(&proxied, "root", "root-pass-1", Some("203.0.113.7"));
    assert_eq!((locked.status, &locked.body["error"]["code"]), (429, &json!("throttled")), "{}", locked.body);
    assert!(locked.retry_after.is_some());
    assert_eq!(login_from(&proxied, "root", "root-pass-1", Some("203.0.113.8")).status, 200, "another address");
    drop(proxied);

    // Without --trust-proxy a forged X-Forwarded-For changes nothing: the
    // failures count against the connection's own address.
    let direct = Server::start(&db, &rules, "n1");
    for i in 0..20 {
        let forged = format!("198.51.100.{i}");
        assert_eq!(login_from(&direct, &format!("nobody-{i}"), "wrong-pass", Some(&forged)).status, 401);
    }
    let locked = login_from(&direct, "root", "root-pass-1", Some("198.51.100.99"));
    assert_eq!(locked.status, 429, "{}", locked.body);
}

/// The percentile `p` (0–100) of some durations.
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

#[test]
fn a_login_flood_keeps_memory_bounded_and_other_requests_fast() {
    let db = sqlite_db("login-flood");
    // Behind a "proxy", so each bad login comes from its own address and
    // reaches the password check (as a botnet's would).
    let server = Arc::new(Server::start_with(&db, &rules(&[]), "n1", &["--trust-proxy"]));
    let agent = Api::new(&token(&db, "agent", "busy", &[PROPERTY]));
    user(&db, "agent", "real", &[PROPERTY], "real-pass-1");
    let me = server.url("/api/v1/me");
    assert_eq!(agent.get(&me).0, 200);
    let before = peak_rss_mib(&server);

    let stop = Arc::new(AtomicBool::new(false));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let prober = {
        let (stop, latencies, me, token) = (stop.clone(), latencies.clone(), me.clone(), agent.token.clone());
        std::thread::spawn(move || {
            let api = Api::new(&token);
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                assert_eq!(api.get(&me).0, 200);
                latencies.lock().unwrap().push(started.elapsed());
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    // At least 384 bad logins, 64 at a time, for at least 5 s.
    let next = Arc::new(AtomicUsize::new(0));
    let statuses = Arc::new(Mutex::new(std::collections::BTreeMap::<u16, usize>::new()));
    let started = Instant::now();
    let flood: Vec<_> = (0..64)
        .map(|_| {
            let (server, next, statuses) = (server.clone(), next.clone(), statuses.clone());
            std::thread::spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= 384 && started.elapsed() > Duration::from_secs(5) {
                        break;
                    }
                    let address = format!("10.{}.{}.{}", i / 65_536, (i / 256) % 256, i % 256);
                    let answer = login_from(&server, &format!("flood-{i}"), "wrong-pass", Some(&address));
                    *statuses.lock().unwrap().entry(answer.status).or_default() += 1;
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let real_started = Instant::now();
    let real = login(&server, "real", "real-pass-1");
    let real_took = real_started.elapsed();
    for t in flood {
        t.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    prober.join().unwrap();

    let after = peak_rss_mib(&server);
    let mut latencies = latencies.lock().unwrap().clone();
    latencies.sort();
    let statuses = statuses.lock().unwrap().clone();
    println!(
        "login flood: {statuses:?} in {:?}; peak RSS {before} → {after} MiB; /me during it ({} probes) p50 {:?} p99 {:?} max {:?}; a real login {} in {real_took:?}",
        started.elapsed(),
        latencies.len(),
        percentile(&latencies, 50),
        percentile(&latencies, 99),
        latencies.last().unwrap(),
        real.status,
    );
    assert!(statuses.values().sum::<usize>() >= 384);
    assert!(statuses.keys().all(|s| [401, 503].contains(s)), "bad logins are refused or turned away: {statuses:?}");
    assert!(statuses.contains_key(&503), "logins beyond the queue are turned away at once: {statuses:?}");
    assert!(after - before < 200, "peak RSS grew {before} → {after} MiB under the flood");
    assert!(percentile(&latencies, 99) < Duration::from_millis(500), "/me p99 {:?}", percentile(&latencies, 99));
    assert!([200, 503].contains(&real.status), "{}", real.body);
}

#[test]
fn the_audit_trail_pages_with_a_cursor() {
    let db = sqlite_db("login-audit");
    let root = Api::new(&token(&db, "admin", "root", &[]));
    let server = Server::start(&db, &rules(&[]), "n1");
    let url = |p: &str| server.url(&format!("/api/v1{p}"));
    for i in 0..7 {
        let (status, body) = root.post(&url("/users"), &json!({"name": format!("user-{i}"), "role": "author"}));
        assert_eq!(status, 201, "{body}");
    }
    let (_, everything) = root.get(&url("/audit?limit=1000"));
    let all: Vec<i64> = everything["entries"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(all.len() >= 7 && all.windows(2).all(|w| w[0] > w[1]), "newest first: {all:?}");
    assert_eq!(everything["next"], Value::Null, "nothing after the last page");

    let (mut paged, mut cursor, mut pages) = (Vec::new(), None::<i64>, 0);
    loop {
        let path = match cursor {
            Some(before) => format!("/audit?limit=3&before={before}"),
            None => "/audit?limit=3".to_string(),
        };
        let (status, page) = root.get(&url(&path));
        assert_eq!(status, 200, "{page}");
        let ids: Vec<i64> = page["entries"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect();
        assert!(ids.len() <= 3, "{page}");
        paged.extend(ids);
        pages += 1;
        match page["next"].as_i64() {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, all, "the pages together are the whole trail, in order, once ({pages} pages)");
    let (status, bad) = root.get(&url("/audit?before=yesterday"));
    assert_eq!((status, &bad["error"]["code"]), (400, &json!("invalid_query")), "{bad}");
}

#[test]
fn look_alike_names_are_refused_through_the_api_and_the_cli() {
    let db = sqlite_db("login-names");
    let root = Api::new(&token(&db, "admin", "root", &[]));
    let server = Server::start(&db, &rules(&[]), "n1");
    let add = |name: &str| root.post(&server.url("/api/v1/users"), &json!({"name": name, "role": "author"}));

    let refused = [
        ("\u{430}dmin", "U+0430"),     // Cyrillic а
        ("ａｄｍｉｎ", "U+FF41"),      // full-width letters
        ("ad\u{202E}nimda", "U+202E"), // right-to-left override
        ("admin\u{200B}", "U+200B"),   // zero-width space
        ("zhang张三", "mix"),          // Latin and Han in one name
        ("admin\u{4E28}", "mix"),      // 丨, a Han stroke that looks like l
        ("..", "start"),
        ("-rf", "start"),
        ("ad min", "U+0020"),
        ("", "1–64"),
    ];
    for (name, why) in refused {
        let (status, body) = add(name);
        assert_eq!((status, &body["error"]["code"]), (422, &json!("invalid_user")), "API accepted {name:?}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(why), "{name:?}: the message names the problem ({why}): {message}");
        // (`--name=` so that a name starting with `-` is not taken for an option.)
        let (ok, _, stderr) = cli(&["user", "add", "--db", &db, "--role", "author", &format!("--name={name}")]);
        assert!(!ok && stderr.contains(why), "CLI accepted {name:?}: {stderr}");
    }
    let (_, users) = root.get(&server.url("/api/v1/users"));
    assert_eq!(users["users"].as_array().unwrap().len(), 1, "only root: {users}");

    for name in ["张三", "买买提·艾力", "张三2", "zhang.san@corp", "agent-01"] {
        let (status, body) = add(name);
        assert_eq!(status, 201, "{name}: {body}");
    }
    let (ok, _, stderr) = cli(&["user", "add", "--db", &db, "--role", "author", "--name", "李四"]);
    assert!(ok, "{stderr}");
}
