//! Ending access, end to end against real `sopline serve` processes: logout,
//! revoking tokens, disabling and deleting users (through the API and the
//! CLI, while the server runs), token expiry, open event streams closing,
//! and `?token=` accepted by the stream only. A refused token is refused on
//! the very next request, on SQLite (one node, a cache invalidated on every
//! change) and on PostgreSQL (two nodes, the database asked every time).

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{
    Api, PROPERTY, Server, Sse, cli, complaint, eventually, login, postgres_db, rules, sqlite_db, token, user,
};

/// Asserts a refusal: the status, the code, and returns the message.
#[track_caller]
fn refused(answer: &(u16, Value), status: u16, code: &str) -> String {
    let (got, body) = answer;
    assert_eq!((*got, body["error"]["code"].as_str()), (status, Some(code)), "{body}");
    body["error"]["message"].as_str().unwrap().to_string()
}

/// Logs in and returns a client with the new token.
#[track_caller]
fn signed_in(server: &Server, name: &str, password: &str) -> Api {
    let answer = login(server, name, password);
    assert_eq!(answer.status, 200, "login {name}: {}", answer.body);
    Api::new(answer.body["token"].as_str().unwrap())
}

/// `GET /me` answers 200, so the server has seen (and may have cached) the token; returns the token's id.
#[track_caller]
fn warm(server: &Server, api: &Api) -> String {
    let (status, me) = api.get(&server.url("/api/v1/me"));
    assert_eq!(status, 200, "{me}");
    me["token"]["id"].as_str().unwrap_or_else(|| panic!("/me names the token's id: {me}")).to_string()
}

#[track_caller]
fn cli_ok(args: &[&str]) -> String {
    let (ok, stdout, stderr) = cli(args);
    assert!(ok, "sopline {}: {stderr}", args.join(" "));
    stdout
}

#[test]
fn logout_and_an_admins_revocation_are_refused_on_the_next_request() {
    let db = sqlite_db("auth-revoke");
    let root = Api::new(&token(&db, "admin", "root", &[]));
    let server = Server::start(&db, &rules(&[]), "n1");
    let url = |p: &str| server.url(&format!("/api/v1{p}"));
    user(&db, "agent", "wang", &[PROPERTY], "wang-pass-1");

    // The login answer carries a token: no cache may keep it.
    let answer = login(&server, "wang", "wang-pass-1");
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.cache_control.as_deref(), Some("no-store"));
    let first = Api::new(answer.body["token"].as_str().unwrap());
    warm(&server, &first);
    assert_eq!(first.post(&url("/logout"), &json!({})).0, 204);
    let message = refused(&first.get(&url("/me")), 401, "token_revoked");
    assert!(message.contains("log in again"), "{message}");

    // An admin lists the user's tokens (ids, never the tokens) and revokes one.
    let second = signed_in(&server, "wang", "wang-pass-1");
    let id = warm(&server, &second);
    let (status, list) = root.get(&url("/users/wang/tokens"));
    assert_eq!(status, 200, "{list}");
    let tokens = list["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 2, "{list}");
    assert!(!list.to_string().contains(&second.token), "a token list never shows a token: {list}");
    let listed = tokens.iter().find(|t| t["id"] == id.as_str()).unwrap_or_else(|| panic!("{id} in {list}"));
    assert_eq!((&listed["status"], &listed["kind"]), (&json!("active"), &json!("login")), "{listed}");
    assert!(tokens.iter().any(|t| t["status"] == "revoked"), "the logged-out token shows as revoked: {list}");
    let (status, revoked) = root.delete(&url(&format!("/tokens/{id}")));
    assert_eq!((status, &revoked["status"]), (200, &json!("revoked")), "{revoked}");
    refused(&second.get(&url("/me")), 401, "token_revoked");

    // Revoking all of a user's tokens at once.
    let (a, b) = (signed_in(&server, "wang", "wang-pass-1"), signed_in(&server, "wang", "wang-pass-1"));
    warm(&server, &a);
    warm(&server, &b);
    let (status, all) = root.delete(&url("/users/wang/tokens"));
    assert_eq!((status, &all["revoked"]), (200, &json!(2)), "{all}");
    refused(&a.get(&url("/me")), 401, "token_revoked");
    refused(&b.get(&url("/contacts")), 401, "token_revoked");

    // Unknown ids and users say so; only admins revoke.
    refused(&root.delete(&url("/tokens/000000000000")), 404, "not_found");
    refused(&root.get(&url("/users/nobody/tokens")), 404, "not_found");
    let agent = signed_in(&server, "wang", "wang-pass-1");
    refused(&agent.delete(&url(&format!("/tokens/{id}"))), 403, "forbidden");
    refused(&agent.get(&url("/users/root/tokens")), 403, "forbidden");

    // Every revocation is audited with the admin as actor.
    let (_, audit) = root.get(&url("/audit?limit=100"));
    let entries = audit["entries"].as_array().unwrap();
    let by =
        |action: &str, actor: &str| entries.iter().filter(|e| e["action"] == action && e["actor"] == actor).count();
    assert_eq!(by("logout", "wang"), 1, "{audit}");
    assert_eq!(by("revoke", "root"), 2, "one token, then all of wang's: {audit}");
}

