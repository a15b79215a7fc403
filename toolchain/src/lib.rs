//! # Sopline toolchain — build a plugin crate into a wasm component
//!
//! [`build_plugin`] compiles a plugin crate for `wasm32-unknown-unknown` and
//! turns the core module into a component with `wit-component`. It is used by
//! `sopline plugin build` and by the test suite's `build.rs`.
//!
//! Two toolchains are supported, detected in this order (see
//! `shared/wasm-toolchain.md`):
//! 1. a rustup toolchain with the `wasm32-unknown-unknown` target installed
//!    (a plugin author's laptop): plain `cargo build --target …`;
//! 2. Debian's `rustc-web`/`cargo-web` with `rust-web-src`: the standard
//!    library is built from source with `-Zbuild-std` (machines where rustup
//!    cannot download wasm standard libraries).
//!
//! With neither, the error says exactly what to install.
//!
//! # Layout
//! - [`Toolchain`]: detection and the cargo command for each kind.
//! - [`build_plugin`] / [`BuildReport`]: compile, then componentize.
//! - [`componentize`]: the core module → component step alone.

use anyhow::{Context, Result, anyhow, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The wasm target plugins are compiled for: no libc, no WASI, which suits
/// plugins that import nothing.
pub const TARGET: &str = "wasm32-unknown-unknown";

/// The cargo profile plugins are built with (defined in the workspace's root
/// `Cargo.toml`).
pub const PROFILE: &str = "plugin";

/// What to run when no usable toolchain is found.
pub const INSTALL_HINT: &str = "install one of: `apt-get install -y rustc-web cargo-web rust-web-src rust-web-llvm lld-22` \
     (Debian; builds the standard library from source) or `rustup target add wasm32-unknown-unknown`";

const DEBIAN_CARGO: &str = "/usr/bin/cargo";
const DEBIAN_RUSTC: &str = "/usr/bin/rustc";
const DEBIAN_RUST_SRC: &str = "/usr/lib/rustlib/src/rust/library";

/// A toolchain able to compile Rust to `wasm32-unknown-unknown`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Toolchain {
    /// The rustup toolchain on `PATH` has the wasm target installed.
    Rustup,
    /// Debian's `cargo`/`rustc` build the standard library from source
    /// (`RUSTC_BOOTSTRAP=1 … -Zbuild-std=std,panic_abort`).
    DebianBuildStd {
        /// Debian's cargo (`/usr/bin/cargo`).
        cargo: PathBuf,
        /// Debian's rustc (`/usr/bin/rustc`).
        rustc: PathBuf,
    },
}

impl Toolchain {
    /// Finds a toolchain, or fails with what to install.
    pub fn detect() -> Result<Toolchain> {
        if rustup_has_wasm_target() {
            return Ok(Toolchain::Rustup);
        }
        let (cargo, rustc) = (PathBuf::from(DEBIAN_CARGO), PathBuf::from(DEBIAN_RUSTC));
        if cargo.is_file() && rustc.is_file() && Path::new(DEBIAN_RUST_SRC).is_dir() {
            return Ok(Toolchain::DebianBuildStd { cargo, rustc });
        }
        bail!("no Rust toolchain for {TARGET} found: {INSTALL_HINT}")
    }

    /// A `cargo` command for this toolchain with the variables an outer
    /// cargo (a `build.rs`, `cargo run`) leaks cleared.
    pub fn cargo(&self) -> Command {
        let mut cmd = match self {
            Toolchain::Rustup => Command::new("cargo"),
            Toolchain::DebianBuildStd { cargo, .. } => Command::new(cargo),
        };
        clear_leaked_env(&mut cmd);
        if let Toolchain::DebianBuildStd { rustc, .. } = self {
            // Debian's cargo must drive Debian's rustc, whose library source
            // `-Zbuild-std` compiles; nightly flags need the bootstrap escape.
            cmd.env("RUSTC", rustc).env("RUSTC_BOOTSTRAP", "1");
        }
        cmd
    }

    /// The arguments after `cargo build` that select the target.
    fn target_args(&self) -> Vec<&'static str> {
        match self {
            Toolchain::Rustup => vec!["--target", TARGET],
            Toolchain::DebianBuildStd { .. } => vec!["--target", TARGET, "-Zbuild-std=std,panic_abort"],
        }
    }
}

fn rustup_has_wasm_target() -> bool {
    let mut cmd = Command::new("rustup");
    cmd.args(["target", "list", "--installed"]);
    clear_leaked_env(&mut cmd);
    match cmd.output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).lines().any(|l| l.trim() == TARGET),
        _ => false,
    }
}

/// Removes what a cargo running us sets for its own build (compiler
/// overrides, flags for the host target, the package being built) so that the
/// cargo we start sees the same environment as one typed in a shell.
fn clear_leaked_env(cmd: &mut Command) {
    const EXACT: &[&str] = &[
        "RUSTC",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTDOC",
        "RUSTFLAGS",
        "RUSTDOCFLAGS",
        "RUSTC_LINKER",
        "RUSTC_BOOTSTRAP",
        "RUSTUP_TOOLCHAIN",
        "CARGO",
        "OUT_DIR",
        "TARGET",
        "HOST",
        "PROFILE",
        "OPT_LEVEL",
        "DEBUG",
        "NUM_JOBS",
        "MAKEFLAGS",
        "MFLAGS",
    ];
    // Kept: where cargo keeps its caches and how it reaches registries.
    const KEEP_PREFIXES: &[&str] =
        &["CARGO_HOME", "CARGO_NET_", "CARGO_HTTP_", "CARGO_REGISTRIES_", "CARGO_REGISTRY_", "CARGO_TERM_"];
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        let leaked = EXACT.contains(&key)
            || key.starts_with("__CARGO")
            || (key.starts_with("CARGO_") && !KEEP_PREFIXES.iter().any(|p| key.starts_with(p)));
        if leaked {
            cmd.env_remove(key);
        }
    }
}

