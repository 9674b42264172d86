//! Standard output that ends quietly when its reader goes away, as in
//! `synchgraph devices --json | grep -q name` or `synchgraph predict ... | head -1`.

use std::fmt;
use std::io::{ErrorKind, Write};

/// The reader of standard output closed the pipe; `main` ends with success on it.
#[derive(Debug)]
pub struct ClosedPipe;

impl fmt::Display for ClosedPipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("standard output was closed by its reader")
    }
}

impl std::error::Error for ClosedPipe {}

/// Write `text` to standard output and flush it. A closed pipe becomes [`ClosedPipe`]; any
/// other failure is an error that names standard output.
pub fn write(text: fmt::Arguments<'_>) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(text)
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            ErrorKind::BrokenPipe => anyhow::Error::new(ClosedPipe),
            _ => anyhow::Error::new(e).context("writing to standard output"),
        })
}

/// Whether `e` (or an error it wraps) is [`ClosedPipe`].
pub fn is_closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.is::<ClosedPipe>())
}

/// `println!` that returns early with the error of [`write`] instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::output::write(format_args!("{}\n", format_args!($($arg)*)))?
    };
}
pub(crate) use outln;
