//! What `sopline serve` promises about durability, against real processes:
//! an acknowledged event survives `kill -9`; deadlines survive restarts and
//! downtime (firing late, marked so, once); two nodes on one PostgreSQL fire
//! every deadline exactly once even when one of them dies mid-way, and share
//! their live streams.

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Api, PROPERTY, Server, Sse, complaint, eventually, instant, postgres_db, psql, rules, sqlite_db, token};

/// The deadline timer firings and `deadline_missed` outcomes of `name` in a contact's timeline.
fn firings(contact: &Value, name: &str) -> (Vec<Value>, Vec<Value>) {
    let timeline = contact["timeline"].as_array().unwrap();
    let timers = timeline.iter().filter(|e| e["entry"] == "timer" && e["name"] == name).cloned().collect();
    let missed = timeline
        .iter()
        .filter(|e| e["entry"] == "outcome" && e["kind"] == "deadline_missed" && e["name"] == name)
        .cloned()
        .collect();
    (timers, missed)
}

/// The `answer` deadline's due time from an `opened` answer (whole seconds).
fn answer_due(opened: &Value) -> jiff::Timestamp {
    let set =
        opened["outcomes"].as_array().unwrap().iter().find(|o| o["kind"] == "deadline_set" && o["name"] == "answer");
    instant(&set.unwrap_or_else(|| panic!("opening starts the answer deadline: {opened}"))["due"])
}

#[test]
fn kill_9_keeps_every_acknowledged_event_and_pending_deadlines() {
    let db = sqlite_db("kill9");
    let root = token(&db, "admin", "root", &[]);
    // Unanswered calls miss the `answer` deadline 6 s after they were opened.
    let rules = rules(&[(PROPERTY, "max_rings", "1"), (PROPERTY, "ring_length", "\"6s\"")]);
    let mut server = Server::start(&db, &rules, "n1");
    let admin = Api::new(&root);

    // A client works contacts as fast as it can and remembers what was acknowledged.
    let acked = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let client = {
        let (acked, root, base) = (acked.clone(), root.clone(), server.base.clone());
        std::thread::spawn(move || {
            let api = Api::new(&root);
            let send = |path: &str, body: &Value| -> Result<bool, reqwest::Error> {
                let r = api.client.post(format!("{base}/api/v1{path}")).bearer_auth(&api.token).json(body).send()?;
                Ok(r.status().is_success())
            };
            for c in 0.. {
                let id = format!("busy-{c}");
                let mut events = vec![("/contacts".to_string(), complaint(&id), "opened".to_string())];
                events.push((
                    format!("/contacts/{id}/events"),
                    json!({"type": "answered", "agent": "a1", "rings": 1}),
                    "answered".into(),
                ));
                for m in 0..4 {
                    let text = format!("{id} 第{m}条留言");
                    events.push((
                        format!("/contacts/{id}/events"),
                        json!({"type": "message", "from": "customer", "text": text}),
                        text,
                    ));
                }
                for (path, body, marker) in events {
                    match send(&path, &body) {
                        Ok(true) => acked.lock().unwrap().push((id.clone(), marker)),
                        Ok(false) => panic!("{path} {body} was refused before the kill"),
                        // The node is gone.
                        Err(_) => return,
                    }
                }
            }
        })
    };
    eventually(Duration::from_secs(20), "some events acknowledged", || {
        (acked.lock().unwrap().len() >= 30).then_some(())
    });
    // Calls nobody answers, opened amid the stream: their deadlines are pending when the node dies.
    let mut waiting = Vec::new();
    for i in 0..4 {
        let id = format!("ringing-{i}");
        let (status, opened) = admin.post(&server.url("/api/v1/contacts"), &complaint(&id));
        assert_eq!(status, 201, "{opened}");
        waiting.push((id, answer_due(&opened)));
    }
    server.kill9();
    let killed_at = jiff::Timestamp::now();
    client.join().unwrap();
    for (id, due) in &waiting {
        assert!(killed_at < *due, "the node died before {id}'s deadline ({due}) fell due (killed {killed_at})");
    }

    let server = Server::start(&db, &rules, "n1");
    let acked = acked.lock().unwrap().clone();
    let mut by_contact: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, marker) in acked {
        by_contact.entry(id).or_default().push(marker);
    }
    for (id, markers) in &by_contact {
        let (status, contact) = admin.get(&server.url(&format!("/api/v1/contacts/{id}")));
        assert_eq!(status, 200, "{id} was acknowledged, so it exists after kill -9: {contact}");
        let events: Vec<&Value> =
            contact["timeline"].as_array().unwrap().iter().filter(|e| e["entry"] == "event").collect();
        for marker in markers {
            let found = events.iter().filter(|e| e["type"] == marker.as_str() || e["text"] == marker.as_str()).count();
            assert_eq!(found, 1, "acknowledged event `{marker}` of {id} is in its timeline once: {events:?}");
        }
    }

    // The deadlines set before the kill fire after the restart, once each.
    let server = &server;
    for (id, due) in &waiting {
        let contact = eventually(Duration::from_secs(20), &format!("{id}'s answer deadline fires"), || {
            let (_, contact) = admin.get(&server.url(&format!("/api/v1/contacts/{id}")));
            (!firings(&contact, "answer").1.is_empty()).then_some(contact)
        });
        let (timers, missed) = firings(&contact, "answer");
        assert_eq!((timers.len(), missed.len()), (1, 1), "{id}: {timers:?} {missed:?}");
        assert_eq!(instant(&missed[0]["due"]), *due);
        assert!(instant(&timers[0]["fired_at"]) > killed_at, "fired by the restarted node");
        assert_eq!(contact["state"], "waiting");
    }
    // Nothing is left to fire twice.
    eventually(Duration::from_secs(10), "no ringing deadline left pending", || {
        let (_, pending) = admin.get(&server.url("/api/v1/deadlines"));
        let left = pending["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["contact"].as_str().unwrap().starts_with("ringing-"));
        (!left).then_some(())
    });
    for (id, _) in &waiting {
        let (_, contact) = admin.get(&server.url(&format!("/api/v1/contacts/{id}")));
        let (timers, missed) = firings(&contact, "answer");
        assert_eq!((timers.len(), missed.len()), (1, 1), "{id}: {timers:?} {missed:?}");
    }
}

