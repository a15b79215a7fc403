//! `sopline serve` end to end over HTTP: authentication and error answers, a
//! property complaint whose deadline fires on time (and once), a live SOP swap
//! under load, and the operational endpoints. Every test runs a real server
//! process on its own SQLite file.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Api, PROPERTY, Server, Sse, complaint, eventually, instant, rules, sqlite_db, token};

fn bank_consultation(id: &str) -> Value {
    json!({
        "id": id, "department": "bank-service", "channel": "chat", "category": "consultation",
        "customer": {"id": "cust-11", "name": "周杰", "phone": "13800000011", "gender": "male"},
    })
}

/// Asserts an error answer: the status, the JSON shape and a stable code.
#[track_caller]
fn assert_error(answer: &(u16, Value), status: u16, code: &str) -> String {
    let (got, body) = answer;
    assert_eq!(*got, status, "status of {body}");
    assert!(*got < 500, "a caller's mistake is never a 5xx: {body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_else(|| panic!("an error has a message: {body}"));
    assert!(!message.is_empty());
    message.to_string()
}

/// Sends a raw body (for what `Api` cannot send: broken JSON, huge bodies).
fn raw_post(api: &Api, url: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
    let r = api
        .client
        .post(url)
        .bearer_auth(&api.token)
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap_or(Value::Null))
}

fn anonymous_get(url: &str) -> (u16, Value) {
    let r = reqwest::blocking::Client::new().get(url).send().unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap_or(Value::Null))
}