#[test]
fn disabling_and_deleting_users_ends_their_access_at_once() {
    let db = sqlite_db("auth-users");
    let root = Api::new(&token(&db, "admin", "root", &[]));
    let server = Server::start(&db, &rules(&[]), "n1");
    let url = |p: &str| server.url(&format!("/api/v1{p}"));
    user(&db, "agent", "li", &[PROPERTY], "li-pass-123");
    let li = signed_in(&server, "li", "li-pass-123");
    warm(&server, &li);
    let (status, opened) = li.post(&url("/contacts"), &complaint("by-li"));
    assert_eq!(status, 201, "{opened}");
    assert_eq!(li.post(&url("/contacts/by-li/events"), &json!({"type": "answered", "agent": "li", "rings": 1})).0, 200);

    // Disabled: every token of the user is refused, and so is the password.
    let (status, disabled) = root.post(&url("/users/li/disable"), &json!({}));
    assert_eq!((status, &disabled["disabled"]), (200, &json!(true)), "{disabled}");
    let message = refused(&li.get(&url("/me")), 401, "user_disabled");
    assert!(message.contains("administrator"), "{message}");
    let again = login(&server, "li", "li-pass-123");
    assert_eq!((again.status, &again.body["error"]["code"]), (403, &json!("user_disabled")), "{}", again.body);
    let (_, users) = root.get(&url("/users"));
    let row = users["users"].as_array().unwrap().iter().find(|u| u["name"] == "li").cloned().unwrap();
    assert_eq!(row["disabled"], true, "{row}");

    // Enabled again: the same token works (disabling revoked nothing).
    let (status, enabled) = root.post(&url("/users/li/enable"), &json!({}));
    assert_eq!((status, &enabled["disabled"]), (200, &json!(false)), "{enabled}");
    warm(&server, &li);

    // An admin cannot lock themselves out.
    let message = refused(&root.post(&url("/users/root/disable"), &json!({})), 422, "rejected");
    assert!(message.contains("yourself") || message.contains("your own"), "{message}");
    refused(&root.delete(&url("/users/root")), 422, "rejected");
    warm(&server, &root);

    // Deleted: the tokens are refused, the user is gone, the log keeps the name.
    let (status, deleted) = root.delete(&url("/users/li"));
    assert_eq!((status, &deleted["deleted"]), (200, &json!("li")), "{deleted}");
    refused(&li.get(&url("/me")), 401, "user_deleted");
    assert_eq!(login(&server, "li", "li-pass-123").status, 401);
    let (_, users) = root.get(&url("/users"));
    assert!(!users["users"].as_array().unwrap().iter().any(|u| u["name"] == "li"), "{users}");
    let (_, contact) = root.get(&url("/contacts/by-li"));
    assert_eq!(contact["agent"], "li", "{contact}");
    refused(&root.delete(&url("/users/li")), 404, "not_found");

    // A new user of the same name does not bring the old tokens back.
    user(&db, "agent", "li", &[PROPERTY], "li-pass-456");
    refused(&li.get(&url("/me")), 401, "token_revoked");

    let (_, audit) = root.get(&url("/audit?limit=100"));
    let actions: Vec<(&str, &str)> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["subject"] == "li" && e["actor"] == "root")
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    for action in ["disable", "enable", "delete"] {
        assert!(actions.contains(&(action, "root")), "{action} audited: {actions:?}");
    }
}