#[test]
fn deadlines_due_during_downtime_fire_at_start_late_once_in_order() {
    let db = sqlite_db("downtime");
    let root = token(&db, "admin", "root", &[]);
    let rules = rules(&[(PROPERTY, "max_rings", "1"), (PROPERTY, "ring_length", "\"5s\"")]);
    let mut server = Server::start(&db, &rules, "n1");
    let admin = Api::new(&root);

    let mut opened = Vec::new();
    for i in 0..5 {
        let id = format!("late-{i}");
        let (status, answer) = admin.post(&server.url("/api/v1/contacts"), &complaint(&id));
        assert_eq!(status, 201, "{answer}");
        opened.push((id, answer_due(&answer)));
        std::thread::sleep(Duration::from_millis(150));
    }
    assert_eq!(server.stop().code(), Some(0), "a graceful stop");
    let stopped_at = jiff::Timestamp::now();
    assert!(stopped_at < opened[0].1, "stopped before the first deadline ({}) fell due", opened[0].1);

    // Stay down until every deadline is more than a second overdue.
    let last_due = opened.last().unwrap().1;
    let wait = last_due.duration_since(jiff::Timestamp::now()).as_millis() + 2_500;
    std::thread::sleep(Duration::from_millis(wait.max(0) as u64));
    let started_at = jiff::Timestamp::now();
    let server = Server::start(&db, &rules, "n1");

    let mut fired = Vec::new();
    for (id, due) in &opened {
        let contact = eventually(Duration::from_secs(15), &format!("{id}'s deadline fires after the restart"), || {
            let (_, contact) = admin.get(&server.url(&format!("/api/v1/contacts/{id}")));
            (!firings(&contact, "answer").1.is_empty()).then_some(contact)
        });
        let (timers, missed) = firings(&contact, "answer");
        assert_eq!((timers.len(), missed.len()), (1, 1), "{id} fires once: {timers:?} {missed:?}");
        let outcome = &missed[0];
        assert_eq!(instant(&outcome["due"]), *due, "{outcome}");
        assert_eq!(outcome["late"], true, "fired during downtime, so marked late: {outcome}");
        let fired_at = instant(&outcome["fired_at"]);
        assert!(fired_at >= started_at, "{id} fired at the restart ({fired_at}), not before the stop");
        assert!(fired_at.duration_since(started_at).as_secs() < 10, "{id} fired at start, not whenever: {fired_at}");
        assert_eq!(timers[0]["late"], true);
        // The penalty the miss brings is marked too.
        let escalated: Vec<&Value> =
            contact["timeline"].as_array().unwrap().iter().filter(|e| e["kind"] == "escalated").collect();
        assert_eq!(escalated.len(), 1, "{escalated:?}");
        assert_eq!(escalated[0]["late"], true);
        fired.push((instant(&timers[0]["due"]), instant(&timers[0]["fired_at"]), id.clone()));
    }
    let mut by_due = fired.clone();
    by_due.sort_by_key(|(due, _, _)| *due);
    let mut by_firing = fired.clone();
    by_firing.sort_by_key(|(_, fired, _)| *fired);
    let order =
        |v: &Vec<(jiff::Timestamp, jiff::Timestamp, String)>| v.iter().map(|(_, _, id)| id.clone()).collect::<Vec<_>>();
    assert_eq!(order(&by_firing), order(&by_due), "overdue deadlines fire in due order");

    // And never again.
    let (_, pending) = admin.get(&server.url("/api/v1/deadlines"));
    assert!(
        pending["deadlines"].as_array().unwrap().iter().all(|d| !d["contact"].as_str().unwrap().starts_with("late-")),
        "{pending}"
    );
    let (status, more) = admin
        .post(&server.url("/api/v1/contacts/late-0/events"), &json!({"type": "answered", "agent": "a1", "rings": 4}));
    assert_eq!(status, 200, "{more}");
    let (_, contact) = admin.get(&server.url("/api/v1/contacts/late-0"));
    assert_eq!(firings(&contact, "answer").1.len(), 1);
}

