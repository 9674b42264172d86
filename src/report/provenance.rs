//! Which build of the engine produced a result: the crate version and the git commit recorded
//! at build time (`build.rs`).

/// The crate version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git commit the engine was built from (40 hex digits), or `unknown` outside a checkout.
/// Uncommitted edits in the tree are not reflected.
pub const COMMIT: &str = env!("SYNCHGRAPH_COMMIT");

/// `{"version": .., "commit": ..}`, the `engine` entry of every metrics file and bench report.
pub fn engine_json() -> serde_json::Value {
    serde_json::json!({ "version": VERSION, "commit": COMMIT })
}
