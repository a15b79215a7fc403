//! The supervisors' and admins' commands on a server's database: a swap
//! made with `sopline binding set` is what the API would make (same checks,
//! same audit of what changed), and `sopline stats` / `points` count what the
//! API counts.

mod support;

use serde_json::{Value, json};
use support::*;

fn cli(args: &[&str]) -> (bool, String, String) {
    let out = sopline().args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_swap_from_the_command_line_is_checked_audited_with_its_changes_and_taken_at_start() {
    let db = sqlite_db("cli-swap");
    let rules = rules(&[]);
    let rules_arg = rules.to_str().unwrap();
    let mut server = Server::start(&db, &rules, "n1");
    let desk = Api::new(&token(&db, "agent", "desk", &[PROPERTY]));
    assert_eq!(desk.post(&server.url("/api/v1/contacts"), &complaint("c1")).0, 201);
    let (_, answered) = desk.post(&server.url("/api/v1/contacts/c1/events"), &json!({"type": "answered", "rings": 5}));
    assert!(answered.to_string().contains("penalty"), "five rings are late: {answered}");
    assert_eq!(server.stop().code(), Some(0));

    // A value the plugin cannot take is refused, naming it; nothing is stored.
    let (ok, _, stderr) = cli(&[
        "binding",
        "set",
        "--db",
        &db,
        "--rules",
        rules_arg,
        "--department",
        PROPERTY,
        "--param",
        "max_rings=ten",
    ]);
    assert!(!ok && stderr.contains("max_rings"), "{stderr}");
    let (ok, stdout, stderr) = cli(&[
        "binding",
        "set",
        "--db",
        &db,
        "--rules",
        rules_arg,
        "--department",
        PROPERTY,
        "--param",
        "max_rings=6",
        "--dry-run",
    ]);
    assert!(ok, "{stderr}");
    let preview: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(preview["changes"], json!({"params": {"max_rings": {"from": 3, "to": 6}}}), "{preview}");
    let (ok, _, stderr) =
        cli(&["binding", "set", "--db", &db, "--rules", rules_arg, "--department", PROPERTY, "--param", "max_rings=6"]);
    assert!(ok && stderr.contains("revision 2"), "{stderr}");

    let server = Server::start(&db, &rules, "n1");
    let admin = Api::new(&token(&db, "admin", "root", &[]));
    let (_, audit) = admin.get(&server.url("/api/v1/audit"));
    let swap = audit["entries"].as_array().unwrap().iter().find(|e| e["action"] == "swap").cloned().unwrap();
    assert_eq!(swap["actor"], "cli");
    assert_eq!(
        swap["detail"]["changes"],
        json!({"params": {"max_rings": {"from": 3, "to": 6}}}),
        "only what changed: {swap}"
    );
    // New contacts run on it: five rings are now in time.
    assert_eq!(desk.post(&server.url("/api/v1/contacts"), &complaint("c2")).0, 201);
    let (_, answered) = desk.post(&server.url("/api/v1/contacts/c2/events"), &json!({"type": "answered", "rings": 5}));
    assert!(!answered.to_string().contains("penalty"), "{answered}");

    // The command line counts what the API counts.
    let (ok, stdout, stderr) = cli(&["points", "--db", &db]);
    assert!(ok, "{stderr}");
    let points: Value = serde_json::from_str(&stdout).unwrap();
    let (_, api_points) = admin.get(&server.url("/api/v1/points"));
    assert_eq!(points["agents"], api_points["agents"]);
    assert_eq!(points["agents"][0]["agent"], "desk", "{points}");
    let (ok, stdout, stderr) = cli(&["stats", "--db", &db, "--rules", rules_arg, "--department", PROPERTY]);
    assert!(ok, "{stderr}");
    let stats: Value = serde_json::from_str(&stdout).unwrap();
    let (_, api_stats) = admin.get(&server.url(&format!("/api/v1/stats?department={PROPERTY}")));
    assert_eq!(stats["days"], api_stats["days"]);
    assert_eq!(stats["agents"], api_stats["agents"]);
}
