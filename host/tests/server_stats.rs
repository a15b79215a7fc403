//! `GET /api/v1/stats`, what the supervisor's screen shows, against a real
//! server: a deadline kept and one missed give 50 % on the local day, the
//! miss and its escalation are today's incidents, the late answer's penalty
//! is the agent's; who may ask for what. On SQLite and on PostgreSQL.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{Api, PROPERTY, Server, complaint, eventually, postgres_db, rules, sqlite_db, token};

#[track_caller]
fn assert_error(answer: &(u16, Value), status: u16, code: &str) {
    assert_eq!(answer.0, status, "{}", answer.1);
    assert_eq!(answer.1["error"]["code"], code, "{}", answer.1);
}

fn a_miss_and_a_met_deadline_are_counted(db: &str) {
    let admin = Api::new(&token(db, "admin", "root", &[]));
    // Three rings of a second: the answer deadline passes 3 s after opening.
    let server = Server::start(db, &rules(&[(PROPERTY, "ring_length", "\"1s\"")]), "stats");
    let supervisor = Api::new(&token(db, "supervisor", "sup", &[PROPERTY]));
    let banker = Api::new(&token(db, "supervisor", "bank-sup", &["bank-service"]));
    let agent = Api::new(&token(db, "agent", "a1", &[PROPERTY]));
    let url = |p: &str| server.url(&format!("/api/v1{p}"));
    let stats_url = url(&format!("/stats?department={PROPERTY}"));

    // One call answered at once (deadline met), one left ringing (missed, escalated).
    assert_eq!(agent.post(&url("/contacts"), &complaint("met")).0, 201);
    let (status, _) = agent.post(&url("/contacts/met/events"), &json!({"type": "answered", "agent": "a1", "rings": 1}));
    assert_eq!(status, 200);
    assert_eq!(agent.post(&url("/contacts"), &complaint("rang")).0, 201);
    let stats = eventually(Duration::from_secs(15), "the miss in the statistics", || {
        let (status, stats) = supervisor.get(&stats_url);
        assert_eq!(status, 200, "{stats}");
        (stats["today"]["misses"] == 1).then_some(stats)
    });
    // Answered late: the agent is penalized.
    let (_, late) = agent.post(&url("/contacts/rang/events"), &json!({"type": "answered", "agent": "a1", "rings": 4}));
    let penalty = late["outcomes"].as_array().unwrap().iter().find(|o| o["kind"] == "penalty").cloned();
    let points = penalty.unwrap_or_else(|| panic!("a late answer is penalized: {late}"))["points"].as_i64().unwrap();

    let department = &stats["departments"][0];
    assert_eq!(
        (&department["id"], &department["calendar"], &department["timezone"]),
        (&json!(PROPERTY), &json!("always"), &json!("Asia/Shanghai"))
    );
    let days = stats["days"].as_array().unwrap();
    assert_eq!(days.len(), 7, "a week by default: {days:?}");
    assert_eq!(days[6]["date"], department["today"], "the last day is today in Shanghai");
    let (_, contact) = admin.get(&url("/contacts/rang"));
    let miss =
        contact["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "deadline_missed").cloned().unwrap();
    let miss_day = &miss["at"].as_str().unwrap()[..10]; // `…+08:00`: the Shanghai date
    let day = days.iter().find(|d| d["date"] == miss_day).unwrap_or_else(|| panic!("no day {miss_day} in {days:?}"));
    assert_eq!(
        (&day["met"], &day["missed"], &day["escalations"], &day["compliance"]),
        (&json!(1), &json!(1), &json!(1), &json!(0.5)),
        "{day}"
    );
    assert!(
        days.iter()
            .filter(|d| d["date"] != miss_day)
            .all(|d| d["met"] == 0 && d["missed"] == 0 && d["compliance"].is_null()),
        "{days:?}"
    );
    assert_eq!(stats["today"]["escalations"], 1);
    let incidents: Vec<(&str, &str, &str)> = stats["today"]["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["contact"].as_str().unwrap(),
                i["kind"].as_str().unwrap(),
                i["outcome"]["name"].as_str().or(i["outcome"]["level"].as_str()).unwrap(),
            )
        })
        .collect();
    assert_eq!(incidents.len(), 2, "{incidents:?}");
    assert!(
        incidents.contains(&("rang", "deadline_missed", "answer"))
            && incidents.contains(&("rang", "escalated", "supervisor")),
        "{incidents:?}"
    );

    let (_, stats) = supervisor.get(&url("/stats?days=1"));
    assert_eq!(stats["days"].as_array().unwrap().len(), 1);
    assert_eq!(
        stats["agents"],
        json!([{"agent": "a1", "penalties": points, "rewards": 0, "total": -points}]),
        "{stats}"
    );

    // Each sees their own departments; agents see no statistics.
    let (_, theirs) = banker.get(&url("/stats"));
    assert_eq!(
        theirs["departments"].as_array().unwrap().iter().map(|d| &d["id"]).collect::<Vec<_>>(),
        [&json!("bank-service")]
    );
    assert!(theirs["today"]["incidents"].as_array().unwrap().is_empty() && theirs["agents"] == json!([]), "{theirs}");
    assert_error(&banker.get(&stats_url), 403, "forbidden");
    assert_error(&agent.get(&url("/stats")), 403, "forbidden");
    assert_error(&supervisor.get(&url("/stats?days=0")), 400, "invalid_query");
    assert_error(&supervisor.get(&url("/stats?days=93")), 400, "invalid_query");
    assert_error(&supervisor.get(&url("/stats?dayz=3")), 400, "invalid_query");
    assert_error(&admin.get(&url("/stats?department=nope")), 404, "not_found");

    // An admin moves the department to another calendar; an unknown one is refused.
    let binding = url(&format!("/departments/{PROPERTY}/binding"));
    assert_error(&admin.put(&binding, &json!({"calendar": "nope"})), 422, "unknown_calendar");
    let (status, swapped) = admin.put(&binding, &json!({"calendar": "cn-mainland"}));
    assert_eq!(status, 200, "{swapped}");
    assert_eq!(swapped["binding"]["calendar"], "cn-mainland");
    let (_, listed) = admin.get(&url("/departments"));
    let names: Vec<&str> =
        listed["calendars"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"always") && names.contains(&"cn-mainland"), "{names:?}");
    let (_, stats) = supervisor.get(&stats_url);
    assert_eq!(stats["departments"][0]["calendar"], "cn-mainland");
}

#[test]
fn stats_count_a_miss_on_sqlite() {
    a_miss_and_a_met_deadline_are_counted(&sqlite_db("stats"));
}

#[test]
fn stats_count_a_miss_on_postgres() {
    a_miss_and_a_met_deadline_are_counted(&postgres_db("stats"));
}
