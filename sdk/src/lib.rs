//! # Sopline SDK — write an SOP manual as a plugin
//!
//! A plugin is a Rust crate compiled to a WebAssembly component that the
//! Sopline host loads. It implements [`Plugin`] and registers itself with
//! [`export_plugin!`]; the host calls it whenever something happens to a
//! contact and executes the [`Action`]s it returns.
//!
//! ```ignore
//! use sopline_sdk::prelude::*;
//!
//! struct Hello { greeting: String }
//!
//! impl Plugin for Hello {
//!     fn manifest() -> Manifest { /* id, version, params … */ }
//!     fn configure(params: &Params) -> Result<Self, String> {
//!         Ok(Hello { greeting: params.text("greeting")? })
//!     }
//!     fn on_event(&self, contact: &Contact, event: &Event, now: Timestamp) -> Vec<Action> {
//!         match event {
//!             Event::Opened => vec![act::script("greeting", &self.greeting)],
//!             _ => vec![],
//!         }
//!     }
//! }
//! export_plugin!(Hello);
//! ```
//!
//! # Layout
//! - [`Plugin`] and [`export_plugin!`]: the contract, over private wit-bindgen bindings.
//! - [`params`]: typed access to a department's parameters.
//! - [`span`]: durations such as `"10m"` or `"2d"`.
//! - [`act`]: constructors for every action.
//! - [`contact`]: questions a plugin asks of a contact (fields, deadlines, surname).
//! - [`template`]: scripts with `{客户姓氏}`-style placeholders.
//! - [`phrase`]: phrase matching for Chinese agent messages, with context.
//! - [`testing`]: a native harness to unit-test a plugin without wasm.
//! - [`common`]: what all the manuals share: standard scripts and forbidden phrases.
#![deny(missing_docs)]

pub mod act;
pub mod common;
pub mod contact;
pub mod params;
pub mod phrase;
pub mod span;
pub mod template;
pub mod testing;

#[doc(hidden)]
#[allow(missing_docs)]
pub mod __bindings {
    wit_bindgen::generate!({
        path: "../wit/since_v0.1.0",
        world: "sop-plugin",
        pub_export_macro: true,
        export_macro_name: "__export_sop_plugin",
        default_bindings_module: "::sopline_sdk::__bindings",
        additional_derives: [PartialEq],
    });
}

pub use __bindings::sopline::sop::types::*;
pub use params::Params;

/// The contract version this SDK builds plugins against.
pub const WIT_VERSION: &str = "0.1.0";

/// Everything a plugin usually needs, in one `use`.
pub mod prelude {
    pub use crate::contact::ContactExt;
    pub use crate::span::span;
    pub use crate::*;
}

/// An SOP manual as code.
///
/// The host creates one configured value per department (from
/// [`Plugin::configure`]) and calls the other methods on it. Calls must be
/// deterministic: the same contact, event and time always give the same
/// actions, so that simulations replay exactly.
pub trait Plugin: Sized + 'static {
    /// Who the plugin is and which parameters it takes.
    fn manifest() -> Manifest;

    /// Builds the plugin from a department's parameters (every parameter of
    /// the manifest is present, defaults filled in). Return an error naming
    /// the bad key.
    fn configure(params: &Params) -> Result<Self, String>;

    /// Decides what follows an event. `contact` already reflects the event
    /// (its state, fields and times are updated); `now` is when it happened.
    fn on_event(&self, contact: &Contact, event: &Event, now: Timestamp) -> Vec<Action>;

    /// Finds violations in what someone says. The host calls it for every
    /// agent message, before the console sends it and when it is recorded.
    fn check_utterance(&self, _contact: &Contact, _speaker: Speaker, _text: &str) -> Vec<Violation> {
        Vec::new()
    }

    /// The text an agent should say in `scene`, placeholders filled.
    fn script(&self, _scene: &str, _contact: &Contact) -> Option<String> {
        None
    }
}

/// Registers a [`Plugin`] as the component's exports.
///
/// Compiles to nothing on native targets, so the same crate can be unit
/// tested and benchmarked natively through [`testing::Harness`].
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            type __SoplineAdapter = $crate::__private::Adapter<$plugin>;
    $crate::__bindings::__export_sop_plugin!(__SoplineAdapter with_types_in $crate::__bindings);
        };
    };
}

#[doc(hidden)]
pub mod __private {
    use super::__bindings::exports::sopline::sop::plugin::Guest;
    use super::*;
    use std::any::Any;
    use std::cell::RefCell;
    use std::marker::PhantomData;

    thread_local! {
        static CONFIGURED: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
    }

    /// Bridges the wit-bindgen `Guest` trait to a [`Plugin`].
    pub struct Adapter<P>(PhantomData<P>);

    impl<P: Plugin> Adapter<P> {
        fn with<R>(f: impl FnOnce(&P) -> R) -> R {
            CONFIGURED.with(|cell| {
                let mut slot = cell.borrow_mut();
                if slot.is_none() {
                    // Called before `configure`: run with the defaults.
                    let params =
                        Params::from_manifest(&P::manifest(), Vec::new()).expect("manifest defaults are valid");
                    let plugin = P::configure(&params).expect("the plugin accepts its own defaults");
                    *slot = Some(Box::new(plugin));
                }
                let plugin = slot.as_ref().and_then(|b| b.downcast_ref::<P>()).expect("one plugin type per component");
                f(plugin)
            })
        }
    }

    impl<P: Plugin> Guest for Adapter<P> {
        fn manifest() -> Manifest {
            P::manifest()
        }

        fn configure(params: Vec<(String, ParamValue)>) -> Result<(), String> {
            let params = Params::from_manifest(&P::manifest(), params)?;
            let plugin = P::configure(&params)?;
            CONFIGURED.with(|cell| *cell.borrow_mut() = Some(Box::new(plugin)));
            Ok(())
        }

        fn on_event(contact: Contact, event: Event, now: Timestamp) -> Vec<Action> {
            Self::with(|p| p.on_event(&contact, &event, now))
        }

        fn check_utterance(contact: Contact, speaker: Speaker, text: String) -> Vec<Violation> {
            Self::with(|p| p.check_utterance(&contact, speaker, &text))
        }

        fn script(scene: String, contact: Contact) -> Option<String> {
            Self::with(|p| p.script(&scene, &contact))
        }
    }
}
