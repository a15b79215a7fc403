//! The core in-process, on a real SQLite file and real plugin components
//! (built from source by `sopline-tests`): lanes run side by side, the
//! committer sends back only the batches at fault, shutdown answers
//! everything accepted.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use serde_json::json;
use tokio::sync::{broadcast, oneshot};

use super::committer::{Committer, Submission};
use super::{Core, CoreError, Job, Setup, Threads};
use crate::calendar::Calendar;
use crate::contact::{Contact, PluginRef};
use crate::engine::Department;
use crate::event::{Envelope, Event};
use crate::plugin::Runtime;
use crate::server::metrics::Metrics;
use crate::server::store::{Batch, CommitError, Committed, Entry, LogRow, Store};

fn temp_db(name: &str) -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir: PathBuf = std::env::temp_dir().join(format!("sopline-core-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    format!("sqlite://{}", dir.join("core.db").display())
}

fn always() -> Arc<Calendar> {
    let day = r#"["00:00-24:00"]"#;
    let toml = format!(
        "name = \"always\"\ntimezone = \"Asia/Shanghai\"\n[hours]\nmon = {day}\ntue = {day}\nwed = {day}\nthu = {day}\nfri = {day}\nsat = {day}\nsun = {day}\n"
    );
    Arc::new(Calendar::parse(&toml).unwrap())
}

fn department(runtime: &Runtime, id: &str, component: &str) -> Department {
    let plugin = runtime.load_file(std::path::Path::new(component)).unwrap();
    Department { id: id.into(), name: id.into(), calendar: always(), plugin, params: Vec::new(), revision: 1 }
}

/// A core on a fresh SQLite file with a `slow` department (the hostile test
/// plugin, which spins on request) and a `desk` (the property plugin).
fn core(rt: &tokio::runtime::Runtime, name: &str) -> (Core, Threads, Arc<Metrics>) {
    let store = rt.block_on(Store::open(&temp_db(name))).unwrap();
    let runtime = Runtime::new().unwrap();
    let departments = vec![
        department(&runtime, "slow", sopline_tests::HOSTILE),
        department(&runtime, "desk", sopline_tests::PROPERTY),
    ];
    let metrics = Arc::new(Metrics::new());
    let setup = Setup {
        store,
        rt: rt.handle().clone(),
        node: "test".into(),
        stream: broadcast::channel(1024).0,
        metrics: metrics.clone(),
        calendars: BTreeMap::from([("always".to_string(), always())]),
    };
    let (core, threads) = Core::start(departments, Vec::new(), setup).unwrap();
    (core, threads, metrics)
}

fn open(id: &str, department: &str) -> Job {
    let raw = json!({"type": "opened", "department": department, "channel": "phone", "category": "consultation",
        "customer": {"name": "王建国"}});
    let Ok(Envelope { event: Some(Event::Opened(opened)), .. }) = Envelope::parse(raw.clone()) else { panic!() };
    Job::Open { id: id.into(), opened, raw, generated: false, actor: "zhang".into() }
}

fn event(contact: &str, raw: serde_json::Value) -> Job {
    let parsed = Envelope::parse(raw.clone()).unwrap().event.unwrap();
    Job::Event { contact: contact.into(), event: parsed, raw, actor: "zhang".into() }
}

fn message(contact: &str, text: &str) -> Job {
    event(contact, json!({"type": "message", "from": "customer", "text": text}))
}

#[test]
fn a_department_whose_plugin_spins_holds_up_only_itself() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (core, threads, _) = core(&rt, "lanes");
    rt.block_on(async {
        core.open(open("s1", "slow")).await.unwrap();
        core.open(open("d1", "desk")).await.unwrap();
        core.run(event("d1", json!({"type": "answered", "agent": "zhang"})), &None).await.unwrap();
        // The hostile plugin spins on "loop" until its 100 ms budget stops it.
        let spinning = {
            let core = core.clone();
            tokio::spawn(async move {
                let started = Instant::now();
                let outcomes = core.run(message("s1", "loop"), &None).await.unwrap();
                (started.elapsed(), outcomes)
            })
        };
        tokio::time::sleep(Duration::from_millis(10)).await;
        let started = Instant::now();
        core.run(message("d1", "维修师傅什么时候到?"), &None).await.unwrap();
        let desk = started.elapsed();
        let desk_done_first = !spinning.is_finished();
        let (slow, outcomes) = spinning.await.unwrap();
        assert!(outcomes.iter().any(|o| o.contains("plugin_failed")), "the spin was stopped: {outcomes:?}");
        assert!(slow >= Duration::from_millis(90), "the hostile plugin spun for its budget ({slow:?})");
        assert!(desk_done_first, "the desk's event ({desk:?}) waited for the other department's plugin ({slow:?})");
    });
    core.close(threads);
}

