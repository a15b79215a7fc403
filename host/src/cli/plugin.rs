use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Compile plugin crates to wasm components.
    Build {
        /// Plugin crate folders, e.g. `plugins/property` or `plugins/*`.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output file (one crate only). Default: target/plugins/<folder name>.wasm
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Print a plugin's manifest as JSON, or why the file is not a compatible plugin.
    Inspect {
        /// A component built with `sopline plugin build`.
        file: PathBuf,
    },
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Build { dirs, output } => {
            if output.is_some() && dirs.len() > 1 {
                anyhow::bail!("--output takes one plugin folder, not {}", dirs.len());
            }
            for dir in &dirs {
                let name =
                    dir.canonicalize()?.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let out =
                    output.clone().unwrap_or_else(|| PathBuf::from("target/plugins").join(format!("{name}.wasm")));
                if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)?;
                }
                sopline_toolchain::build_plugin(dir, &out)?;
                eprintln!("built {} → {}", dir.display(), out.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Inspect { file } => {
            let manifest = crate::plugin::inspect(&file)?;
            println!("{}", serde_json::to_string_pretty(&manifest)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}
