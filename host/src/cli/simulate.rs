use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::PluginDir;

#[derive(clap::Args)]
pub struct Args {
    /// The rules folder (departments/, calendars/).
    #[arg(long, default_value = "rules")]
    rules: PathBuf,
    /// The scenario: JSON lines of events with `at`.
    #[arg(long)]
    scenario: PathBuf,
    #[command(flatten)]
    plugins: PluginDir,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = crate::load_engine(&args.rules, &args.plugins.plugin_dir)?;
    let input = File::open(&args.scenario).with_context(|| format!("cannot open {}", args.scenario.display()))?;
    let stdout = std::io::stdout().lock();
    let stats = crate::simulate::run(engine, BufReader::new(input), BufWriter::new(stdout))?;
    eprintln!(
        "simulated {} events: {} outcomes, {} timers fired, {} rejected",
        stats.events, stats.outcomes, stats.timers_fired, stats.rejected
    );
    Ok(ExitCode::SUCCESS)
}
