//! # Sopline host
//!
//! Runs a contact centre's SOPs: the lifecycle every contact shares is here,
//! what a particular SOP manual decides comes from a sandboxed wasm plugin.
//!
//! # Layout
//! - [`calendar`]: working hours, holidays, make-up days; business-time sums.
//! - [`plugin`]: the wasm runtime (compile cache, pooling, CPU and memory bounds).
//! - [`diagnostic`]: errors located at file:line:col.
pub mod calendar;
pub mod diagnostic;
pub mod plugin;
