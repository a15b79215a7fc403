//! Bad input hurts nobody else, and who did what is proven: against real
//! `sopline serve` processes on a SQLite file and on PostgreSQL.
//!
//! - A NUL character anywhere in an event is refused with the field named.
//! - A value the database itself refuses (here a constraint an operator
//!   added) fails only the request that carries it: the other requests
//!   committed in the same batches, of the same and other departments, all
//!   succeed.
//! - Actor fields come from the credential; every log row records the caller.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use support::*;

const BANK: &str = "bank-service";

fn open_answered(api: &Api, server: &Server, id: &str, department: &str, agent: &str) {
    let body = json!({"id": id, "department": department, "channel": "chat", "category": "consultation",
        "customer": {"name": "王建国"}});
    let (status, answer) = api.post(&server.url("/api/v1/contacts"), &body);
    assert_eq!(status, 201, "{answer}");
    let (status, answer) =
        api.post(&server.url(&format!("/api/v1/contacts/{id}/events")), &json!({"type": "answered", "agent": agent}));
    assert_eq!(status, 200, "{answer}");
}

/// Customer messages to 8 contacts of two departments from 8 threads while
/// `bad` requests go in between; returns the failures of the good ones.
fn refused_alone(db: &str, poison: impl FnOnce()) {
    let server = Server::start(db, &rules(&[]), "n1");
    let desk = Api::new(&token(db, "agent", "desk", &[PROPERTY]));
    let teller = Api::new(&token(db, "agent", "teller", &[BANK]));
    for i in 0..4 {
        open_answered(&desk, &server, &format!("p{i}"), PROPERTY, "desk");
        open_answered(&teller, &server, &format!("b{i}"), BANK, "teller");
    }
    open_answered(&desk, &server, "target", PROPERTY, "desk");
    poison();

    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let server = Arc::new(server);
    let mut threads = Vec::new();
    for i in 0..8 {
        let (contact, token) = if i % 2 == 0 {
            (format!("p{}", i / 2), desk.token.clone())
        } else {
            (format!("b{}", i / 2), teller.token.clone())
        };
        let (server, stop, failures, accepted) = (server.clone(), stop.clone(), failures.clone(), accepted.clone());
        threads.push(std::thread::spawn(move || {
            let api = Api::new(&token);
            let url = server.url(&format!("/api/v1/contacts/{contact}/events"));
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) || n < 20 {
                n += 1;
                let (status, answer) = api.post(
                    &url,
                    &json!({"type": "message", "from": "customer", "text": format!("第{n}条:请问进度如何?")}),
                );
                if status == 200 {
                    accepted.fetch_add(1, Ordering::Relaxed);
                } else {
                    failures.lock().unwrap().push(format!("{contact}: {status} {answer}"));
                }
            }
        }));
    }
    let target = server.url("/api/v1/contacts/target/events");
    for n in 0..15 {
        let (status, answer) =
            desk.post(&target, &json!({"type": "message", "from": "customer", "text": format!("POISON {n}")}));
        assert_eq!(status, 422, "a value the database refuses is the request's fault: {answer}");
        assert_eq!(answer["error"]["code"], "refused_by_database", "{answer}");
        let text = answer["error"]["message"].as_str().unwrap();
        assert!(!text.contains("poisoned"), "no database text reaches the client: {text}");
        let (status, answer) =
            desk.post(&target, &json!({"type": "message", "from": "customer", "text": format!("第{n}条\u{0}")}));
        assert_eq!(status, 422, "{answer}");
        assert!(answer["error"]["message"].as_str().unwrap().contains("`text`"), "the field is named: {answer}");
        let mut nul_name = json!({"department": PROPERTY, "channel": "phone", "category": "complaint",
            "customer": {"name": "王\u{0}建国"}});
        nul_name["id"] = format!("nul-{n}").into();
        let (status, answer) = desk.post(&server.url("/api/v1/contacts"), &nul_name);
        assert_eq!(status, 422, "{answer}");
        assert!(answer["error"]["message"].as_str().unwrap().contains("`customer.name`"), "{answer}");
        std::thread::sleep(Duration::from_millis(15));
    }
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} good requests failed next to the bad ones: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    // The good requests are all in the log, the bad ones not at all.
    let admin = Api::new(&token(db, "admin", "root", &[]));
    let mut logged = 0;
    for i in 0..4 {
        for id in [format!("p{i}"), format!("b{i}")] {
            let (_, contact) = admin.get(&server.url(&format!("/api/v1/contacts/{id}")));
            logged += contact["timeline"].as_array().unwrap().iter().filter(|e| e["type"] == "message").count();
        }
    }
    assert_eq!(logged, accepted.load(Ordering::Relaxed), "every accepted message is in the log, once");
    let (_, target) = admin.get(&server.url("/api/v1/contacts/target"));
    assert!(!target["timeline"].to_string().contains("POISON"), "nothing of a refused request was written");
    assert_eq!(admin.get(&server.url("/api/v1/contacts/nul-0")).0, 404);
}