/// What [`build_plugin`] did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// The plugin crate's package name.
    pub package: String,
    /// The toolchain used.
    pub toolchain: Toolchain,
    /// The core module cargo produced.
    pub core_module: PathBuf,
    /// The component written (the `out` argument).
    pub component: PathBuf,
    /// The component's size in bytes.
    pub size: u64,
    /// Whether the component was encoded again (false: it was newer than the core module).
    pub encoded: bool,
    /// Wall time of the cargo build (near zero when it was up to date).
    pub compile_time: Duration,
    /// Wall time of componentizing (zero when skipped).
    pub encode_time: Duration,
}

/// The package `crate_dir` holds and where its workspace keeps build output.
struct CrateInfo {
    package: String,
    lib_name: String,
    target_dir: PathBuf,
}

fn crate_info(toolchain: &Toolchain, crate_dir: &Path) -> Result<CrateInfo> {
    let manifest = crate_dir.join("Cargo.toml");
    let manifest =
        manifest.canonicalize().with_context(|| format!("{} is not a crate (no Cargo.toml)", crate_dir.display()))?;
    let out = toolchain
        .cargo()
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(crate_dir)
        .output()
        .context("running `cargo metadata`")?;
    if !out.status.success() {
        bail!("`cargo metadata` failed in {}:\n{}", crate_dir.display(), String::from_utf8_lossy(&out.stderr));
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).context("parsing `cargo metadata` output")?;
    let target_dir =
        meta["target_directory"].as_str().ok_or_else(|| anyhow!("`cargo metadata` gave no target_directory"))?;
    let packages = meta["packages"].as_array().ok_or_else(|| anyhow!("`cargo metadata` gave no packages"))?;
    let package = packages
        .iter()
        .find(|p| {
            p["manifest_path"].as_str().and_then(|m| Path::new(m).canonicalize().ok()).as_deref()
                == Some(manifest.as_path())
        })
        .ok_or_else(|| anyhow!("{} is not a package of its workspace", manifest.display()))?;
    let name = package["name"].as_str().unwrap_or_default().to_string();
    let lib = package["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "cdylib")))
        .ok_or_else(|| anyhow!("package `{name}` has no cdylib target: add `[lib] crate-type = [\"cdylib\", \"rlib\"]` to its Cargo.toml"))?;
    let lib_name = lib["name"].as_str().unwrap_or(&name).replace('-', "_");
    Ok(CrateInfo { package: name, lib_name, target_dir: PathBuf::from(target_dir) })
}

/// Compiles the plugin crate in `crate_dir` and writes its component to `out`.
///
/// Cargo decides what to recompile (its target directory is
/// `<workspace target>/wasm`, kept apart from native builds so neither
/// invalidates the other); the component is encoded again only when the core
/// module is newer than `out`. A compiler error comes back with cargo's
/// output.
pub fn build_plugin(crate_dir: &Path, out: &Path) -> Result<BuildReport> {
    let toolchain = Toolchain::detect()?;
    let info = crate_info(&toolchain, crate_dir)?;
    let wasm_target_dir = info.target_dir.join("wasm");

    let started = Instant::now();
    let output = toolchain
        .cargo()
        .arg("build")
        .args(toolchain.target_args())
        .args(["--profile", PROFILE, "--package", &info.package])
        .arg("--target-dir")
        .arg(&wasm_target_dir)
        .current_dir(crate_dir)
        .output()
        .with_context(|| format!("running cargo for {}", info.package))?;
    let compile_time = started.elapsed();
    if !output.status.success() {
        bail!(
            "compiling plugin `{}` for {TARGET} failed ({:?}):\n{}",
            info.package,
            toolchain,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let core_module = wasm_target_dir.join(TARGET).join(PROFILE).join(format!("{}.wasm", info.lib_name));
    if !core_module.is_file() {
        bail!("cargo succeeded but {} is missing", core_module.display());
    }

    let mut encoded = false;
    let mut encode_time = Duration::ZERO;
    if !is_up_to_date(out, &core_module) {
        let started = Instant::now();
        let core = std::fs::read(&core_module).with_context(|| format!("reading {}", core_module.display()))?;
        let component =
            componentize(&core).with_context(|| format!("turning {} into a component", core_module.display()))?;
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        // Write then rename, so a reader never sees half a component.
        let tmp = out.with_extension("wasm.tmp");
        std::fs::write(&tmp, &component).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, out).with_context(|| format!("writing {}", out.display()))?;
        encoded = true;
        encode_time = started.elapsed();
    }
    let size = std::fs::metadata(out).with_context(|| format!("reading {}", out.display()))?.len();
    Ok(BuildReport {
        package: info.package,
        toolchain,
        core_module,
        component: out.to_path_buf(),
        size,
        encoded,
        compile_time,
        encode_time,
    })
}

/// Turns a core module built with the SDK (which embeds the WIT world in a
/// custom section) into a validated component.
pub fn componentize(core_module: &[u8]) -> Result<Vec<u8>> {
    wit_component::ComponentEncoder::default().module(core_module)?.validate(true).encode()
}

fn is_up_to_date(out: &Path, input: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(out), modified(input)), (Some(o), Some(i)) if o > i)
}
