//! The plugin runtime: wasm components compiled once, sandboxed and bounded.
