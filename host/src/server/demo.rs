//! `sopline demo`: a server on a fresh SQLite file with the four plugins
//! (built from `plugins/` if needed), the demo rules, users with printed
//! passwords and a few sample contacts.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::core::Job;
use super::{Node, Options, auth};
use crate::event::{Envelope, Event};

/// The four industry plugins the demo runs.
pub const PLUGINS: [&str; 4] = ["property", "bank", "ecommerce", "gps"];

/// Builds any of the four plugins missing from `dir` from the workspace's `plugins/`.
pub fn ensure_plugins(dir: &Path) -> anyhow::Result<()> {
    for name in PLUGINS {
        let out = dir.join(format!("{name}.wasm"));
        if out.exists() {
            continue;
        }
        let crate_dir = PathBuf::from("plugins").join(name);
        if !crate_dir.join("Cargo.toml").exists() {
            anyhow::bail!(
                "{} is missing and there is no {} to build it from: run `sopline demo` from the repository root, or pass --plugins",
                out.display(),
                crate_dir.display()
            );
        }
        std::fs::create_dir_all(dir)?;
        eprintln!("building the {name} plugin (first time only) …");
        sopline_toolchain::build_plugin(&crate_dir, &out)?;
    }
    Ok(())
}

struct DemoUser {
    name: &'static str,
    role: &'static str,
    departments: &'static [&'static str],
}

const USERS: &[DemoUser] = &[
    DemoUser { name: "admin", role: "admin", departments: &[] },
    DemoUser {
        name: "supervisor",
        role: "supervisor",
        departments: &["property-frontdesk", "bank-service", "ecommerce-service", "gps-service"],
    },
    DemoUser { name: "agent-property", role: "agent", departments: &["property-frontdesk"] },
    DemoUser { name: "agent-bank", role: "agent", departments: &["bank-service"] },
    DemoUser { name: "agent-ecommerce", role: "agent", departments: &["ecommerce-service"] },
    DemoUser { name: "agent-gps", role: "agent", departments: &["gps-service"] },
    DemoUser { name: "author", role: "author", departments: &[] },
];

/// Creates the demo users; returns (name, role, password).
async fn users(node: &Node) -> anyhow::Result<Vec<(String, String, String)>> {
    let mut out = Vec::new();
    for u in USERS {
        let password = auth::random_hex(6);
        let departments: Vec<String> = u.departments.iter().map(|d| d.to_string()).collect();
        super::api::users::new_user(&node.state.store, u.name, u.role, &departments, Some(&password))
            .await
            .map_err(|e| anyhow::anyhow!("demo user {}: {e}", u.name))?;
        out.push((u.name.to_string(), u.role.to_string(), password));
    }
    Ok(out)
}

/// A few contacts waiting in each department, one already being worked.
async fn sample_contacts(node: &Node) -> anyhow::Result<()> {
    let samples = [
        ("property-frontdesk", "phone", "complaint", "王建国", "13800000001", vec![]),
        (
            "property-frontdesk",
            "phone",
            "repair",
            "李秀英",
            "13800000002",
            vec![json!({"type": "answered", "agent": "agent-property", "rings": 2})],
        ),
        ("bank-service", "phone", "consultation", "陈志强", "13800000003", vec![]),
        ("ecommerce-service", "chat", "after_sales", "赵丽", "13800000004", vec![]),
        ("gps-service", "phone", "installation", "刘洋", "13800000005", vec![]),
    ];
    for (i, (department, channel, category, name, phone, events)) in samples.into_iter().enumerate() {
        let id = format!("demo-{}", i + 1);
        let raw = json!({ "type": "opened", "department": department, "channel": channel, "category": category,
            "customer": { "id": format!("cust-{}", i + 1), "name": name, "phone": phone } });
        let Ok(Envelope { event: Some(Event::Opened(opened)), .. }) = Envelope::parse(raw.clone()) else {
            anyhow::bail!("demo contact {id} does not parse");
        };
        let job = Job::Open { id: id.clone(), opened, raw, generated: false, actor: "demo".into() };
        node.state.core.open(job).await?;
        for raw in events {
            let event = Envelope::parse(raw.clone()).map_err(anyhow::Error::msg)?.event.expect("an event");
            let job = Job::Event { contact: id.clone(), event, raw, actor: "demo".into() };
            node.state.core.run(job, &None).await?;
        }
    }
    Ok(())
}

/// Runs the demo until Ctrl-C.
pub async fn run(options: Options) -> anyhow::Result<()> {
    ensure_plugins(&options.plugins)?;
    if let Some(file) = options.db.strip_prefix("sqlite://") {
        let file = file.split('?').next().unwrap_or(file);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{file}{suffix}"));
        }
        if let Some(parent) = Path::new(file).parent() {
            std::fs::create_dir_all(parent)?;
        }
    }
    let node = Node::start(&options).await?;
    let users = users(&node).await?;
    sample_contacts(&node).await?;
    let listener = tokio::net::TcpListener::bind(options.listen).await?;
    let addr = listener.local_addr()?;
    println!("Sopline demo: four SOPs (property, bank, e-commerce, GPS) on {}", options.db);
    println!();
    println!("  console:  http://{addr}/console");
    println!("  API:      http://{addr}/api/v1/openapi.json");
    println!();
    println!("  {:<16} {:<11} password", "user", "role");
    for (name, role, password) in &users {
        println!("  {name:<16} {role:<11} {password}");
    }
    println!();
    println!("Log in as agent-property to work a complaint through the property SOP: open one from the queue,");
    println!("or press C to start your own; the card 下一步 (next) says what the SOP expects. Ctrl-C stops.");
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    let app = super::api::router(node.state.clone());
    let closing = node.state.closing.clone();
    let signal = async move {
        let _ = tokio::signal::ctrl_c().await;
        let _ = closing.send(true);
    };
    super::http::serve(listener, app, options.limits, node.state.metrics.clone(), signal).await;
    node.stop().await;
    Ok(())
}
