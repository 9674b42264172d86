//! `synchgraph demo`: a small end-to-end run that exercises the engine on the chosen adapter.

use anyhow::{ensure, Result};
use synchgraph::kernels::{elementwise as ew, random};

use super::output::{self, outln};
use super::Cli;

/// Arguments of `demo`.
#[derive(clap::Args)]
pub struct Args {
    /// Elements in the demo tensors.
    #[arg(long, default_value_t = 1 << 20)]
    size: usize,
    /// Seed of the random inputs.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

/// Run the demo: random tensors, a chain of batched kernels, one readback, a CPU check and a
/// per-kernel GPU profile.
pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    ensure!(args.size > 0, "--size must be at least 1");
    let gpu = super::open_gpu(&cli.adapter, true)?;
    let n = args.size;
    let x = random::normal(&gpu, &[n], 0.0, 1.0, args.seed)?;
    let y = random::uniform(&gpu, &[n], -1.0, 1.0, args.seed.wrapping_add(1))?;
    let z = ew::unary(&ew::add(&ew::mul(&x, &y)?, &x)?, ew::Unary::Tanh)?;
    let (xs, ys, zs) = (x.to_f32()?, y.to_f32()?, z.to_f32()?);
    let want: Vec<f32> = (0..n).map(|i| (xs[i] * ys[i] + xs[i]).tanh()).collect();
    let worst = worst_difference(&want, &zs);
    ensure!(worst < 1e-4, "GPU and CPU disagree by {worst}");
    outln!("demo: tanh(x*y + x) over {n} elements, max |gpu - cpu| = {worst:.2e}");
    output::write(format_args!("{}", gpu.profile_report()?))?;
    Ok(())
}

/// The largest |want - got|, NaN when any difference is NaN (so that a NaN fails the check).
fn worst_difference(want: &[f32], got: &[f32]) -> f32 {
    want.iter()
        .zip(got)
        .map(|(w, g)| (w - g).abs())
        .fold(0.0, |a, d| if d.is_nan() || d > a { d } else { a })
}

#[cfg(test)]
mod tests {
    use super::worst_difference;

    #[test]
    fn a_nan_from_the_gpu_is_the_worst_difference() {
        assert_eq!(worst_difference(&[1.0, 2.0], &[1.0, 2.5]), 0.5);
        assert!(worst_difference(&[1.0, 2.0], &[f32::NAN, 2.0]).is_nan());
        assert!(worst_difference(&[1.0, 2.0], &[1.0, f32::NAN]).is_nan());
    }
}
