//! What a component must be before anything compiles it.
//!
//! Compiling is the expensive step (an 18 MB component took 21 s of both
//! cores and 545 MB), and wasmtime compiles every core module in a component
//! before anyone can look at its exports. So the structure is read first,
//! with `wasmparser` (the parser wasmtime itself uses) and without
//! validating function bodies: that it is a component, stays under the size
//! limits, imports nothing, and exports the plugin interface at a contract
//! version this host knows. Wasmtime still validates everything when it
//! compiles; this check only makes refusals cheap.

use wasmparser::{ComponentTypeRef, Encoding, Parser, Payload, ValidPayload, Validator, WasmFeatures};

use super::error::{Rejection, mib};
use super::runtime::{PLUGIN_INTERFACE, SUPPORTED_VERSIONS};

/// The largest component accepted, in bytes (also the upload body limit).
/// Plugins built with the SDK are about 200 KB.
pub const MAX_COMPONENT_BYTES: usize = 8 << 20;
/// The most function code, in bytes, across the component's core modules
/// (the SDK's plugins have about 150 KB). Compiling 3 MiB took 1.4 s on
/// two cores.
pub const MAX_CODE_BYTES: usize = 4 << 20;
/// The most functions across the component's core modules (the SDK's
/// plugins have about 250).
pub const MAX_FUNCTIONS: u32 = 10_000;

/// What the check learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Structure {
    /// The contract version of the `sopline:sop/plugin@X` export.
    pub contract_version: String,
    /// Functions across all core modules.
    pub functions: u32,
    /// Bytes of function code across all core modules.
    pub code_bytes: usize,
}

/// Checks a component's structure; the rejection says what to change.
pub fn precheck(bytes: &[u8]) -> Result<Structure, Rejection> {
    check_preamble(bytes)?;
    if bytes.len() > MAX_COMPONENT_BYTES {
        return Err(too_large("the file", mib(bytes.len()), mib(MAX_COMPONENT_BYTES)));
    }
    let invalid = |e: wasmparser::BinaryReaderError| Rejection::Invalid(e.to_string());
    let mut validator = Validator::new_with_features(WasmFeatures::default());
    let (mut functions, mut code_bytes) = (0u32, 0usize);
    let (mut imports, mut exports) = (Vec::new(), Vec::new());
    let mut types = None;
    // Nesting: 0 is the plugin's own component; core modules sit inside it.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(invalid)?;
        match &payload {
            Payload::FunctionSection(reader) => {
                functions = functions.saturating_add(reader.count());
                if functions > MAX_FUNCTIONS {
                    return Err(too_large("functions", format!("over {functions}"), MAX_FUNCTIONS.to_string()));
                }
            }
            Payload::CodeSectionStart { size, .. } => {
                code_bytes = code_bytes.saturating_add(*size as usize);
                if code_bytes > MAX_CODE_BYTES {
                    return Err(too_large("function code", format!("over {}", mib(code_bytes)), mib(MAX_CODE_BYTES)));
                }
            }
            Payload::ComponentImportSection(reader) if depth == 0 => {
                for import in reader.clone() {
                    let import = import.map_err(invalid)?;
                    imports.push((import.name.name.to_string(), import.ty));
                }
            }
            Payload::ComponentExportSection(reader) if depth == 0 => {
                for export in reader.clone() {
                    exports.push(export.map_err(invalid)?.name.name.to_string());
                }
            }
            _ => {}
        }
        // Function bodies (`ValidPayload::Func`) are left to wasmtime.
        if let ValidPayload::End(end) = validator.payload(&payload).map_err(invalid)?
            && depth == 0
        {
            types = Some(end);
        }
        match payload {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) if depth > 0 => depth -= 1,
            _ => {}
        }
    }
    let types = types.ok_or_else(|| Rejection::Invalid("the component ends early".into()))?;
    let callable: Vec<String> =
        imports.into_iter().filter(|(name, ty)| !types_only(types.as_ref(), name, ty)).map(|(name, _)| name).collect();
    if !callable.is_empty() {
        return Err(Rejection::Imports(callable));
    }
    let contract_version = plugin_export_version(&exports)?;
    Ok(Structure { contract_version, functions, code_bytes })
}

fn too_large(what: &'static str, found: String, limit: String) -> Rejection {
    Rejection::TooLarge { what, found, limit }
}

/// Tells garbage, a core module and a component apart by the 8-byte header,
/// because a validator's "expected a component" does not tell a plugin
/// author what to do.
fn check_preamble(bytes: &[u8]) -> Result<(), Rejection> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return Err(Rejection::NotWasm(format!("{} bytes without the `\\0asm` header", bytes.len())));
    }
    match Parser::new(0).parse(bytes, false) {
        Ok(wasmparser::Chunk::Parsed { payload: Payload::Version { encoding: Encoding::Component, .. }, .. }) => Ok(()),
        Ok(wasmparser::Chunk::Parsed { payload: Payload::Version { encoding: Encoding::Module, .. }, .. }) => {
            Err(Rejection::CoreModule)
        }
        _ => Err(Rejection::NotWasm(format!("unknown wasm version or layer {:?}", &bytes[4..8]))),
    }
}

/// Whether an import is an instance that exports nothing but types: the
/// contract's `types` interface arrives so, and it holds nothing callable,
/// so nothing to sandbox.
fn types_only(types: wasmparser::types::TypesRef<'_>, name: &str, ty: &ComponentTypeRef) -> bool {
    use wasmparser::component_types::ComponentEntityType;
    if !matches!(ty, ComponentTypeRef::Instance(_)) {
        return false;
    }
    match types.component_item_for_import(name).map(|item| &item.ty) {
        Some(ComponentEntityType::Instance(id)) => types.get(*id).is_some_and(|instance| {
            instance.exports.values().all(|e| matches!(e.ty, ComponentEntityType::Type { .. }))
        }),
        _ => false,
    }
}

/// The contract version of the `sopline:sop/plugin@X` export.
fn plugin_export_version(exports: &[String]) -> Result<String, Rejection> {
    let prefix = format!("{PLUGIN_INTERFACE}@");
    let found = exports
        .iter()
        .find_map(|name| name.strip_prefix(&prefix))
        .ok_or_else(|| Rejection::NoPluginExport(exports.to_vec()))?;
    if !SUPPORTED_VERSIONS.contains(&found) {
        return Err(Rejection::UnsupportedVersion {
            found: found.to_string(),
            supported: SUPPORTED_VERSIONS.iter().map(|v| v.to_string()).collect(),
        });
    }
    Ok(found.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_empty_and_truncated_components_are_told_apart() {
        assert!(matches!(precheck(b"nope"), Err(Rejection::NotWasm(_))));
        let empty = b"\0asm\x0d\0\x01\0";
        assert_eq!(precheck(empty), Err(Rejection::NoPluginExport(Vec::new())));
        let truncated = b"\0asm\x0d\0\x01\0\x0b\x05\x01";
        assert!(matches!(precheck(truncated), Err(Rejection::Invalid(_))), "{:?}", precheck(truncated));
    }

    #[test]
    fn a_component_over_the_size_limit_is_refused_by_its_length() {
        let mut bytes = b"\0asm\x0d\0\x01\0".to_vec();
        bytes.resize(MAX_COMPONENT_BYTES + 1, 0);
        let err = precheck(&bytes).unwrap_err();
        assert_eq!(
            err.to_string(),
            "it is too large: the file is 8388609 bytes, more than the 8 MiB a plugin may have"
        );
    }
}
