//! When the server itself fails, the client learns that it failed and an id
//! to quote, never the internals (SQL, table names, file paths); the log has
//! the details under the same id.

mod support;

use std::process::Command;
use std::time::Duration;

use support::{Api, Launch, Server, complaint, eventually, rules, sqlite_db, tempdir, token};

#[test]
fn a_server_failure_answers_an_error_id_and_logs_the_details() {
    let db = sqlite_db("errors-5xx");
    let admin = Api::new(&token(&db, "admin", "root", &[]));
    let log = tempdir("errors-log").join("server.log");
    let server = Server::launch(&db, &rules(&[]), "n1", &Launch { log: Some(log.clone()), ..Launch::default() });
    let url = |p: &str| server.url(&format!("/api/v1{p}"));
    assert_eq!(admin.post(&url("/contacts"), &complaint("c1")).0, 201);

    // The log table disappears under the running server: reading a
    // contact's timeline now fails inside the database layer.
    let file = db.trim_start_matches("sqlite://");
    let out = Command::new("sqlite3").args([file, "ALTER TABLE log RENAME TO log_gone"]).output().unwrap();
    assert!(out.status.success(), "sqlite3: {}", String::from_utf8_lossy(&out.stderr));

    let (status, body) = admin.get(&url("/contacts/c1"));
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["error"]["code"], "internal", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    let id = message
        .strip_prefix("the server failed (error id ")
        .and_then(|rest| rest.strip_suffix("); the details are in its log"))
        .unwrap_or_else(|| panic!("not the generic message: {message}"));
    assert!(id.len() >= 6 && id.chars().all(|c| c.is_ascii_alphanumeric()), "a short id: {id}");
    let text = body.to_string().to_lowercase();
    for internal in ["no such table", "log_gone", "sqlite", "database", "sql", "contact c1"] {
        assert!(!text.contains(internal), "the answer shows `{internal}`: {body}");
    }

    let logged = eventually(Duration::from_secs(5), "the error in the server's log", || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        text.lines().find(|l| l.contains(id)).map(str::to_string)
    });
    assert!(logged.contains("no such table: log"), "the log has the details: {logged}");
}