#[test]
fn two_nodes_on_postgres_fire_each_deadline_once_when_one_dies() {
    let db = postgres_db("two_nodes");
    let root = token(&db, "admin", "root", &[]);
    let rules = rules(&[(PROPERTY, "max_rings", "1"), (PROPERTY, "ring_length", "\"2s\"")]);
    let lease = ["--lease", "2s"];
    let mut n1 = Server::start_with(&db, &rules, "n1", &lease);
    let n2 = Server::start_with(&db, &rules, "n2", &lease);
    let admin = Api::new(&root);

    // A console on node 2 sees what happens on node 1.
    let stream = Sse::connect(&n2, &root);
    let (status, opened) = admin.post(&n1.url("/api/v1/contacts"), &complaint("seen-on-n2"));
    assert_eq!(status, 201, "{opened}");
    eventually(Duration::from_secs(10), "node 2's stream carries node 1's outcome", || {
        stream.events().into_iter().find(|(_, o)| o["contact"] == "seen-on-n2" && o["kind"] == "deadline_set")
    });
    let (status, answered) = admin
        .post(&n2.url("/api/v1/contacts/seen-on-n2/events"), &json!({"type": "answered", "agent": "a1", "rings": 1}));
    assert_eq!(status, 200, "node 2 works a contact node 1 opened: {answered}");

    // A swap on node 1 reaches node 2: its new contacts follow the new binding.
    let (_, departments) = admin.get(&n1.url("/api/v1/departments"));
    let binding =
        departments["departments"].as_array().unwrap().iter().find(|d| d["id"] == PROPERTY).unwrap()["binding"].clone();
    let mut params = binding["params"].clone();
    params["notify_department"] = "9m".into();
    let (status, swapped) =
        admin.put(&n1.url(&format!("/api/v1/departments/{PROPERTY}/binding")), &json!({"params": params}));
    assert_eq!(status, 200, "{swapped}");
    let revision = swapped["binding"]["revision"].clone();
    let mut attempt = 0;
    eventually(Duration::from_secs(10), "node 2 opens contacts on node 1's new binding", || {
        attempt += 1;
        let id = format!("after-swap-{attempt}");
        let (status, opened) = admin.post(&n2.url("/api/v1/contacts"), &complaint(&id));
        assert_eq!(status, 201, "{opened}");
        let (_, contact) = admin.get(&n2.url(&format!("/api/v1/contacts/{id}")));
        (contact["plugin"]["binding"] == revision).then_some(())
    });
    // The lists read PostgreSQL too.
    let (status, list) = admin.get(&n2.url(&format!("/api/v1/contacts?department={PROPERTY}&state=in_progress")));
    assert_eq!(status, 200, "{list}");
    let ids: Vec<&Value> = list["contacts"].as_array().unwrap().iter().map(|c| &c["id"]).collect();
    assert_eq!(ids, [&json!("seen-on-n2")], "{list}");
    let (status, pending) = admin.get(&n1.url("/api/v1/deadlines"));
    assert_eq!(status, 200, "{pending}");
    assert!(
        !pending["deadlines"].as_array().unwrap().iter().any(|d| d["contact"] == "seen-on-n2"),
        "answered, so nothing pending: {pending}"
    );
    for path in ["/api/v1/points", "/api/v1/callbacks"] {
        let (status, body) = admin.get(&n1.url(path));
        assert_eq!(status, 200, "{path}: {body}");
    }

    // Calls nobody answers, opened through both nodes; node 1 dies mid-way.
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let n1_dead = Arc::new(AtomicBool::new(false));
    let creator = {
        let (acked, n1_dead, root) = (acked.clone(), n1_dead.clone(), root.clone());
        let (b1, b2) = (n1.base.clone(), n2.base.clone());
        std::thread::spawn(move || {
            let api = Api::new(&root);
            for i in 0..120 {
                let id = format!("ring-{i}");
                let base = if i % 2 == 0 && !n1_dead.load(Ordering::SeqCst) { &b1 } else { &b2 };
                let sent = api
                    .client
                    .post(format!("{base}/api/v1/contacts"))
                    .bearer_auth(&api.token)
                    .json(&complaint(&id))
                    .send();
                match sent {
                    Ok(r) if r.status().as_u16() == 201 => acked.lock().unwrap().push(id),
                    Ok(r) => panic!("{id} via {base}: {} {}", r.status(), r.text().unwrap_or_default()),
                    // Node 1 died under this request: committed or not, the check below covers it.
                    Err(_) if base == &b1 => {}
                    Err(e) => panic!("{id} via node 2: {e}"),
                }
                std::thread::sleep(Duration::from_millis(40));
            }
        })
    };
    // Kill node 1 while it both takes requests and fires the first deadlines.
    let started = Instant::now();
    eventually(Duration::from_secs(30), "node 1 fired some deadlines", || {
        let n =
            psql(&db, "SELECT COUNT(*) FROM log WHERE entry = 'outcome' AND kind = 'deadline_missed' AND node = 'n1'");
        (n.trim().parse::<i64>().unwrap() >= 3).then_some(())
    });
    n1.kill9();
    n1_dead.store(true, Ordering::SeqCst);
    let orphaned = psql(&db, "SELECT COUNT(*) FROM timers WHERE claimed_by = 'n1'");
    eprintln!("timers node 1 held when it died: {}", orphaned.trim());
    let killed_after = started.elapsed();
    creator.join().unwrap();
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 100, "most calls were opened ({})", acked.len());

    // Node 2 fires what is left, including what node 1 had claimed when it died.
    eventually(Duration::from_secs(40), "every timer fired", || {
        (psql(&db, "SELECT COUNT(*) FROM timers").trim() == "0").then_some(())
    });
    let rows = psql(
        &db,
        "SELECT c.id, COUNT(l.id) FROM contacts c LEFT JOIN log l ON l.contact_id = c.id AND l.entry = 'outcome' \
         AND l.kind = 'deadline_missed' AND (l.body::json)->>'name' = 'answer' WHERE c.id LIKE 'ring-%' GROUP BY c.id ORDER BY c.id",
    );
    let counts: BTreeMap<String, i64> = rows
        .lines()
        .map(|l| {
            let (id, n) = l.split_once('|').unwrap();
            (id.to_string(), n.parse().unwrap())
        })
        .collect();
    for id in &acked {
        assert!(counts.contains_key(id), "acknowledged contact {id} is stored");
    }
    let wrong: Vec<(&String, &i64)> = counts.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        wrong.is_empty(),
        "every deadline missed exactly once; not so for {wrong:?} (of {}; node 1 killed after {killed_after:?})",
        counts.len()
    );
    let by_node = psql(
        &db,
        "SELECT node, COUNT(*) FROM log WHERE entry = 'outcome' AND kind = 'deadline_missed' GROUP BY node ORDER BY node",
    );
    assert!(by_node.contains("n2|"), "node 2 fired deadlines too: {by_node}");
    // Each timer firing is logged once as well.
    let doubled = psql(
        &db,
        "SELECT contact_id, COUNT(*) FROM log WHERE entry = 'timer' GROUP BY contact_id, kind, (body::json)->>'name' HAVING COUNT(*) > 1",
    );
    assert!(doubled.trim().is_empty(), "timers fired twice: {doubled}");

    // Node 1 rarely dies in the few milliseconds between claiming a timer and
    // committing its firing, so leave timers exactly as such a death does:
    // claimed by n1 under a lease that has not run out. Node 2 takes them
    // over when the lease ends, not before, and fires each once.
    let mut orphans = Vec::new();
    for i in 0..5 {
        let id = format!("orphan-{i}");
        let (status, opened) = admin.post(&n2.url("/api/v1/contacts"), &complaint(&id));
        assert_eq!(status, 201, "{opened}");
        orphans.push(id);
    }
    let leased = psql(
        &db,
        "UPDATE timers SET claimed_by = 'n1', lease_until = due + 1500 WHERE contact_id LIKE 'orphan-%' RETURNING contact_id, lease_until",
    );
    let leases: BTreeMap<String, i64> = leased
        .lines()
        .filter(|l| l.contains('|'))
        .map(|l| {
            let (id, until) = l.split_once('|').unwrap();
            (id.to_string(), until.parse().unwrap())
        })
        .collect();
    assert_eq!(leases.len(), 5, "the orphans' timers were still pending when leased: {leased}");
    for id in &orphans {
        let contact = eventually(Duration::from_secs(20), &format!("node 2 takes over {id}'s timer"), || {
            let (_, contact) = admin.get(&n2.url(&format!("/api/v1/contacts/{id}")));
            (!firings(&contact, "answer").1.is_empty()).then_some(contact)
        });
        let (timers, missed) = firings(&contact, "answer");
        assert_eq!((timers.len(), missed.len()), (1, 1), "{id}: {timers:?} {missed:?}");
        let fired_at = instant(&timers[0]["fired_at"]).as_millisecond();
        assert!(fired_at >= leases[id], "{id} fired at {fired_at}, before node 1's lease ended ({})", leases[id]);
        assert_eq!(missed[0]["late"], true, "taken over after its due time, so late: {}", missed[0]);
    }
    let by = psql(&db, "SELECT DISTINCT node FROM log WHERE contact_id LIKE 'orphan-%' AND entry = 'timer'");
    assert_eq!(by.trim(), "n2");
    drop(n2);
}