#[test]
fn the_cli_manages_tokens_and_users_of_a_running_server() {
    let db = sqlite_db("auth-cli");
    let root = Api::new(&token(&db, "admin", "root", &[]));
    let server = Server::start(&db, &rules(&[]), "n1");
    let url = |p: &str| server.url(&format!("/api/v1{p}"));

    let first = Api::new(&token(&db, "agent", "zhou", &[PROPERTY]));
    let id = warm(&server, &first);
    let listed = cli_ok(&["token", "list", "--db", &db, "--user", "zhou"]);
    assert!(listed.contains(&id) && listed.contains("active"), "{listed}");
    assert!(!listed.contains(&first.token), "token list shows ids, not tokens: {listed}");
    // By default a token from the command line lasts 90 days.
    let in_90_days = jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_hours(90 * 24)).unwrap();
    assert!(listed.contains(&in_90_days.strftime("%Y-%m-%d").to_string()), "expires in 90 days: {listed}");

    // Revoked by id while the server runs: the next request is refused.
    cli_ok(&["token", "revoke", "--db", &db, "--id", &id]);
    refused(&first.get(&url("/me")), 401, "token_revoked");

    let second = Api::new(&token(&db, "agent", "zhou", &[PROPERTY]));
    warm(&server, &second);
    cli_ok(&["user", "disable", "--db", &db, "--name", "zhou"]);
    refused(&second.get(&url("/me")), 401, "user_disabled");
    cli_ok(&["user", "enable", "--db", &db, "--name", "zhou"]);
    warm(&server, &second);
    cli_ok(&["token", "revoke", "--db", &db, "--user", "zhou"]);
    refused(&second.get(&url("/me")), 401, "token_revoked");

    let third = Api::new(&token(&db, "agent", "zhou", &[PROPERTY]));
    warm(&server, &third);
    cli_ok(&["user", "delete", "--db", &db, "--name", "zhou"]);
    refused(&third.get(&url("/me")), 401, "user_deleted");
    let listed = cli_ok(&["token", "list", "--db", &db, "--user", "zhou"]);
    assert_eq!(listed.lines().filter(|l| l.contains("revoked")).count(), 3, "{listed}");
    let (ok, _, stderr) = cli(&["user", "delete", "--db", &db, "--name", "zhou"]);
    assert!(!ok && stderr.contains("zhou"), "deleting an unknown user says which: {stderr}");
    let (ok, _, stderr) = cli(&["token", "revoke", "--db", &db]);
    assert!(!ok && stderr.contains("--id"), "revoke needs --id or --user: {stderr}");

    let (_, audit) = root.get(&url("/audit?limit=100"));
    let by_cli: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"] == "cli" && e["subject"] == "zhou")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in ["revoke", "disable", "enable", "delete"] {
        assert!(by_cli.contains(&action), "{action} audited with the CLI as actor: {by_cli:?}");
    }
}

#[test]
fn tokens_expire() {
    let db = sqlite_db("auth-expiry");
    let server = Server::start_with(&db, &rules(&[]), "n1", &["--session-ttl", "3s"]);
    user(&db, "agent", "sun", &[PROPERTY], "sun-pass-123");
    let session = signed_in(&server, "sun", "sun-pass-123");
    let (status, me) = session.get(&server.url("/api/v1/me"));
    assert_eq!(status, 200);
    let expires = support::instant(&me["token"]["expires_at"]);
    let left = expires.duration_since(jiff::Timestamp::now()).as_secs_f64();
    assert!((1.0..=3.5).contains(&left), "a console session lasts --session-ttl: {left} s left ({me})");

    let create = |expires: &str| {
        cli_ok(&["token", "create", "--db", &db, "--role", "agent", "--name", "sun", "--expires-in", expires])
    };
    let short = Api::new(create("3s").trim());
    let forever = Api::new(create("never").trim());
    warm(&server, &short);
    let forever_id = warm(&server, &forever);
    let listed = cli_ok(&["token", "list", "--db", &db, "--user", "sun"]);
    let line = listed.lines().find(|l| l.contains(&forever_id)).unwrap_or_else(|| panic!("{listed}"));
    assert!(line.contains("never"), "{line}");
    let (ok, _, stderr) =
        cli(&["token", "create", "--db", &db, "--role", "agent", "--name", "sun", "--expires-in", "soon"]);
    assert!(!ok && stderr.contains("never"), "a bad --expires-in says what to write: {stderr}");

    std::thread::sleep(Duration::from_millis(3_300));
    let message = refused(&session.get(&server.url("/api/v1/me")), 401, "token_expired");
    assert!(message.contains("expired") && message.contains("log in"), "{message}");
    refused(&short.get(&server.url("/api/v1/me")), 401, "token_expired");
    warm(&server, &forever);
}

