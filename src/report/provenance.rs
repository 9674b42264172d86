//! Which build of the engine produced a result: the crate version and the git commit recorded
//! at build time (`build.rs`).

/// The crate version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git commit the engine was built from (40 hex digits), or `unknown` outside a checkout.
pub const COMMIT: &str = env!("SYNCHGRAPH_COMMIT");

/// True when the engine's sources (`src/`, `shaders/`, `build.rs`, the manifests) had
/// uncommitted edits at build time, so [`COMMIT`] alone does not reproduce the build.
pub const MODIFIED: bool = const_str_is_true(env!("SYNCHGRAPH_MODIFIED"));

const fn const_str_is_true(s: &str) -> bool {
    matches!(s.as_bytes(), b"true")
}

/// `{"version": .., "commit": .., "modified": ..}`, the `engine` entry of every metrics file
/// and bench report.
pub fn engine_json() -> serde_json::Value {
    serde_json::json!({ "version": VERSION, "commit": COMMIT, "modified": MODIFIED })
}
