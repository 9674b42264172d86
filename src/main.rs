//! The `synchgraph` command-line tool.

mod cli;

fn main() -> std::process::ExitCode {
    match cli::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // `synchgraph ... | head -1`: the reader has what it wanted.
        Err(e) if cli::output::is_closed_pipe(&e) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            cli::output::write_err(format_args!("error: {}\n", message(&e)));
            std::process::ExitCode::FAILURE
        }
    }
}

/// The error and its causes joined by ": ", leaving out a cause whose text its parent already
/// ends with (the engine's I/O errors show the OS error and also expose it as their source).
fn message(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if text.is_empty() {
            text = part;
        } else if !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
    }
    text
}
