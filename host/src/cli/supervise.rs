//! `sopline stats`, `sopline points`, `sopline binding set`: what the
//! supervisors' and admins' API does, straight on the database (for scripts
//! and for when no server runs). They call the same domain functions as the
//! API ([`crate::server::supervision`], [`crate::server::swap`]).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::server::auth::{Caller, Role, TokenInfo};
use crate::server::store::{Backend, Store};
use crate::server::{supervision, swap};

#[derive(clap::Args)]
pub struct StatsArgs {
    #[arg(long, env = "SOPLINE_DB", default_value = "sqlite://sopline.db")]
    db: String,
    /// The rules folder, for the departments' calendars (their time zones set the days).
    #[arg(long, default_value = "rules")]
    rules: PathBuf,
    /// One department (default: all).
    #[arg(long)]
    department: Option<String>,
    /// Days ending today (1–92).
    #[arg(long, default_value_t = 7)]
    days: i64,
}

#[derive(clap::Args)]
pub struct PointsArgs {
    #[arg(long, env = "SOPLINE_DB", default_value = "sqlite://sopline.db")]
    db: String,
    /// One agent (default: all).
    #[arg(long)]
    agent: Option<String>,
    /// RFC 3339, inclusive (default: 30 days before `--to`).
    #[arg(long)]
    from: Option<String>,
    /// RFC 3339, exclusive (default: now).
    #[arg(long)]
    to: Option<String>,
}

#[derive(clap::Subcommand)]
pub enum BindingCommand {
    /// Swap a department's SOP: plugin, version, parameters or calendar. A
    /// server on PostgreSQL takes it at once; one on SQLite at its next start.
    Set(SetArgs),
}

#[derive(clap::Args)]
pub struct SetArgs {
    #[arg(long, env = "SOPLINE_DB", default_value = "sqlite://sopline.db")]
    db: String,
    #[arg(long, default_value = "rules")]
    rules: PathBuf,
    #[command(flatten)]
    plugins: super::PluginDir,
    #[arg(long)]
    department: String,
    #[arg(long)]
    plugin: Option<String>,
    #[arg(long)]
    version: Option<String>,
    /// `NAME=VALUE` (repeat); the value as JSON (`5`, `true`, `"text"`) or, if it is not JSON, as text.
    #[arg(long = "param")]
    params: Vec<String>,
    #[arg(long)]
    calendar: Option<String>,
    /// Check and show what would change; store nothing.
    #[arg(long)]
    dry_run: bool,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// The command line acts as an administrator.
fn operator() -> Caller {
    let token = TokenInfo { id: "cli".into(), expires_at: None, hash: String::new() };
    Caller { name: "cli".into(), role: Role::Admin, departments: Vec::new(), token }
}

fn print(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

pub fn stats(args: StatsArgs) -> anyhow::Result<ExitCode> {
    let rules = crate::rules::load(&args.rules)?;
    runtime()?.block_on(async {
        let store = Store::open(&args.db).await?;
        let stats = supervision::stats(
            &store,
            &rules.calendars,
            &operator(),
            args.department.as_deref(),
            args.days,
            jiff::Timestamp::now(),
        )
        .await?;
        print(&stats)
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn points(args: PointsArgs) -> anyhow::Result<ExitCode> {
    let time = |t: &Option<String>| t.as_deref().map(crate::event::parse_time).transpose().map_err(anyhow::Error::msg);
    let to = time(&args.to)?.map_or_else(|| crate::server::store::now_ms() + 1, |t| t.as_millisecond());
    let from = time(&args.from)?.map_or(to - 30 * 24 * 3600 * 1000, |t| t.as_millisecond());
    runtime()?.block_on(async {
        let store = Store::open(&args.db).await?;
        print(&supervision::points(&store, &operator(), args.agent.as_deref(), from, to).await?)
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn binding(cmd: BindingCommand) -> anyhow::Result<ExitCode> {
    let BindingCommand::Set(args) = cmd;
    let rules = crate::rules::load(&args.rules)?;
    let mut params = serde_json::Map::new();
    for pair in &args.params {
        let (name, value) =
            pair.split_once('=').with_context(|| format!("--param {pair:?}: write NAME=VALUE, e.g. max_rings=3"))?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::String(value.to_string()));
        params.insert(name.to_string(), value);
    }
    runtime()?.block_on(async {
        let store = Store::open(&args.db).await?;
        let runtime = crate::plugin::Runtime::new()?;
        let catalog = crate::server::load_catalog(&store, &runtime, &args.plugins.plugin_dir).await?;
        let current = store.current_bindings().await?.into_iter().find(|b| b.department == args.department);
        // Named parameters change; the others keep their current values.
        let params = match (&current, params.is_empty()) {
            (_, true) => None,
            (Some(c), false) if args.plugin.as_ref().is_none_or(|p| *p == c.plugin_id) => {
                let mut merged = c.params.as_object().cloned().unwrap_or_default();
                merged.extend(params);
                Some(serde_json::Value::Object(merged))
            }
            _ => Some(serde_json::Value::Object(params)),
        };
        let request = swap::SwapRequest { plugin: args.plugin, version: args.version, params, calendar: args.calendar };
        let plan = swap::plan(&store, &catalog, &rules.calendars, &args.department, request, "cli").await?;
        print(&serde_json::json!({ "binding": plan.row, "changes": plan.changes, "pinned": plan.pinned }))?;
        if args.dry_run {
            eprintln!("dry run: nothing stored");
            return anyhow::Ok(());
        }
        let row = swap::apply(&store, &plan, "cli").await?;
        swap::announce(&store, "cli", &row).await;
        match store.backend() {
            Backend::Postgres => eprintln!("stored as revision {}; running nodes load it now", row.revision),
            Backend::Sqlite => eprintln!("stored as revision {}; the server takes it at its next start", row.revision),
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
