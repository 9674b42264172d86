//! `synchgraph simulate`: run the spiking network of a TOML config on a fixed input spike list
//! (`input_index,time_ms`) or on Poisson inputs, and write every excitatory and inhibitory spike
//! as `group,neuron,time_ms` (plus a leading `clip` column when several clips run at once).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use synchgraph::features::text::{read_text, text_lines};
use synchgraph::snn::encoding::{rates_from_intensity, SpikeList};
use synchgraph::snn::network::{Input, Network, Weights};
use synchgraph::snn::record::{Recorder, SpikeEvent};
use synchgraph::snn::Config;
use synchgraph::{Gpu, Tensor};

use super::out_paths::prepare_out_file;
use super::output::errln;
use super::Cli;

/// Arguments of `simulate`.
#[derive(clap::Args)]
pub struct Args {
    /// Network configuration (TOML; see assets/snn/small.toml).
    #[arg(long)]
    config: PathBuf,
    /// Input spikes, CSV `input_index,time_ms`; replaces Poisson encoding.
    #[arg(long)]
    input_spikes: Option<PathBuf>,
    /// Input intensities for Poisson encoding: one CSV line per clip with one value per input
    /// (rate = intensity * network.rate_scale Hz, each in [0, network.max_rate_hz]). All clips
    /// are simulated in parallel.
    #[arg(long, conflicts_with = "input_spikes")]
    features: Option<PathBuf>,
    /// Intensity of every input when neither --input-spikes nor --features is given (with
    /// either, it is refused rather than ignored).
    #[arg(
        long,
        allow_negative_numbers = true,
        default_value_t = 128.0,
        conflicts_with_all = ["input_spikes", "features"]
    )]
    intensity: f32,
    /// Simulated time in ms (default: sim.sample_ms + sim.rest_ms; Poisson inputs are silent
    /// after sample_ms).
    #[arg(long, allow_negative_numbers = true)]
    duration_ms: Option<f64>,
    /// Output spike record, CSV `group,neuron,time_ms`.
    #[arg(long)]
    record: PathBuf,
    /// Spikes held on the GPU between read-backs (default: what the device's binding limit
    /// allows, at most 16M). The run is recorded in chunks of steps whose spikes cannot exceed
    /// it, so any duration fits; a smaller value reads back more often.
    #[arg(long, value_name = "SPIKES")]
    record_capacity: Option<u32>,
}

/// Run `steps` steps of `input`, reading the record back every `chunk` steps (a chunk's spikes
/// fit the recorder) and appending the events, which stay in time order.
fn run_recorded(
    gpu: &Gpu,
    net: &mut Network,
    input: &Input,
    steps: u32,
    chunk: u32,
    rec: &Recorder,
    events: &mut Vec<SpikeEvent>,
) -> Result<()> {
    let mut done = 0;
    while done < steps {
        let n = chunk.min(steps - done);
        rec.clear(gpu)?;
        net.run(input, n, rec)?;
        events.extend(rec.read()?);
        done += n;
    }
    Ok(())
}

/// Parse a features CSV (one clip per non-empty line, `n_in` values each; lines end in LF, CRLF
/// or, in a file without LF, CR; a leading byte order mark is skipped) into Poisson rates
/// (`value * scale` Hz), refusing a value that is not a finite number or whose rate falls
/// outside `[0, max_hz]`, by path, 1-based line and input index.
/// Returns the clip count and the rates of every clip, clip-major.
fn read_features(path: &Path, n_in: usize, scale: f64, max_hz: f64) -> Result<(usize, Vec<f32>)> {
    let text = read_text(path)?;
    let mut clips = 0;
    let mut rates = Vec::new();
    for (ln, line) in text_lines(&text).into_iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = || format!("{} line {}", path.display(), ln + 1);
        let n = line.split(',').count();
        if n != n_in {
            bail!("{}: {n} values, the network has {n_in} inputs", at());
        }
        let mut row = Vec::with_capacity(n);
        for (i, tok) in line.split(',').map(str::trim).enumerate() {
            let Ok(x) = tok.parse::<f32>() else {
                bail!("{}: input {i} ('{tok}') is not a number", at());
            };
            row.push(x);
        }
        rates.extend(rates_from_intensity(&row, scale, max_hz).with_context(|| {
            format!(
                "{} (rate = value x network.rate_scale {scale}, at most network.max_rate_hz)",
                at()
            )
        })?);
        clips += 1;
    }
    if clips == 0 {
        bail!(
            "{}: empty clip: the features file holds no values",
            path.display()
        );
    }
    Ok((clips, rates))
}