#[test]
fn auth_and_errors_answer_4xx_json() {
    let db = sqlite_db("api-errors");
    let admin = Api::new(&token(&db, "admin", "root", &[]));
    let server = Server::start(&db, &rules(&[]), "n1");
    // Departments exist once the server seeded them from the rules.
    let banker = Api::new(&token(&db, "agent", "banker", &["bank-service"]));
    let url = |p: &str| server.url(&format!("/api/v1{p}"));

    let (status, created) = admin.post(&url("/contacts"), &complaint("p1"));
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["id"], "p1");

    // No token, a wrong token (header or query): 401 with a JSON body.
    assert_error(&anonymous_get(&url("/contacts")), 401, "unauthorized");
    assert_error(&Api::new("sop_not-a-token").get(&url("/contacts")), 401, "unauthorized");
    assert_error(&anonymous_get(&url("/stream?token=sop_not-a-token")), 401, "unauthorized");
    assert_error(
        &Api::new("sop_not-a-token").post(&url("/contacts/p1/events"), &json!({"type": "answered", "agent": "a1"})),
        401,
        "unauthorized",
    );

    // An agent of the bank does not see the property desk's contacts.
    assert_error(&banker.get(&url("/contacts/p1")), 404, "not_found");
    let answer = banker.post(&url("/contacts/p1/events"), &json!({"type": "answered", "agent": "a1", "rings": 1}));
    assert!(matches!(answer.0, 403 | 404), "{answer:?}");
    assert!(answer.1["error"]["code"].is_string(), "{answer:?}");
    assert_error(&banker.get(&url(&format!("/contacts?department={PROPERTY}"))), 403, "forbidden");
    assert_error(&banker.post(&url("/contacts"), &complaint("p2")), 403, "forbidden");
    let (status, own) = banker.post(&url("/contacts"), &bank_consultation("b1"));
    assert_eq!(status, 201, "an agent works their own department: {own}");
    let (status, list) = banker.get(&url("/contacts"));
    assert_eq!(status, 200);
    let ids: Vec<&str> = list["contacts"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["b1"], "the banker lists only the bank's contacts");
    // The event of a refused request was not recorded.
    let (_, p1) = admin.get(&url("/contacts/p1"));
    assert_eq!(p1["state"], "waiting", "{p1}");
    assert!(!p1["timeline"].as_array().unwrap().iter().any(|e| e["type"] == "answered"));

    // Only admins swap SOPs.
    let message = assert_error(
        &banker.put(&url(&format!("/departments/{PROPERTY}/binding")), &json!({"params": {"max_rings": 9}})),
        403,
        "forbidden",
    );
    assert!(message.contains("admin"), "{message}");
    assert_error(&banker.get(&url("/audit")), 403, "forbidden");
    assert_error(&banker.get(&url("/users")), 403, "forbidden");

    // Broken JSON: 400 invalid_json.
    let message = assert_error(
        &raw_post(&admin, &url("/contacts/p1/events"), "application/json", br#"{"type": "answered","#.to_vec()),
        400,
        "invalid_json",
    );
    assert!(message.contains("JSON"), "{message}");
    assert_error(&raw_post(&admin, &url("/contacts"), "application/json", b"not json".to_vec()), 400, "invalid_json");

    // An unknown field names the field; an event the state does not allow names the state.
    let message = assert_error(
        &admin
            .post(&url("/contacts/p1/events"), &json!({"type": "answered", "agent": "a1", "rings": 1, "bogus": true})),
        422,
        "invalid_event",
    );
    assert!(message.contains("bogus"), "{message}");
    // (Types beyond the common ones are the department's plugin's to declare.)
    let message =
        assert_error(&admin.post(&url("/contacts/p1/events"), &json!({"type": "teleported"})), 422, "rejected");
    assert!(message.contains("teleported"), "{message}");
    let message =
        assert_error(&admin.post(&url("/contacts/p1/events"), &json!({"type": "handed_off"})), 422, "invalid_event");
    assert!(message.contains("`to`"), "a missing field is named: {message}");
    let message = assert_error(
        &admin.post(&url("/contacts/p1/events"), &json!({"type": "resolved", "agent": "a1", "on_first_contact": true})),
        422,
        "rejected",
    );
    assert!(message.contains("resolved") && message.contains("waiting"), "{message}");

    // An unknown department lists the known ones.
    let mut unknown = complaint("p3");
    unknown["department"] = "moon-base".into();
    let message = assert_error(&admin.post(&url("/contacts"), &unknown), 422, "rejected");
    assert!(
        message.contains("moon-base") && message.contains(PROPERTY) && message.contains("bank-service"),
        "{message}"
    );
    // A second contact with a taken id.
    assert_error(&admin.post(&url("/contacts"), &complaint("p1")), 409, "conflict");
    // Events for a contact that does not exist.
    assert_error(&admin.post(&url("/contacts/nobody/events"), &json!({"type": "ended"})), 404, "not_found");

    // Bodies over 64 KiB: 413.
    let huge =
        serde_json::to_vec(&json!({"type": "message", "from": "customer", "text": "吵".repeat(30_000)})).unwrap();
    assert!(huge.len() > 64 * 1024);
    assert_error(&raw_post(&admin, &url("/contacts/p1/events"), "application/json", huge), 413, "too_large");

    // Unknown paths and methods answer JSON too.
    assert_error(&admin.get(&url("/no-such-thing")), 404, "not_found");
    assert_error(&admin.get(&server.url("/no-such-thing")), 404, "not_found");
    assert_error(&admin.put(&url("/contacts/p1"), &json!({})), 405, "method_not_allowed");
    assert_error(
        &raw_post(&admin, &url("/contacts/p1/events"), "text/plain", br#"{"type":"ended"}"#.to_vec()),
        415,
        "unsupported_media_type",
    );

    // After all that, the contact still works.
    let (status, answered) =
        admin.post(&url("/contacts/p1/events"), &json!({"type": "answered", "agent": "a1", "rings": 1}));
    assert_eq!(status, 200, "{answered}");
    let (_, p1) = admin.get(&url("/contacts/p1"));
    assert_eq!(p1["state"], "in_progress", "{p1}");
}

/// The outcomes of kind `kind` (and `name`, if given) in a timeline.
fn entries<'a>(timeline: &'a Value, entry: &str, kind: &str, name: Option<&str>) -> Vec<&'a Value> {
    timeline
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entry"] == entry && (e["kind"] == kind || e["timer"] == kind))
        .filter(|e| name.is_none_or(|n| e["name"] == n))
        .collect()
}

