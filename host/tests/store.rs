//! The store on a real SQLite file and a real PostgreSQL database: the
//! version guard that makes every contact change (and so every timer firing)
//! happen once, and timers moved, fired and set again within one batch.

mod support;

use jiff::Timestamp;
use sopline::contact::{Contact, PluginRef};
use sopline::event::{Channel, Opened};
use sopline::server::store::{Batch, Committed, Entry, LogRow, Store, TimerKey, TimerKind, TimerRow};
use support::{postgres_db, sqlite_db};

fn contact(id: &str) -> Contact {
    let opened = Opened {
        department: "d".into(),
        channel: Channel::Phone,
        category: "complaint".into(),
        customer: Default::default(),
        fields: Default::default(),
    };
    let plugin = PluginRef { id: "p".into(), version: "0.1.0".into(), binding: 1 };
    Contact::open(id.into(), &opened, plugin, Timestamp::UNIX_EPOCH)
}

fn timer(contact: &str, due: i64) -> TimerRow {
    TimerRow {
        contact_id: contact.into(),
        kind: TimerKind::Deadline,
        name: "answer".into(),
        due,
        department: "d".into(),
    }
}

async fn a_stale_writer_is_refused_and_writes_nothing(url: &str) {
    let store = Store::open(url).await.unwrap();
    let c = contact("c1");
    let first = Batch { contacts: vec![(c.clone(), 0)], timers_set: vec![timer("c1", 1_000)], ..Batch::default() };
    assert!(matches!(store.commit(&[&first], "n1", false).await.unwrap(), Committed::Ok { .. }));
    // Two writers read version 1; the first wins, the second must not overwrite it.
    let mut a = c.clone();
    a.agent = Some("a".into());
    let mut b = c.clone();
    b.agent = Some("b".into());
    let log = |who: &str| LogRow {
        contact_id: "c1".into(),
        at: 1,
        entry: Entry::Outcome,
        kind: "deadline_missed".into(),
        agent: Some(who.into()),
        points: None,
        body: "{}".into(),
        actor: None,
    };
    let win = Batch {
        contacts: vec![(a, 1)],
        log: vec![log("a")],
        timers_fired: vec![timer("c1", 1_000)],
        ..Batch::default()
    };
    let lose = Batch {
        contacts: vec![(b, 1)],
        log: vec![log("b")],
        timers_fired: vec![timer("c1", 1_000)],
        ..Batch::default()
    };
    assert!(matches!(store.commit(&[&win], "n1", false).await.unwrap(), Committed::Ok { .. }));
    match store.commit(&[&lose], "n2", false).await.unwrap() {
        Committed::Conflict(ids) => assert_eq!(ids, vec!["c1".to_string()]),
        other => panic!("a stale write went through: {other:?}"),
    }
    let (stored, version) = store.load_contact("c1").await.unwrap().unwrap();
    assert_eq!((stored.agent.as_deref(), version), (Some("a"), 2));
    let timeline = store.timeline("c1").await.unwrap();
    assert_eq!(timeline.len(), 1, "only the winner's log row: {timeline:?}");
    assert_eq!(store.pending_timers().await.unwrap(), 0);
}

