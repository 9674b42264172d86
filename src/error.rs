//! Typed errors returned by the library. The CLI adds context with `anyhow`.

use thiserror::Error;

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What to install when no adapter is found, for the platform this build runs on.
#[cfg(target_os = "macos")]
const DRIVER_HINT: &str = "Metal comes with macOS; a Mac without Metal support, or a virtual \
                           machine without GPU access, has no adapter";
/// What to install when no adapter is found, for the platform this build runs on.
#[cfg(target_os = "windows")]
const DRIVER_HINT: &str = "Install or update the GPU's driver (DX12 or Vulkan)";
/// What to install when no adapter is found, for the platform this build runs on.
#[cfg(not(any(target_os = "macos", target_os = "windows")))]
const DRIVER_HINT: &str = "Install the Vulkan driver of the GPU (Mesa's, or the vendor's); on \
                           Debian/Ubuntu without a GPU install the software rasteriser: \
                           `apt-get install mesa-vulkan-drivers libvulkan1` (lavapipe)";

/// Every failure the engine reports. Each message says what went wrong and, where possible, what to do.
#[derive(Debug, Error)]
pub enum Error {
    /// No GPU adapter (hardware or software) could be found.
    #[error("no GPU adapter found (backends tried: {backends}). {hint}", hint = DRIVER_HINT)]
    NoAdapter {
        /// Backends that were searched.
        backends: String,
    },
    /// The adapter asked for by `--adapter` / `SYNCHGRAPH_ADAPTER` does not exist.
    #[error(
        "adapter '{wanted}' not found (asked for by --adapter or the SYNCHGRAPH_ADAPTER \
         environment variable); available adapters: {available}"
    )]
    AdapterNotFound {
        /// The name or index the user asked for.
        wanted: String,
        /// Names of the adapters that do exist.
        available: String,
    },
    /// The adapter refused to create a device.
    #[error("could not open a device on adapter '{adapter}': {reason}")]
    RequestDevice {
        /// Adapter name.
        adapter: String,
        /// Driver message.
        reason: String,
    },
    /// wgpu reported a validation error (a bug in a kernel or its bindings).
    #[error("GPU validation error in {context}: {message}")]
    Validation {
        /// What the engine was doing.
        context: String,
        /// wgpu's description.
        message: String,
    },
    /// The device ran out of memory (for an allocation: even after the buffer pool was freed).
    #[error("GPU out of memory while {context}")]
    OutOfMemory {
        /// What the engine was doing.
        context: String,
    },
    /// The device was lost or a wait failed.
    #[error("GPU device error: {0}")]
    Device(String),
    /// A tensor is larger than one storage binding may be on this device.
    #[error(
        "tensor '{what}' needs {bytes} bytes, over this device's limit of {limit} bytes \
         (max_storage_buffer_binding_size / max_buffer_size); use a smaller size or a bigger GPU"
    )]
    TooLarge {
        /// Which tensor.
        what: String,
        /// Requested size in bytes.
        bytes: u64,
        /// Device limit in bytes.
        limit: u64,
    },
    /// A shape does not fit the operation.
    #[error("shape error in {op}: {message}")]
    Shape {
        /// The operation.
        op: String,
        /// What is wrong.
        message: String,
    },
    /// A data type does not fit the operation.
    #[error("dtype error in {op}: expected {expected}, got {got}")]
    DType {
        /// The operation.
        op: String,
        /// Expected dtype.
        expected: String,
        /// Given dtype.
        got: String,
    },
    /// An input value is invalid (NaN, out of range, empty ...).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A device feature needed by the request is missing.
    #[error("unsupported on this adapter: {0}")]
    Unsupported(String),
    /// A data file could not be read or parsed.
    #[error("data error in {path}: {message}")]
    Data {
        /// File or folder.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A file ends before the data its header announces.
    #[error("truncated file {path}: {message}")]
    Truncated {
        /// File.
        path: String,
        /// What is missing.
        message: String,
    },
    /// A file is in a format or encoding this reader does not support.
    #[error("unsupported format in {path}: {message}")]
    UnsupportedFormat {
        /// File.
        path: String,
        /// What is unsupported and what is supported.
        message: String,
    },
    /// A file or folder holds no data.
    #[error("empty input {path}: {message}")]
    Empty {
        /// File or folder.
        path: String,
        /// What is empty.
        message: String,
    },
    /// A signal is shorter than one analysis frame.
    #[error(
        "{path} is too short: {samples} samples, at least {needed} needed for one analysis frame"
    )]
    TooShort {
        /// File (or `<memory>`).
        path: String,
        /// Samples present.
        samples: usize,
        /// Samples needed.
        needed: usize,
    },
    /// A text file has a malformed line.
    #[error("parse error in {path} line {line}: {message}")]
    Parse {
        /// File.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A configuration value is invalid.
    #[error("config error: {0}")]
    Config(String),
    /// A checkpoint could not be written or read.
    #[error("checkpoint error in {path}: {message}")]
    Checkpoint {
        /// File.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// An operating-system I/O error.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// File or folder.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
}

impl Error {
    /// Build a [`Error::Shape`] error.
    pub fn shape(op: &str, message: impl Into<String>) -> Self {
        Error::Shape {
            op: op.to_string(),
            message: message.into(),
        }
    }

    /// Build a [`Error::Data`] error.
    pub fn data(path: impl AsRef<std::path::Path>, message: impl Into<String>) -> Self {
        Error::Data {
            path: path.as_ref().display().to_string(),
            message: message.into(),
        }
    }

    /// Build an [`Error::Parse`] error.
    pub fn parse(
        path: impl AsRef<std::path::Path>,
        line: usize,
        message: impl Into<String>,
    ) -> Self {
        Error::Parse {
            path: path.as_ref().display().to_string(),
            line,
            message: message.into(),
        }
    }

    /// Build an [`Error::Io`] error.
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}