#[test]
fn closing_answers_every_accepted_request_and_commits_it() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (core, threads, _) = core(&rt, "close");
    let mut answers = Vec::new();
    rt.block_on(async {
        core.open(open("d1", "desk")).await.unwrap();
        core.open(open("s1", "slow")).await.unwrap();
        for i in 0..50 {
            let (contact, c) = if i % 2 == 0 { ("d1", core.clone()) } else { ("s1", core.clone()) };
            answers.push(tokio::spawn(async move { c.run(message(contact, "ok"), &None).await }));
        }
    });
    // Give the requests time to reach their lanes, then stop.
    std::thread::sleep(Duration::from_millis(100));
    core.close(threads);
    rt.block_on(async {
        for answer in answers {
            let outcome = answer.await.unwrap();
            assert!(outcome.is_ok(), "an accepted request was dropped at shutdown: {outcome:?}");
        }
    });
}

#[test]
fn an_unknown_contact_or_one_of_another_department_is_not_found_alike() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (core, threads, _) = core(&rt, "scope");
    rt.block_on(async {
        core.open(open("d1", "desk")).await.unwrap();
        let desk_only = Some(vec!["slow".to_string()]);
        let theirs = core.run(message("d1", "在吗"), &desk_only).await.unwrap_err();
        let missing = core.run(message("nobody", "在吗"), &None).await.unwrap_err();
        assert!(matches!(theirs, CoreError::NotFound(_)), "{theirs:?}");
        assert!(matches!(missing, CoreError::NotFound(_)), "{missing:?}");
        // An id in use is taken, whichever department holds it.
        let taken = core.open(open("d1", "slow")).await.unwrap_err();
        let again = core.open(open("d1", "desk")).await.unwrap_err();
        assert_eq!(taken.to_string(), again.to_string());
        assert!(matches!(taken, CoreError::Conflict(_)), "{taken:?}");
    });
    core.close(threads);
}

/// A batch that opens `id` (new) with one log row whose body is `body`.
fn batch(id: &str, version: i64, body: &str) -> Batch {
    let opened = crate::event::Opened {
        department: "d".into(),
        channel: crate::event::Channel::Phone,
        category: "complaint".into(),
        customer: Default::default(),
        fields: Default::default(),
    };
    let plugin = PluginRef { id: "p".into(), version: "0.1.0".into(), binding: 1 };
    let contact = Contact::open(id.into(), &opened, plugin, Timestamp::UNIX_EPOCH);
    let log = LogRow {
        contact_id: id.into(),
        at: 1,
        entry: Entry::Event,
        kind: "message".into(),
        agent: None,
        points: None,
        body: body.into(),
        actor: Some("zhang".into()),
    };
    Batch { contacts: vec![(contact, version)], log: vec![log], ..Batch::default() }
}

fn submit(batch: Batch) -> (Submission, oneshot::Receiver<Result<Committed, CommitError>>) {
    let (done, answer) = oneshot::channel();
    (Submission { batch, done }, answer)
}

#[test]
fn the_committer_sends_back_only_the_batches_at_fault() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = temp_db("committer");
    let store = rt.block_on(Store::open(&db)).unwrap();
    let committer = Committer {
        store: store.clone(),
        rt: rt.handle().clone(),
        node: "n".into(),
        metrics: Arc::new(Metrics::new()),
    };
    // An operator's constraint the database enforces: no poisoned log rows.
    let path = db.trim_start_matches("sqlite://");
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER poison BEFORE INSERT ON log WHEN NEW.body LIKE '%POISON%' \
             BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;",
        )
        .unwrap();

    let (a, a_done) = submit(batch("a", 0, "{}"));
    let (b, b_done) = submit(batch("b", 0, "POISON"));
    let (c, c_done) = submit(batch("c", 0, "{}"));
    committer.commit(vec![a, b, c]);
    assert!(matches!(a_done.blocking_recv().unwrap(), Ok(Committed::Ok { .. })));
    assert!(matches!(b_done.blocking_recv().unwrap(), Err(CommitError::Refused(_))));
    assert!(matches!(c_done.blocking_recv().unwrap(), Ok(Committed::Ok { .. })));

    // `a` is at version 1 now: a batch that read version 0 conflicts; `d` with it commits.
    let (stale, stale_done) = submit(batch("a", 0, "{}"));
    let (d, d_done) = submit(batch("d", 0, "{}"));
    committer.commit(vec![stale, d]);
    assert!(matches!(stale_done.blocking_recv().unwrap(), Ok(Committed::Conflict(ids)) if ids == ["a"]));
    assert!(matches!(d_done.blocking_recv().unwrap(), Ok(Committed::Ok { .. })));

    rt.block_on(async {
        for (id, rows) in [("a", 1), ("b", 0), ("c", 1), ("d", 1)] {
            assert_eq!(store.timeline(id).await.unwrap().len(), rows, "log rows of {id}");
        }
        assert!(store.load_contact("b").await.unwrap().is_none(), "nothing of the refused batch was written");
    });
}