async fn a_fired_timer_that_was_moved_meanwhile_stays(url: &str) {
    let store = Store::open(url).await.unwrap();
    let c = contact("c2");
    let set = Batch { contacts: vec![(c.clone(), 0)], timers_set: vec![timer("c2", 1_000)], ..Batch::default() };
    store.commit(&[&set], "n1", false).await.unwrap();
    let claimed = store.claim_timers("n1", 2_000, 5_000, 10).await.unwrap();
    assert_eq!(claimed, vec![timer("c2", 1_000)]);
    assert!(
        store.claim_timers("n2", 2_000, 5_000, 10).await.unwrap().is_empty(),
        "a claimed timer is not handed out twice"
    );
    // An event moves the deadline before the claimed firing commits.
    let mut moved = c.clone();
    moved.agent = Some("a".into());
    let event = Batch { contacts: vec![(moved.clone(), 1)], timers_set: vec![timer("c2", 9_000)], ..Batch::default() };
    store.commit(&[&event], "n1", false).await.unwrap();
    let stale_fire = Batch { timers_fired: vec![timer("c2", 1_000)], ..Batch::default() };
    store.commit(&[&stale_fire], "n1", false).await.unwrap();
    assert_eq!(store.next_due(2_000).await.unwrap(), Some(9_000), "the moved deadline is still pending");
    // After the lease ends, another node may take over an unfinished claim.
    let set2 = Batch { contacts: vec![(contact("c3"), 0)], timers_set: vec![timer("c3", 1_500)], ..Batch::default() };
    store.commit(&[&set2], "n1", false).await.unwrap();
    assert_eq!(store.claim_timers("n1", 2_000, 1_000, 10).await.unwrap().len(), 1);
    assert!(store.claim_timers("n2", 2_500, 1_000, 10).await.unwrap().is_empty(), "still leased");
    assert_eq!(
        store.claim_timers("n2", 3_500, 1_000, 10).await.unwrap(),
        vec![timer("c3", 1_500)],
        "lease over: taken over"
    );
}

/// A timer that fires and is set again by the same batch (a repeating
/// callback, say) keeps its new due time; one fired and settled is gone.
async fn a_timer_fired_and_set_again_in_one_batch_stays_pending(url: &str) {
    let store = Store::open(url).await.unwrap();
    let reminder = |due| TimerRow { name: "remind".into(), ..timer("c4", due) };
    let first = Batch {
        contacts: vec![(contact("c4"), 0)],
        timers_set: vec![timer("c4", 1_000), reminder(1_000)],
        ..Batch::default()
    };
    store.commit(&[&first], "n1", false).await.unwrap();
    assert_eq!(store.claim_timers("n1", 2_000, 5_000, 10).await.unwrap().len(), 2);
    let mut fired = contact("c4");
    fired.agent = Some("a".into());
    let both = Batch {
        contacts: vec![(fired, 1)],
        timers_fired: vec![timer("c4", 1_000), reminder(1_000)],
        timers_set: vec![reminder(7_000)],
        timers_done: vec![TimerKey { contact_id: "c4".into(), kind: TimerKind::Deadline, name: "answer".into() }],
        ..Batch::default()
    };
    assert!(matches!(store.commit(&[&both], "n1", false).await.unwrap(), Committed::Ok { .. }));
    assert_eq!(store.pending_timers().await.unwrap(), 1, "only the reminder is left");
    assert_eq!(store.next_due(2_000).await.unwrap(), Some(7_000), "at its new time, and unclaimed");
    assert_eq!(store.claim_timers("n1", 8_000, 5_000, 10).await.unwrap(), vec![reminder(7_000)]);
}

/// Each scenario above as two tests, on SQLite and on PostgreSQL.
macro_rules! on_both_databases {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $scenario() {
                super::$scenario(&super::sqlite_db(stringify!($scenario))).await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $scenario() {
                super::$scenario(&super::postgres_db("store")).await;
            })*
        }
    };
}

on_both_databases!(
    a_stale_writer_is_refused_and_writes_nothing,
    a_fired_timer_that_was_moved_meanwhile_stays,
    a_timer_fired_and_set_again_in_one_batch_stays_pending,
);

/// The server's connections each open the file; an in-memory database
/// would be a different one on each, so it is refused by name.
#[tokio::test]
async fn an_in_memory_sqlite_database_is_refused_with_the_reason() {
    for url in ["sqlite::memory:", "sqlite:///tmp/sopline-memory-test.db?mode=memory"] {
        let error = Store::open(url).await.err().unwrap_or_else(|| panic!("{url} was accepted"));
        let message = format!("{error:#}");
        assert!(message.contains("in-memory database") && message.contains("sqlite://FILE"), "{url}: {message}");
    }
}
