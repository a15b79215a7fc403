//! The store on a real SQLite file: the version guard that makes every
//! contact change (and so every timer firing) happen once.

use jiff::Timestamp;

use super::*;
use crate::contact::{Contact, PluginRef};
use crate::event::{Channel, Opened};

fn db(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("sopline-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    format!("sqlite://{}", dir.join("s.db").display())
}

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
    TimerRow { contact_id: contact.into(), kind: "deadline".into(), name: "answer".into(), due, department: "d".into() }
}

#[tokio::test]
async fn a_stale_writer_is_refused_and_writes_nothing() {
    let store = Store::open(&db("stale")).await.unwrap();
    let c = contact("c1");
    let first = Batch { contacts: vec![(c.clone(), 0)], timers_set: vec![timer("c1", 1_000)], ..Batch::default() };
    assert!(matches!(store.commit(&first, "n1", false).await.unwrap(), Committed::Ok { .. }));
    // Two writers read version 1; the first wins, the second must not overwrite it.
    let mut a = c.clone();
    a.agent = Some("a".into());
    let mut b = c.clone();
    b.agent = Some("b".into());
    let log = |who: &str| LogRow {
        contact_id: "c1".into(),
        at: 1,
        entry: "outcome",
        kind: "deadline_missed".into(),
        agent: Some(who.into()),
        points: None,
        body: "{}".into(),
    };
    let win = Batch { contacts: vec![(a, 1)], log: vec![log("a")], timers_fired: vec![timer("c1", 1_000)], ..Batch::default() };
    let lose = Batch { contacts: vec![(b, 1)], log: vec![log("b")], timers_fired: vec![timer("c1", 1_000)], ..Batch::default() };
    assert!(matches!(store.commit(&win, "n1", false).await.unwrap(), Committed::Ok { .. }));
    match store.commit(&lose, "n2", false).await.unwrap() {
        Committed::Conflict(ids) => assert_eq!(ids, vec!["c1".to_string()]),
        other => panic!("a stale write went through: {other:?}"),
    }
    let (stored, version) = store.load_contact("c1").await.unwrap().unwrap();
    assert_eq!((stored.agent.as_deref(), version), (Some("a"), 2));
    let timeline = store.timeline("c1").await.unwrap();
    assert_eq!(timeline.len(), 1, "only the winner's log row: {timeline:?}");
    assert_eq!(store.pending_timers().await.unwrap(), 0);
}

#[tokio::test]
async fn a_fired_timer_that_was_moved_meanwhile_stays() {
    let store = Store::open(&db("moved")).await.unwrap();
    let c = contact("c2");
    let set = Batch { contacts: vec![(c.clone(), 0)], timers_set: vec![timer("c2", 1_000)], ..Batch::default() };
    store.commit(&set, "n1", false).await.unwrap();
    let claimed = store.claim_timers("n1", 2_000, 5_000, 10).await.unwrap();
    assert_eq!(claimed, vec![timer("c2", 1_000)]);
    assert!(store.claim_timers("n2", 2_000, 5_000, 10).await.unwrap().is_empty(), "a claimed timer is not handed out twice");
    // An event moves the deadline before the claimed firing commits.
    let mut moved = c.clone();
    moved.agent = Some("a".into());
    let event = Batch { contacts: vec![(moved.clone(), 1)], timers_set: vec![timer("c2", 9_000)], ..Batch::default() };
    store.commit(&event, "n1", false).await.unwrap();
    let stale_fire = Batch { timers_fired: vec![timer("c2", 1_000)], ..Batch::default() };
    store.commit(&stale_fire, "n1", false).await.unwrap();
    assert_eq!(store.next_due(2_000).await.unwrap(), Some(9_000), "the moved deadline is still pending");
    // After the lease ends, another node may take over an unfinished claim.
    let set2 = Batch { contacts: vec![(contact("c3"), 0)], timers_set: vec![timer("c3", 1_500)], ..Batch::default() };
    store.commit(&set2, "n1", false).await.unwrap();
    assert_eq!(store.claim_timers("n1", 2_000, 1_000, 10).await.unwrap().len(), 1);
    assert!(store.claim_timers("n2", 2_500, 1_000, 10).await.unwrap().is_empty(), "still leased");
    assert_eq!(store.claim_timers("n2", 3_500, 1_000, 10).await.unwrap(), vec![timer("c3", 1_500)], "lease over: taken over");
}
