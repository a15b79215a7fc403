//! The `sopline` command line: parses arguments and calls the library.

mod calendar;
mod plugin;
mod rules;
mod simulate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "sopline", version, about = "Run a contact centre's SOPs as code")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
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
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let result = match cli.command {
        Command::Simulate(args) => simulate::run(args),
        Command::Plugin(cmd) => plugin::run(cmd),
        Command::Rules(cmd) => rules::run(cmd),
        Command::Calendar(cmd) => calendar::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SOPLINE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