#[test]
fn open_streams_close_when_access_ends() {
    let db = sqlite_db("auth-streams");
    let root_token = token(&db, "admin", "root", &[]);
    let root = Api::new(&root_token);
    let server = Server::start(&db, &rules(&[]), "n1");
    let url = |p: &str| server.url(&format!("/api/v1{p}"));
    let watcher = Sse::connect(&server, &root_token);

    // Through the API: the stream closes at once, saying why.
    let disabled = Sse::connect(&server, &token(&db, "agent", "s-disabled", &[PROPERTY]));
    let started = Instant::now();
    assert_eq!(root.post(&url("/users/s-disabled/disable"), &json!({})).0, 200);
    let (at, why) = eventually(Duration::from_secs(10), "the disabled user's stream closes", || disabled.closed());
    assert_eq!(why["error"]["code"], "user_disabled", "{why}");
    println!("disabled through the API: the stream closed {:?} after the request was sent", at - started);
    assert!(at - started < Duration::from_millis(500), "closed {:?} after the change", at - started);

    user(&db, "agent", "s-out", &[PROPERTY], "s-out-pass1");
    let out = signed_in(&server, "s-out", "s-out-pass1");
    let logged_out = Sse::connect(&server, &out.token);
    let started = Instant::now();
    assert_eq!(out.post(&url("/logout"), &json!({})).0, 204);
    let (at, why) = eventually(Duration::from_secs(10), "the logged-out stream closes", || logged_out.closed());
    assert_eq!(why["error"]["code"], "token_revoked", "{why}");
    println!("logged out: the stream closed {:?} after the request was sent", at - started);
    assert!(at - started < Duration::from_millis(500), "closed {:?} after the logout", at - started);

    // Through the CLI (another process): the CLI's own run, then within the 250 ms poll.
    let revoked = Sse::connect(&server, &token(&db, "agent", "s-cli", &[PROPERTY]));
    let started = Instant::now();
    cli_ok(&["token", "revoke", "--db", &db, "--user", "s-cli"]);
    let (at, why) = eventually(Duration::from_secs(10), "the revoked stream closes", || revoked.closed());
    assert_eq!(why["error"]["code"], "token_revoked", "{why}");
    println!("revoked through the CLI: the stream closed {:?} after the CLI started", at - started);
    assert!(at - started < Duration::from_secs(2), "closed {:?} after the CLI started", at - started);

    // At its expiry.
    let short = cli_ok(&[
        "token",
        "create",
        "--db",
        &db,
        "--role",
        "agent",
        "--name",
        "s-short",
        "--department",
        PROPERTY,
        "--expires-in",
        "2s",
    ]);
    let expiring = Sse::connect(&server, short.trim());
    let started = Instant::now();
    let (at, why) = eventually(Duration::from_secs(10), "the expiring stream closes", || expiring.closed());
    assert_eq!(why["error"]["code"], "token_expired", "{why}");
    println!("expiring: the stream closed {:?} after connecting with 2 s left", at - started);
    assert!(at - started < Duration::from_millis(2_600), "closed {:?} after connecting with 2 s left", at - started);

    // The admin's own stream stays open and keeps delivering.
    assert_eq!(root.post(&url("/contacts"), &complaint("after")).0, 201);
    eventually(Duration::from_secs(10), "the admin's stream still delivers", || {
        watcher.events().into_iter().find(|(_, o)| o["contact"] == "after")
    });
    assert!(watcher.closed().is_none(), "the admin's stream is still open");
}