#[test]
fn a_complaint_end_to_end_misses_its_deadline_on_time_and_once() {
    let db = sqlite_db("api-complaint");
    let root = token(&db, "admin", "root", &[]);
    let admin = Api::new(&root);
    let rules = rules(&[(PROPERTY, "notify_department", "\"3s\"")]);
    let server = Server::start(&db, &rules, "n1");
    let url = |p: &str| server.url(&format!("/api/v1{p}"));
    let stream = Sse::connect(&server, &root);

    let (status, opened) = admin.post(&url("/contacts"), &complaint("c1"));
    assert_eq!(status, 201, "{opened}");
    assert!(
        opened["outcomes"].as_array().unwrap().iter().any(|o| o["kind"] == "deadline_set" && o["name"] == "answer"),
        "{opened}"
    );
    let events = [
        json!({"type": "answered", "agent": "a1", "rings": 2}),
        json!({"type": "message", "from": "agent", "agent": "a1", "text": "您好,欢迎致电红树西岸管理处前台客服,请问有什么可以帮助您!"}),
        json!({"type": "message", "from": "customer", "text": "楼上6栋1303早上七点就开始装修,吵得没法休息!"}),
        json!({"type": "ended", "agent": "a1"}),
    ];
    let mut last = Value::Null;
    for event in &events {
        let (status, answer) = admin.post(&url("/contacts/c1/events"), event);
        assert_eq!(status, 200, "{event}: {answer}");
        last = answer;
    }
    let set = last["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "deadline_set" && o["name"] == "notify-department");
    let set = set.unwrap_or_else(|| panic!("hanging up starts the 3 s notify-department deadline: {last}"));
    let (set_at, set_due) = (instant(&set["at"]), instant(&set["due"]));
    assert_eq!(set_due.duration_since(set_at).as_secs(), 3, "{set}");

    // The agent does not notify engineering: the deadline passes, on the stream.
    let is_miss =
        |o: &Value| o["contact"] == "c1" && o["kind"] == "deadline_missed" && o["name"] == "notify-department";
    let (arrived, missed) = eventually(Duration::from_secs(15), "deadline_missed on the stream", || {
        stream.events().into_iter().find(|(_, o)| is_miss(o))
    });
    assert_eq!(instant(&missed["due"]), set_due, "{missed}");
    assert!(missed.get("late").is_none(), "fired on time, not late: {missed}");

    // The log's timer entry has the exact due time and when it fired.
    let (_, contact) = admin.get(&url("/contacts/c1"));
    let timeline = &contact["timeline"];
    let timers = entries(timeline, "timer", "deadline", Some("notify-department"));
    assert_eq!(timers.len(), 1, "fired once: {timers:?}");
    let (due, fired) = (instant(&timers[0]["due"]), instant(&timers[0]["fired_at"]));
    assert_eq!(timers[0]["late"], false);
    let lag = fired.duration_since(due);
    assert!(lag.is_positive() || lag.is_zero(), "never before its due time: due {due}, fired {fired}");
    assert!(lag.as_millis() < 1_000, "fired {lag:?} after its due time ({due})");
    let arrival_lag = jiff::Timestamp::try_from(arrived).unwrap().duration_since(due);
    assert!(arrival_lag.as_millis() < 2_000, "reached the stream {arrival_lag:?} after its due time");
    assert_eq!(entries(timeline, "outcome", "deadline_missed", None).len(), 1, "{timeline}");
    let penalties: Vec<&Value> = contact["penalties"].as_array().unwrap().iter().collect();
    assert_eq!(penalties.len(), 1, "{penalties:?}");
    assert_eq!(
        (&penalties[0]["rule"], &penalties[0]["agent"], &penalties[0]["points"]),
        (&json!("PM-2.f"), &json!("a1"), &json!(2))
    );

    // The contact goes on; the missed deadline stays missed, once.
    for event in [
        json!({"type": "handed_off", "agent": "a1", "to": "工程部"}),
        json!({"type": "customer_notified", "agent": "a1"}),
        json!({"type": "department_checked", "agent": "a1", "note": "工程部已上门要求6栋1303按规定时间施工"}),
        json!({"type": "resolved", "agent": "a1", "on_first_contact": false}),
    ] {
        let (status, answer) = admin.post(&url("/contacts/c1/events"), &event);
        assert_eq!(status, 200, "{event}: {answer}");
    }
    let (_, contact) = admin.get(&url("/contacts/c1"));
    assert_eq!(contact["state"], "resolved");
    assert_eq!(entries(&contact["timeline"], "outcome", "deadline_missed", None).len(), 1);
    let statuses: Vec<(&str, &str)> = contact["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["name"].as_str().unwrap(), d["status"].as_str().unwrap()))
        .collect();
    assert!(statuses.contains(&("notify-department", "missed")), "{statuses:?}");
    assert!(statuses.contains(&("notify-owner", "met")), "{statuses:?}");
    assert!(statuses.contains(&("answer", "met")), "{statuses:?}");
    assert_eq!(stream.events().iter().filter(|(_, o)| is_miss(o)).count(), 1, "streamed once");
    let (_, deadlines) = admin.get(&url("/deadlines"));
    assert!(
        !deadlines["deadlines"].as_array().unwrap().iter().any(|d| d["name"] == "notify-department"),
        "a fired deadline is not pending any more: {deadlines}"
    );
    let (_, points) = admin.get(&url("/points?agent=a1"));
    assert_eq!(points["agents"], json!([{"agent": "a1", "penalties": 2, "rewards": 0, "total": -2}]), "{points}");
}

/// What a load thread saw of one contact.
#[derive(Debug, Clone)]
struct Worked {
    id: String,
    /// When the `opened` request was sent and when it was answered.
    sent: Instant,
    acked: Instant,
    /// The notify-department deadline's length, from the `ended` answer.
    notify_after: i64,
}

fn notify_after(answer: &Value) -> i64 {
    let set = answer["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "deadline_set" && o["name"] == "notify-department");
    let set = set.unwrap_or_else(|| panic!("no notify-department deadline in {answer}"));
    instant(&set["due"]).duration_since(instant(&set["at"])).as_secs()
}

#[test]
fn a_live_swap_under_load_fails_no_request_and_pins_open_contacts() {
    let db = sqlite_db("api-swap");
    let root = token(&db, "admin", "root", &[]);
    let rules = rules(&[(PROPERTY, "notify_department", "\"7m\"")]);
    let server = Arc::new(Server::start(&db, &rules, "n1"));
    let desk = token(&db, "agent", "desk", &[PROPERTY]);
    let admin = Api::new(&root);
    let url = |p: &str| server.url(&format!("/api/v1{p}"));
    const OLD: i64 = 7 * 60;
    const NEW: i64 = 13 * 60;

    // Contacts answered before the swap and hung up only after it.
    let agent = Api::new(&desk);
    for i in 0..3 {
        let id = format!("pre-{i}");
        assert_eq!(agent.post(&url("/contacts"), &complaint(&id)).0, 201);
        assert_eq!(
            agent
                .post(
                    &url(&format!("/contacts/{id}/events")),
                    &json!({"type": "answered", "agent": "desk", "rings": 1})
                )
                .0,
            200
        );
    }

    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let requests = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut threads = Vec::new();
    for t in 0..4 {
        let (server, desk, stop, failures, requests) =
            (server.clone(), desk.clone(), stop.clone(), failures.clone(), requests.clone());
        threads.push(std::thread::spawn(move || {
            let api = Api::new(&desk);
            let mut worked = Vec::new();
            let post = |path: &str, body: &Value| -> Option<Value> {
                requests.fetch_add(1, Ordering::Relaxed);
                match api.client.post(server.url(&format!("/api/v1{path}"))).bearer_auth(&api.token).json(body).send() {
                    Ok(r) if r.status().is_success() => Some(r.json().unwrap()),
                    Ok(r) => {
                        let status = r.status();
                        failures.lock().unwrap().push(format!("{path}: {status} {}", r.text().unwrap_or_default()));
                        None
                    }
                    Err(e) => {
                        failures.lock().unwrap().push(format!("{path}: {e}"));
                        None
                    }
                }
            };
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let id = format!("t{t}-{n}");
                n += 1;
                let sent = Instant::now();
                if post("/contacts", &complaint(&id)).is_none() {
                    continue;
                }
                let acked = Instant::now();
                let events = [
                    json!({"type": "answered", "agent": "desk", "rings": 1}),
                    json!({"type": "message", "from": "customer", "text": format!("第{n}次投诉:电梯坏了")}),
                    json!({"type": "ended", "agent": "desk"}),
                ];
                let mut last = None;
                for event in &events {
                    last = post(&format!("/contacts/{id}/events"), event);
                    if last.is_none() {
                        break;
                    }
                }
                if let Some(ended) = last {
                    worked.push(Worked { id, sent, acked, notify_after: notify_after(&ended) });
                }
            }
            worked
        }));
    }

    // Let the load run, then swap the desk's notify-department limit from 7 to 13 minutes.
    std::thread::sleep(Duration::from_millis(1_500));
    let (_, departments) = admin.get(&url("/departments"));
    let current =
        departments["departments"].as_array().unwrap().iter().find(|d| d["id"] == PROPERTY).unwrap()["binding"].clone();
    let old_revision = current["revision"].as_i64().unwrap();
    let mut params = current["params"].clone();
    assert_eq!(params["notify_department"], "7m", "{current}");
    params["notify_department"] = "13m".into();
    let swap_sent = Instant::now();
    let (status, swapped) = admin.put(&url(&format!("/departments/{PROPERTY}/binding")), &json!({"params": params}));
    let swap_done = Instant::now();
    assert_eq!(status, 200, "{swapped}");
    assert_eq!(swapped["applied"], true);
    let new_revision = swapped["binding"]["revision"].as_i64().unwrap();
    assert_eq!(new_revision, old_revision + 1, "{swapped}");
    assert_eq!(swapped["binding"]["created_by"], "root");
    std::thread::sleep(Duration::from_millis(1_500));
    stop.store(true, Ordering::Relaxed);
    let worked: Vec<Worked> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();

    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} requests failed during the swap: {:?}",
        failures.len(),
        requests.load(Ordering::Relaxed),
        &failures[..failures.len().min(10)]
    );

    // Every contact follows the binding it was opened under, and only that.
    let (mut before, mut after) = (0, 0);
    for w in &worked {
        let (status, contact) = admin.get(&url(&format!("/contacts/{}", w.id)));
        assert_eq!(status, 200);
        let binding = contact["plugin"]["binding"].as_i64().unwrap();
        if w.acked < swap_sent {
            assert_eq!(binding, old_revision, "{} was opened before the swap", w.id);
        }
        if w.sent > swap_done {
            assert_eq!(binding, new_revision, "{} was opened after the swap", w.id);
        }
        let expected = if binding == old_revision { OLD } else { NEW };
        assert!(
            (w.notify_after - expected).abs() <= 1,
            "{} on binding {binding}: notify-department after {} s",
            w.id,
            w.notify_after
        );
        if binding == old_revision {
            before += 1;
        } else {
            assert_eq!(binding, new_revision);
            after += 1;
        }
    }
    assert!(before > 0 && after > 0, "contacts on both sides of the swap ({before} before, {after} after)");

    // Contacts opened before the swap and hung up after it keep the old limit.
    for i in 0..3 {
        let (status, ended) =
            agent.post(&url(&format!("/contacts/pre-{i}/events")), &json!({"type": "ended", "agent": "desk"}));
        assert_eq!(status, 200, "{ended}");
        assert!((notify_after(&ended) - OLD).abs() <= 1, "pre-{i} is pinned to the old SOP: {ended}");
        let (_, contact) = admin.get(&url(&format!("/contacts/pre-{i}")));
        assert_eq!(contact["plugin"]["binding"].as_i64(), Some(old_revision));
    }

    // The department shows the new binding and who made it; the audit trail has the swap.
    let (_, departments) = admin.get(&url("/departments"));
    let desk_view =
        departments["departments"].as_array().unwrap().iter().find(|d| d["id"] == PROPERTY).unwrap().clone();
    assert_eq!(desk_view["binding"]["revision"].as_i64(), Some(new_revision));
    assert_eq!(desk_view["binding"]["params"]["notify_department"], "13m");
    assert_eq!(desk_view["binding"]["source"], "api");
    assert!(desk_view["open_per_binding"][old_revision.to_string()].as_i64().unwrap() >= 3, "{desk_view}");
    let (status, audit) = admin.get(&url("/audit"));
    assert_eq!(status, 200);
    let swaps: Vec<&Value> = audit["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "swap").collect();
    assert_eq!(swaps.len(), 1, "{audit}");
    assert_eq!(swaps[0]["actor"], "root");
    assert_eq!(swaps[0]["subject"], PROPERTY);
    assert_eq!(swaps[0]["detail"]["revision"].as_i64(), Some(new_revision));
    // The audit says what changed, not every parameter.
    assert_eq!(
        swaps[0]["detail"]["changes"],
        json!({"params": {"notify_department": {"from": "7m", "to": "13m"}}}),
        "{}",
        swaps[0]
    );

    // Under concurrent load every accepted event ran through its plugin
    // once: batches are pipelined, and one that committed is never run again.
    let text = admin.client.get(server.url("/metrics")).send().unwrap().text().unwrap();
    let metric = |name: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok()))
            .unwrap_or_else(|| panic!("{name} in {text}"))
    };
    let accepted = metric("sopline_events_total{result=\"accepted\"}");
    assert!(accepted > 100.0, "{text}");
    assert_eq!(metric("sopline_commit_conflicts_total"), 0.0);
    assert_eq!(metric("sopline_plugin_call_seconds_count"), accepted, "plugin calls vs accepted events");
    drop(server);
}