#[test]
fn a_refused_value_fails_only_its_own_request_on_sqlite() {
    let db = sqlite_db("refused");
    let file = db.trim_start_matches("sqlite://").to_string();
    refused_alone(&db, || {
        let conn = rusqlite::Connection::open(&file).unwrap();
        conn.busy_timeout(Duration::from_secs(10)).unwrap();
        conn.execute_batch(
            "CREATE TRIGGER poison BEFORE INSERT ON log WHEN NEW.body LIKE '%POISON%' \
             BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;",
        )
        .unwrap();
    });
}

#[test]
fn a_refused_value_fails_only_its_own_request_on_postgres() {
    let db = postgres_db("refused");
    let url = db.clone();
    refused_alone(&db, move || {
        psql(
            &url,
            "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
               IF NEW.body LIKE '%POISON%' THEN RAISE EXCEPTION 'poisoned row' USING ERRCODE = '23514'; END IF; \
               RETURN NEW; END $$; \
             CREATE TRIGGER poison BEFORE INSERT ON log FOR EACH ROW EXECUTE FUNCTION poison();",
        );
    });
}

fn entry<'a>(contact: &'a Value, kind: &str) -> &'a Value {
    contact["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {contact}"))
}

#[test]
fn actors_come_from_the_credential_and_every_row_records_the_caller() {
    let db = sqlite_db("actors");
    let server = Server::start(&db, &rules(&[]), "n1");
    let desk = Api::new(&token(&db, "agent", "desk", &[PROPERTY]));
    let boss = Api::new(&token(&db, "supervisor", "boss", &[PROPERTY]));
    let url = |p: &str| server.url(&format!("/api/v1{p}"));
    assert_eq!(desk.post(&url("/contacts"), &complaint("c1")).0, 201);

    // An agent cannot answer (and so take the penalties of) a colleague's contact in their name.
    let (status, answer) =
        desk.post(&url("/contacts/c1/events"), &json!({"type": "answered", "agent": "li", "rings": 1}));
    assert_eq!(status, 403, "{answer}");
    assert!(answer["error"]["message"].as_str().unwrap().contains("`desk`"), "{answer}");
    // Left out, the agent is the caller.
    assert_eq!(desk.post(&url("/contacts/c1/events"), &json!({"type": "answered", "rings": 1})).0, 200);
    let (_, c1) = desk.get(&url("/contacts/c1"));
    let answered = entry(&c1, "answered");
    assert_eq!((&answered["agent"], &answered["actor"]), (&json!("desk"), &json!("desk")), "{answered}");
    assert_eq!(c1["agent"], "desk");

    // Approvals need a supervisor, and are theirs.
    let approve = json!({"type": "approved", "what": "派工单"});
    assert_eq!(desk.post(&url("/contacts/c1/events"), &approve).0, 403);
    let forged = json!({"type": "approved", "what": "派工单", "by": "manager"});
    assert_eq!(boss.post(&url("/contacts/c1/events"), &forged).0, 403);
    let (status, answer) = boss.post(&url("/contacts/c1/events"), &approve);
    assert_eq!(status, 200, "{answer}");
    let (_, c1) = desk.get(&url("/contacts/c1"));
    let approved = entry(&c1, "approved");
    assert_eq!((&approved["by"], &approved["actor"]), (&json!("boss"), &json!("boss")), "{approved}");

    // A supervisor may act for an agent; the log says who really did.
    let (status, answer) = boss.post(&url("/contacts/c1/events"), &json!({"type": "ended", "agent": "desk"}));
    assert_eq!(status, 200, "{answer}");
    let (_, c1) = desk.get(&url("/contacts/c1"));
    let ended = entry(&c1, "ended");
    assert_eq!((&ended["agent"], &ended["actor"]), (&json!("desk"), &json!("boss")), "{ended}");
    // Outcomes carry the caller whose request caused them.
    let outcomes: Vec<&Value> =
        c1["timeline"].as_array().unwrap().iter().filter(|e| e["entry"] == "outcome" && e["actor"] == "boss").collect();
    assert!(!outcomes.is_empty(), "the outcomes of the supervisor's event record the supervisor: {c1}");
}

#[test]
fn a_binding_whose_duration_could_never_run_is_refused_before_it_is_bound() {
    let db = sqlite_db("durations");
    let server = Server::start(&db, &rules(&[]), "n1");
    let admin = Api::new(&token(&db, "admin", "root", &[]));
    let url = server.url(&format!("/api/v1/departments/{PROPERTY}/binding"));
    for (value, says) in [("99999999d", "3660 days"), ("0s", "at least a second")] {
        for dry_run in [true, false] {
            let (status, answer) =
                admin.put(&url, &json!({"params": {"notify_department": value}, "dry_run": dry_run}));
            assert_eq!(status, 422, "{value} (dry run {dry_run}): {answer}");
            let message = answer["error"]["message"].as_str().unwrap();
            assert!(message.contains("notify_department") && message.contains(says), "{message}");
        }
    }
    // Nothing was bound: new contacts still run.
    let desk = Api::new(&token(&db, "agent", "desk", &[PROPERTY]));
    assert_eq!(desk.post(&server.url("/api/v1/contacts"), &complaint("c1")).0, 201);
    let (status, answer) =
        desk.post(&server.url("/api/v1/contacts/c1/events"), &json!({"type": "answered", "agent": "desk"}));
    assert_eq!(status, 200, "{answer}");
    assert!(!answer.to_string().contains("plugin_failed"), "{answer}");
}