/// Run the simulation and write the record.
pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    let cfg =
        Config::load(&args.config).with_context(|| format!("config {}", args.config.display()))?;
    let n_in = cfg.network.modalities * cfg.network.inputs_per_modality;
    let duration = args
        .duration_ms
        .unwrap_or(cfg.sim.sample_ms + cfg.sim.rest_ms);
    // Name what set the duration: the flag, or the configuration's sample and rest times.
    let what = if args.duration_ms.is_some() {
        "--duration-ms"
    } else {
        "sim.sample_ms + sim.rest_ms"
    };
    if !(duration.is_finite() && duration > 0.0) {
        bail!("{what} must be a positive number of ms, got {duration}");
    }
    cfg.check_steps(what, duration)?;
    let steps = cfg.steps(duration);
    if steps == 0 {
        bail!(
            "{what} = {duration} ms is shorter than one step (sim.dt_ms = {} ms)",
            cfg.sim.dt_ms
        );
    }
    // A duration between two steps would be rounded one way while spike times are floored
    // the other: the simulated time must be a whole number of steps.
    cfg.check_whole_steps(what, duration)?;
    let sample_steps = cfg.steps(cfg.sim.sample_ms).min(steps);
    let made = prepare_out_file(&args.record, "--record")?;
    // Read inputs before opening the device so that bad files fail fast.
    let list = match &args.input_spikes {
        Some(p) => {
            let text = read_text(p)?;
            let name = p.display().to_string();
            Some(SpikeList::from_csv(
                &text,
                &name,
                n_in,
                steps as usize,
                cfg.sim.dt_ms,
            )?)
        }
        None => None,
    };
    // The Poisson rates of every clip (clip-major), converted and range-checked before the
    // device opens. A spike list needs none: the default --intensity is then left unchecked.
    let (scale, max_hz) = (cfg.network.rate_scale, cfg.network.max_rate_hz);
    let poisson = match (&list, &args.features) {
        (Some(_), _) => None,
        (None, Some(p)) => Some(read_features(p, n_in, scale, max_hz)?),
        (None, None) => {
            let r =
                rates_from_intensity(&[args.intensity], scale, max_hz).context("--intensity")?[0];
            Some((1, vec![r; n_in]))
        }
    };
    let (clips, rates) = poisson.unwrap_or((1, Vec::new()));
    let gpu = crate::cli::open_command_gpu(cli)?;
    // Refuse a network over the device's limits before its weights are built on the host.
    Network::check_size(&gpu, &cfg, clips)?;
    let weights = Weights::build(&cfg);
    let mut net = Network::new(&gpu, &cfg, &weights, clips)?;
    if cfg.stdp.enabled {
        net.normalize_input()?;
    }
    // Refractory periods bound the spike count of `s` steps (see `Config::spike_bound`).
    let bound = |s: u64| (clips * net.n_e) as u64 * cfg.spike_bound(s);
    let device_max = (gpu.max_binding_bytes() / 12).min(1 << 24);
    let capacity = match args.record_capacity {
        Some(0) => bail!("--record-capacity must be at least 1"),
        Some(c) => u64::from(c).min(device_max),
        None => device_max,
    }
    .min(bound(u64::from(steps)));
    if bound(1) > capacity {
        bail!(
            "one step of {clips} clip(s) x {} neurons per group can give {} spikes, over the \
             record capacity of {capacity}; raise --record-capacity (at most {device_max} on \
             this device) or simulate fewer clips",
            net.n_e,
            bound(1)
        );
    }
    // The longest chunk of steps whose spikes fit the capacity (bound grows with the steps).
    let (mut lo, mut hi) = (1u64, u64::from(steps));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if bound(mid) <= capacity {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let chunk = u32::try_from(lo)?;
    let sched = match &list {
        Some(l) => Some(l.upload(&gpu)?),
        None => None,
    };
    let rec = Recorder::new(&gpu, u32::try_from(capacity)?)?;
    let mut events = Vec::new();
    match &sched {
        Some(sched) => {
            let input = Input::Schedule(sched, steps);
            run_recorded(&gpu, &mut net, &input, steps, chunk, &rec, &mut events)?;
        }
        None => {
            let on = Tensor::from_f32(&gpu, &[rates.len()], &rates)?;
            let input = Input::Rates(&on);
            run_recorded(
                &gpu,
                &mut net,
                &input,
                sample_steps,
                chunk,
                &rec,
                &mut events,
            )?;
            if steps > sample_steps {
                let off = Tensor::zeros(&gpu, &[rates.len()], synchgraph::DType::F32)?;
                let input = Input::Rates(&off);
                run_recorded(
                    &gpu,
                    &mut net,
                    &input,
                    steps - sample_steps,
                    chunk,
                    &rec,
                    &mut events,
                )?;
            }
        }
    }
    // Stream the record into a temporary file beside the target and rename it into place, so
    // an interrupted run never leaves a truncated CSV.
    synchgraph::report::write_atomic_with(&args.record, |out| {
        if clips > 1 {
            writeln!(out, "clip,group,neuron,time_ms")?;
        } else {
            writeln!(out, "group,neuron,time_ms")?;
        }
        for e in &events {
            let (group, clip, i) = net.describe(e);
            let t = f64::from(e.step) * cfg.sim.dt_ms;
            if clips > 1 {
                writeln!(out, "{clip},{group},{i},{t}")?;
            } else {
                writeln!(out, "{group},{i},{t}")?;
            }
        }
        Ok(())
    })
    .with_context(|| format!("writing {}", args.record.display()))?;
    made.keep();
    errln!(
        "simulated {clips} clip(s) x {duration} ms ({steps} steps): {} spikes -> {}",
        events.len(),
        args.record.display()
    );
    Ok(())
}