#[test]
fn openapi_metrics_and_health() {
    let db = sqlite_db("api-ops");
    let admin = Api::new(&token(&db, "admin", "root", &[]));
    let server = Server::start(&db, &rules(&[]), "ops-node");

    let (status, doc) = admin.get(&server.url("/api/v1/openapi.json"));
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "an OpenAPI 3 document");
    let paths = doc["paths"].as_object().expect("the document lists paths");
    for path in [
        "/api/v1/contacts",
        "/api/v1/contacts/{id}",
        "/api/v1/contacts/{id}/events",
        "/api/v1/departments/{id}/binding",
        "/api/v1/stream",
        "/api/v1/audit",
        "/api/v1/stats",
    ] {
        assert!(paths.contains_key(path), "{path} is documented (paths: {:?})", paths.keys().collect::<Vec<_>>());
    }
    assert!(paths["/api/v1/contacts"].get("post").is_some());

    // Some traffic, so the counters have something to count.
    assert_eq!(admin.post(&server.url("/api/v1/contacts"), &complaint("m1")).0, 201);
    assert_eq!(
        admin
            .post(
                &server.url("/api/v1/contacts/m1/events"),
                &json!({"type": "resolved", "agent": "a1", "on_first_contact": true})
            )
            .0,
        422
    );
    let metrics = admin.client.get(server.url("/metrics")).send().unwrap();
    assert_eq!(metrics.status().as_u16(), 200);
    let text = metrics.text().unwrap();
    let accepted = text.lines().find(|l| l.starts_with("sopline_events_total") && l.contains("result=\"accepted\""));
    let accepted = accepted.unwrap_or_else(|| panic!("sopline_events_total{{result=\"accepted\"}} in:\n{text}"));
    assert!(accepted.ends_with(" 1"), "{accepted}");
    assert!(text.lines().any(|l| l.starts_with("sopline_events_total") && l.contains("result=\"rejected\"")), "{text}");

    let (status, health) = anonymous_get(&server.url("/healthz"));
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["node"], "ops-node");
}

