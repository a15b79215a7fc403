//! Integration tests live in `tests/tests/`. This library holds what they
//! share: the paths of the plugin and guest components `build.rs` compiled.

/// Paths of the components built from `plugins/*` and `tests/guests/*`:
/// `PLUGIN_DIR`, `GUEST_DIR`, one `&str` constant per crate directory
/// (`PROPERTY`, `HOSTILE`, …), `<NAME>_CORE_MODULE` for the core module it was
/// made from, and `ALL`.
pub mod components {
    include!(concat!(env!("OUT_DIR"), "/components.rs"));
}

pub use components::*;

/// A component for an arbitrary WIT world, with a generated core module
/// whose functions all trap. For testing what the host rejects at load time
/// (another world, a future contract, imports) without a guest crate each:
/// nothing in it ever runs.
pub fn component_for_world(wit: &str, world: &str) -> anyhow::Result<Vec<u8>> {
    use wit_parser::{LiftLowerAbi, ManglingAndAbi, Resolve};
    let mut resolve = Resolve::default();
    let package = resolve.push_str("test.wit", wit)?;
    let world = resolve.select_world(&[package], Some(world))?;
    let mut module = wit_component::dummy_module(&resolve, world, ManglingAndAbi::Legacy(LiftLowerAbi::Sync));
    wit_component::embed_component_metadata(&mut module, &resolve, world, wit_component::StringEncoding::UTF8)?;
    wit_component::ComponentEncoder::default().module(&module)?.validate(true).encode()
}
