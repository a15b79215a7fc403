//! The `sopline` command line: parses arguments and calls the library.

mod access;
mod calendar;
mod plugin;
mod rules;
mod server;
mod simulate;
mod supervise;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "sopline", version, about = "Run a contact centre's SOPs as code")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log lines as text or JSON (on stderr; level from SOPLINE_LOG, e.g. `debug`).
    #[arg(long, global = true, value_enum, default_value = "text")]
    log_format: LogFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// Where compiled plugins are looked up.
#[derive(clap::Args, Clone)]
pub struct PluginDir {
    /// Folder of plugin components (`*.wasm`).
    #[arg(long = "plugins", env = "SOPLINE_PLUGINS", default_value = "target/plugins")]
    pub plugin_dir: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario on a virtual clock and print the outcomes as JSON lines.
    Simulate(simulate::Args),
    /// Build or inspect plugins.
    #[command(subcommand)]
    Plugin(plugin::Command),
    /// Check rules.
    #[command(subcommand)]
    Rules(rules::Command),
    /// Business-time sums on a calendar.
    #[command(subcommand)]
    Calendar(calendar::Command),
    /// Run the server (SQLite by default; PostgreSQL for several nodes).
    Serve(server::ServeArgs),
    /// The server on a fresh SQLite file with the four plugins, users and sample contacts.
    Demo(server::DemoArgs),
    /// Manage users: add, disable, enable, delete.
    #[command(subcommand)]
    User(access::UserCommand),
    /// Manage API tokens: create, list, revoke.
    #[command(subcommand)]
    Token(access::TokenCommand),
    /// Supervisors' statistics from the log (JSON), as `GET /api/v1/stats`.
    Stats(supervise::StatsArgs),
    /// The penalty and reward ledger (JSON), as `GET /api/v1/points`.
    Points(supervise::PointsArgs),
    /// Swap a department's SOP, as `PUT /api/v1/departments/{id}/binding`.
    #[command(subcommand)]
    Binding(supervise::BindingCommand),
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let serving = matches!(cli.command, Command::Serve(_) | Command::Demo(_));
    init_logging(cli.log_format == LogFormat::Json, if serving { "info,sqlx=warn" } else { "warn" });
    let result = match cli.command {
        Command::Simulate(args) => simulate::run(args),
        Command::Plugin(cmd) => plugin::run(cmd),
        Command::Rules(cmd) => rules::run(cmd),
        Command::Calendar(cmd) => calendar::run(cmd),
        Command::Serve(args) => server::serve(args),
        Command::Demo(args) => server::demo(args),
        Command::User(cmd) => access::user(cmd),
        Command::Token(cmd) => access::token(cmd),
        Command::Stats(args) => supervise::stats(args),
        Command::Points(args) => supervise::points(args),
        Command::Binding(cmd) => supervise::binding(cmd),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(json: bool, default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SOPLINE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let fmt = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json { fmt.json().init() } else { fmt.init() }
}
