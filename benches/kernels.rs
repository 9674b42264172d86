//! `cargo bench -- [--quick] [--filter NAME] [--list] [--json FILE] [--compare OLD.json]`: the kernel
//! benchmark harness (no libtest harness; the same library function as `synchgraph bench`).

use std::process::ExitCode;

use synchgraph::bench::{self, args};
use synchgraph::{Gpu, GpuOptions};

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let command = format!("cargo bench -- {}", argv.join(" "));
    let result = args::parse(&argv, command).and_then(|parsed| {
        if parsed.help {
            println!("{}", args::USAGE);
            return Ok(());
        }
        let gpu = Gpu::open(&GpuOptions {
            adapter: parsed.adapter.clone(),
            profile: true,
        })?;
        if parsed.list {
            return bench::list(&gpu, &parsed.options, &mut std::io::stdout()).map(|_| ());
        }
        bench::execute(&gpu, &parsed.options, &mut std::io::stdout()).map(|_| ())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