/// A contact's times read in the zone of its department's calendar: a bank
/// desk on a Berlin calendar and the property desk in Shanghai, side by side.
#[test]
fn a_contact_reads_in_its_departments_time_zone() {
    let db = sqlite_db("api-zones");
    let root = token(&db, "admin", "root", &[]);
    let admin = Api::new(&root);
    let rules = rules(&[]);
    let day = r#"["00:00-24:00"]"#;
    std::fs::write(
        rules.join("calendars/berlin.toml"),
        format!("name = \"berlin\"\ntimezone = \"Europe/Berlin\"\n[hours]\nmon = {day}\ntue = {day}\nwed = {day}\nthu = {day}\nfri = {day}\nsat = {day}\nsun = {day}\n"),
    )
    .unwrap();
    let bank = rules.join("departments/bank-service.toml");
    let text = std::fs::read_to_string(&bank).unwrap().replace("calendar = \"always\"", "calendar = \"berlin\"");
    assert!(text.contains("calendar = \"berlin\""), "{text}");
    std::fs::write(&bank, text).unwrap();
    let server = Server::start(&db, &rules, "n1");
    let url = |p: &str| server.url(&format!("/api/v1{p}"));

    assert_eq!(admin.post(&url("/contacts"), &complaint("shanghai")).0, 201);
    assert_eq!(admin.post(&url("/contacts"), &bank_consultation("berlin")).0, 201);
    let offset = |id: &str| {
        let (status, c) = admin.get(&url(&format!("/contacts/{id}")));
        assert_eq!(status, 200, "{c}");
        let opened = c["opened_at"].as_str().unwrap().to_string();
        let zone = jiff::tz::TimeZone::get(if id == "berlin" { "Europe/Berlin" } else { "Asia/Shanghai" }).unwrap();
        let expected = instant(&c["opened_at"]).to_zoned(zone).strftime("%:z").to_string();
        (opened, expected)
    };
    for id in ["shanghai", "berlin"] {
        let (opened, expected) = offset(id);
        assert!(opened.ends_with(&expected), "{id}: opened_at {opened} should carry the offset {expected}");
    }
    let (shanghai, _) = offset("shanghai");
    let (berlin, _) = offset("berlin");
    assert_ne!(shanghai[19..], berlin[19..], "the two desks' zones differ: {shanghai} vs {berlin}");
}

