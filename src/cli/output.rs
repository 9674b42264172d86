//! Standard output that ends quietly when its reader goes away, as in
//! `synchgraph devices --json | grep -q name` or `synchgraph predict ... | head -1`, and
//! diagnostics on standard error that never end a run, as in `synchgraph ... 2>&1 | head -1`.

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

/// Whether `e` (or an error it wraps, an I/O error of [`Stdout`] among them) is [`ClosedPipe`].
pub fn is_closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.is::<ClosedPipe>()
            || c.downcast_ref::<std::io::Error>()
                .and_then(std::io::Error::get_ref)
                .is_some_and(|inner| inner.is::<ClosedPipe>())
    })
}

/// Standard output as a writer for library code that reports to any `Write` (the bench
/// tables): a closed pipe fails with an I/O error that carries [`ClosedPipe`], which the library
/// passes up inside its own error and `main` still recognises, so the command ends quietly.
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::io::stdout().lock().write(buf).map_err(closed_pipe)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stdout().lock().flush().map_err(closed_pipe)
    }
}

/// A broken-pipe error of standard output as one that carries [`ClosedPipe`].
fn closed_pipe(e: std::io::Error) -> std::io::Error {
    match e.kind() {
        ErrorKind::BrokenPipe => std::io::Error::new(ErrorKind::BrokenPipe, ClosedPipe),
        _ => e,
    }
}

/// `println!` that returns early with the error of [`write()`] instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::output::write(format_args!("{}\n", format_args!($($arg)*)))?
    };
}
pub(crate) use outln;

/// Write `text` to standard error, ignoring a failure: progress lines and warnings sent to a
/// reader that went away (`synchgraph ... 2>&1 | head -1`) are dropped rather than ending the
/// run with a panic, as `eprintln!` would.
pub fn write_err(text: fmt::Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(text);
}

/// `eprintln!` that drops its line when standard error cannot be written (see [`write_err`]).
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cli::output::write_err(format_args!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use errln;