#[test]
fn a_token_in_the_query_authenticates_only_the_stream() {
    let db = sqlite_db("auth-query");
    let secret = token(&db, "admin", "root", &[]);
    let server = Server::start(&db, &rules(&[]), "n1");
    let client = reqwest::blocking::Client::new();
    for (method, path) in [("GET", "/me"), ("GET", "/contacts"), ("POST", "/contacts"), ("GET", "/users")] {
        let request = client.request(method.parse().unwrap(), server.url(&format!("/api/v1{path}?token={secret}")));
        let request = if method == "POST" { request.json(&complaint("q1")) } else { request };
        let r = request.send().unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().unwrap_or(Value::Null);
        assert_eq!(status, 401, "{method} {path}?token=: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("Authorization"), "{method} {path}: {message}");
    }
    let root = Api::new(&secret);
    assert_eq!(root.get(&server.url("/api/v1/contacts/q1")).0, 404, "the refused POST created nothing");
    let stream = Sse::connect(&server, &secret);
    assert_eq!(root.post(&server.url("/api/v1/contacts"), &complaint("q2")).0, 201);
    eventually(Duration::from_secs(10), "the stream delivers", || {
        stream.events().into_iter().find(|(_, o)| o["contact"] == "q2")
    });
}

/// Two nodes on one PostgreSQL: a change made through one node, or the CLI,
/// is refused on the other at its next request; its streams close within
/// the stated bound (a notice from PostgreSQL, else a re-check every 5 s).
#[test]
fn two_nodes_on_postgres_refuse_at_once() {
    let db = postgres_db("auth");
    let root = Api::new(&token(&db, "admin", "root", &[]));
    let rules = rules(&[]);
    let (n1, n2) = (Server::start(&db, &rules, "n1"), Server::start(&db, &rules, "n2"));
    user(&db, "agent", "zhao", &[PROPERTY], "zhao-pass-1");

    // Revoked through n1: n2 refuses next, and closes its stream.
    let zhao = signed_in(&n1, "zhao", "zhao-pass-1");
    let id = warm(&n2, &zhao);
    warm(&n2, &zhao);
    let stream = Sse::connect(&n2, &zhao.token);
    let started = Instant::now();
    assert_eq!(root.delete(&n1.url(&format!("/api/v1/tokens/{id}"))).0, 200);
    refused(&zhao.get(&n2.url("/api/v1/me")), 401, "token_revoked");
    let (at, why) = eventually(Duration::from_secs(15), "n2's stream closes", || stream.closed());
    assert_eq!(why["error"]["code"], "token_revoked", "{why}");
    let took = at - started;
    println!("n2's stream closed {took:?} after n1 revoked the token");
    assert!(took < Duration::from_secs(5) + Duration::from_millis(500), "closed {took:?} after the change");

    // Disabled through the CLI: both nodes refuse next.
    let again = signed_in(&n2, "zhao", "zhao-pass-1");
    warm(&n1, &again);
    warm(&n2, &again);
    cli_ok(&["user", "disable", "--db", &db, "--name", "zhao"]);
    refused(&again.get(&n1.url("/api/v1/me")), 401, "user_disabled");
    refused(&again.get(&n2.url("/api/v1/me")), 401, "user_disabled");
    cli_ok(&["user", "enable", "--db", &db, "--name", "zhao"]);
    warm(&n1, &again);

    // Logged out on n2: n1 refuses next.
    assert_eq!(again.post(&n2.url("/api/v1/logout"), &json!({})).0, 204);
    refused(&again.get(&n1.url("/api/v1/me")), 401, "token_revoked");

    // Deleted through n2: n1 refuses next.
    let last = signed_in(&n1, "zhao", "zhao-pass-1");
    warm(&n1, &last);
    assert_eq!(root.delete(&n2.url("/api/v1/users/zhao")).0, 200);
    refused(&last.get(&n1.url("/api/v1/me")), 401, "user_deleted");
}

#[test]
fn the_api_document_describes_ending_access() {
    let db = sqlite_db("auth-openapi");
    let server = Server::start(&db, &rules(&[]), "n1");
    let doc: Value = reqwest::blocking::get(server.url("/api/v1/openapi.json")).unwrap().json().unwrap();
    let paths = &doc["paths"];
    for (path, method) in [
        ("/api/v1/logout", "post"),
        ("/api/v1/tokens/{id}", "delete"),
        ("/api/v1/users/{name}/tokens", "get"),
        ("/api/v1/users/{name}/tokens", "delete"),
        ("/api/v1/users/{name}/disable", "post"),
        ("/api/v1/users/{name}/enable", "post"),
        ("/api/v1/users/{name}", "delete"),
    ] {
        let operation = &paths[path][method];
        assert!(operation.is_object(), "{method} {path} is documented");
        assert!(operation["responses"]["401"].is_object(), "{method} {path} documents its 401");
    }
    let login = &paths["/api/v1/login"]["post"]["responses"];
    assert!(login["429"]["headers"]["Retry-After"].is_object(), "the login documents 429 with Retry-After: {login}");
    assert!(
        paths["/api/v1/contacts"]["post"]["responses"]["401"].is_object(),
        "every route that takes a token documents 401"
    );
    assert!(paths["/api/v1/audit"]["get"]["parameters"].to_string().contains("before"), "audit paging is documented");
}
