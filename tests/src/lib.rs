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

/// `component` with a core module of about `code_bytes` of function code
/// appended: never instantiated, but compiled by anything that compiles the
/// whole component. Makes a component that would be expensive to compile
/// without changing its imports or exports.
pub fn with_dead_code(component: &[u8], code_bytes: usize) -> Vec<u8> {
    use wasm_encoder::{CodeSection, Function, FunctionSection, Instruction, Module, TypeSection, ValType};
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], [ValType::I32]);
    let (mut functions, mut code) = (FunctionSection::new(), CodeSection::new());
    // Each function mixes its argument with constants so nothing folds away.
    let body_ops = 500;
    let mut written = 0;
    let mut n = 0u32;
    while written < code_bytes {
        let mut f = Function::new([]);
        f.instruction(&Instruction::LocalGet(0));
        for i in 0..body_ops {
            f.instruction(&Instruction::I32Const((n as i32).wrapping_mul(7919).wrapping_add(i)));
            f.instruction(if i % 2 == 0 { &Instruction::I32Mul } else { &Instruction::I32Xor });
        }
        f.instruction(&Instruction::End);
        written += f.byte_len();
        functions.function(0);
        code.function(&f);
        n += 1;
    }
    let mut module = Module::new();
    module.section(&types).section(&functions).section(&code);
    let mut extra = wasm_encoder::Component::new();
    extra.section(&wasm_encoder::ModuleSection(&module));
    // A component is its 8-byte preamble and then sections in any order.
    let mut out = component.to_vec();
    out.extend_from_slice(&extra.finish()[8..]);
    out
}