#[test]
fn outcomes_of_a_pinned_contact_keep_its_bindings_zone_after_a_calendar_swap() {
    let db = sqlite_db("api-pinned-zone");
    let admin = Api::new(&token(&db, "admin", "root", &[]));
    let rules = rules(&[]);
    let day = r#"["00:00-24:00"]"#;
    std::fs::write(
        rules.join("calendars/berlin.toml"),
        format!("name = \"berlin\"\ntimezone = \"Europe/Berlin\"\n[hours]\nmon = {day}\ntue = {day}\nwed = {day}\nthu = {day}\nfri = {day}\nsat = {day}\nsun = {day}\n"),
    )
    .unwrap();
    let server = Server::start(&db, &rules, "n1");
    let url = |p: &str| server.url(&format!("/api/v1{p}"));
    assert_eq!(admin.post(&url("/contacts"), &complaint("pinned")).0, 201);
    // The desk moves to Berlin's calendar; the open contact stays on its Shanghai binding.
    let (status, swap) = admin.put(&url(&format!("/departments/{PROPERTY}/binding")), &json!({"calendar": "berlin"}));
    assert_eq!(status, 200, "{swap}");
    let (status, answer) =
        admin.post(&url("/contacts/pinned/events"), &json!({"type": "answered", "agent": "a1", "rings": 1}));
    assert_eq!(status, 200, "{answer}");
    let shanghai = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    for outcome in answer["outcomes"].as_array().unwrap() {
        let at = outcome["at"].as_str().unwrap();
        let expected = instant(&outcome["at"]).to_zoned(shanghai.clone()).strftime("%:z").to_string();
        assert!(at.ends_with(&expected), "an outcome of the Shanghai binding is stamped {at}: {outcome}");
    }
}
