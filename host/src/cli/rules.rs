use std::path::PathBuf;
use std::process::ExitCode;

use super::PluginDir;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Check every department and calendar; print each error as file:line:col.
    Check {
        /// The rules folder.
        #[arg(default_value = "rules")]
        dir: PathBuf,
        #[command(flatten)]
        plugins: PluginDir,
    },
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    let Command::Check { dir, plugins } = cmd;
    let runtime = crate::plugin::Runtime::new()?;
    let catalog = crate::rules::Catalog::load_dir(&runtime, &plugins.plugin_dir)?;
    let errors = crate::rules::check(&dir, &catalog);
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("{e}");
        }
        eprintln!("{}: {} error(s)", dir.display(), errors.len());
        return Ok(ExitCode::FAILURE);
    }
    let engine = crate::rules::bind(&crate::rules::load(&dir)?, &catalog)?;
    for d in engine.departments() {
        println!("{}: {} → {} on calendar {}", d.id, d.name, d.plugin.id_version(), d.calendar.name());
    }
    println!("{}: ok", dir.display());
    Ok(ExitCode::SUCCESS)
}
