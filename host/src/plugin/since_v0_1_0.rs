//! Bindings for plugins built against contract `sopline:sop@0.1.0`.
//!
//! Frozen with `wit/since_v0.1.0/`: a later contract gets its own
//! `since_vX_Y_Z.rs` beside this one (Zed's extension host does the same), so
//! plugins built against every released version keep loading. While 0.1.0 is
//! the latest, its types *are* [`super::wit`] and no conversion is needed.

wasmtime::component::bindgen!({
    path: "../wit/since_v0.1.0",
    world: "sop-plugin",
    additional_derives: [PartialEq],
});

/// The contract version, as in `sopline:sop/plugin@0.1.0`.
pub const VERSION: &str = "0.1.0";
