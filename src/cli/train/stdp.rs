//! `synchgraph train stdp`: Diehl & Cook unsupervised learning on the 8x8 digits. STDP learns the
//! input weights one image at a time without labels; then, with weights and thresholds frozen and
//! many images simulated in parallel, each neuron is given the class it responds to most on the
//! training images and the test images are classified by the mean votes of each class's neurons.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use synchgraph::data::digits;
use synchgraph::data::split::permutation;
use synchgraph::report::{plot, Checkpoint, Confusion};
use synchgraph::snn::unsupervised::{
    assign_labels, classify, respond, stdp_config, train, Learned,
};
use synchgraph::snn::Config;

use crate::cli::out_paths::write_json;
use crate::cli::output::outln;
use crate::cli::progress::bar;
use crate::cli::run_metrics::classifier_metrics;
use crate::cli::staged_folder::MadeFolders;
use crate::cli::Cli;

/// Arguments of `train stdp`.
#[derive(clap::Args)]
pub struct Args {
    /// Folder holding digits.csv.gz (or the file itself).
    #[arg(long)]
    data: PathBuf,
    /// Excitatory neurons (default 100; with --config, the config's count, which a different
    /// --neurons contradicts).
    #[arg(long)]
    neurons: Option<usize>,
    /// Seed of the split, and without --config also of the initial weights and the Poisson
    /// inputs (a config file's `sim.seed` sets those).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Passes of STDP over the training images.
    #[arg(long, default_value_t = 1)]
    epochs: usize,
    /// Share of the images held out for testing.
    #[arg(long, allow_negative_numbers = true, default_value_t = 0.3)]
    test_fraction: f64,
    /// Learn from at most this many training images (all training images still assign labels).
    #[arg(long)]
    train_limit: Option<usize>,
    /// Use at most this many images in all (for quick runs).
    #[arg(long)]
    limit: Option<usize>,
    /// Spiking-network constants (TOML); default: the Diehl & Cook constants for 64 inputs.
    /// Plasticity is on during training whatever the file's `stdp.enabled` says.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Images simulated in parallel at inference.
    #[arg(long, default_value_t = 256)]
    batch: usize,
    /// Output folder (metrics.json, model.safetensors, confusion.png, weights.png).
    #[arg(long)]
    out: PathBuf,
}

/// Mixed into the seed of the image order this command draws.
const ORDER_SALT: u64 = 0xd1b5_4a32_d192_ed03;

/// Train, assign, classify and write the outputs.
pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    for (flag, value) in [
        ("--neurons", args.neurons),
        ("--epochs", Some(args.epochs)),
        ("--batch", Some(args.batch)),
        ("--train-limit", args.train_limit),
    ] {
        anyhow::ensure!(value != Some(0), "{flag} must be at least 1");
    }
    if let Some(l) = args.limit {
        anyhow::ensure!(
            l >= 2,
            "--limit must be at least 2 (one training and one test image), got {l}"
        );
    }
    anyhow::ensure!(
        args.test_fraction > 0.0 && args.test_fraction < 1.0,
        "--test-fraction must be in (0, 1)"
    );
    let mut cfg = match &args.config {
        Some(p) => Config::load(p).with_context(|| format!("config {}", p.display()))?,
        None => stdp_config(digits::PIXELS, args.neurons.unwrap_or(100), args.seed),
    };
    // Training learns with STDP whatever the file's `stdp.enabled` says (the shipped configs
    // turn it off for `simulate`); metrics.json and the checkpoint record the config that ran.
    cfg.stdp.enabled = true;
    let n_in = cfg.network.modalities * cfg.network.inputs_per_modality;
    let neurons = cfg.network.modalities * cfg.network.neurons_per_modality;
    if let Some(p) = &args.config {
        anyhow::ensure!(
            n_in == digits::PIXELS,
            "config {} has {n_in} inputs; the digits have {} pixels",
            p.display(),
            digits::PIXELS
        );
        if let Some(asked) = args.neurons.filter(|&n| n != neurons) {
            bail!(
                "--neurons {asked} contradicts config {}, which has {neurons} excitatory \
                 neurons; leave --neurons out or make them agree",
                p.display()
            );
        }
    }
    let data =
        digits::load(&args.data).with_context(|| format!("loading {}", args.data.display()))?;
    let mut idx = permutation(data.images.len(), args.seed ^ ORDER_SALT);
    if let Some(l) = args.limit {
        idx.truncate(l);
    }
    anyhow::ensure!(
        idx.len() >= 2,
        "{} holds {} image(s); need at least 2 (one training and one test image)",
        args.data.display(),
        idx.len()
    );
    let n_test = ((idx.len() as f64 * args.test_fraction).round() as usize).clamp(1, idx.len() - 1);
    let (test_idx, train_idx) = idx.split_at(n_test);
    // Pixels 0..=16 become intensities 0..=255 (rate = intensity / 4 Hz, at most 63.75 Hz).
    let intens = |ids: &[usize]| -> Vec<Vec<f32>> {
        ids.iter()
            .map(|&i| data.images[i].iter().map(|p| p * 255.0 / 16.0).collect())
            .collect()
    };
    let (train_x, test_x) = (intens(train_idx), intens(test_idx));
    let label = |ids: &[usize]| ids.iter().map(|&i| data.labels[i]).collect::<Vec<_>>();
    let (train_y, test_y) = (label(train_idx), label(test_idx));
    let learn_n = args.train_limit.unwrap_or(train_x.len()).min(train_x.len());
    // Every presentation is counted: refuse a count that does not fit, before the GPU opens.
    let Some(presented) = learn_n.checked_mul(args.epochs) else {
        bail!(
            "--epochs {} x {learn_n} training images overflows the presentation count",
            args.epochs
        );
    };
    let gpu = crate::cli::open_command_gpu(cli)?;
    // Removed again, while empty, if the run fails.
    let made = MadeFolders::create(&args.out, "--out")?;

    let order: Vec<usize> = (0..learn_n).collect();
    let t0 = Instant::now();
    let pb = bar(presented, "stdp");
    let learned: Learned = train(&gpu, &cfg, &train_x, &order, args.epochs, || pb.inc(1))?;
    pb.finish();
    let train_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let train_counts = respond(&gpu, &cfg, &learned, &train_x, args.batch)?;
    let test_counts = respond(&gpu, &cfg, &learned, &test_x, args.batch)?;
    let infer_s = t1.elapsed().as_secs_f64();
    let assignment = assign_labels(&train_counts, &train_y, 10)?;
    let pred_train = classify(&train_counts, &assignment, 10)?;
    let pred_test = classify(&test_counts, &assignment, 10)?;
    let u = |v: &[usize]| v.iter().map(|&x| x as u32).collect::<Vec<u32>>();
    let conf_train = Confusion::new(10, &u(&pred_train), &u(&train_y))?;
    let conf = Confusion::new(10, &u(&pred_test), &u(&test_y))?;
    let spikes = |c: &[Vec<u32>]| c.iter().flatten().map(|&v| u64::from(v)).sum::<u64>();
    let silent = test_counts
        .iter()
        .filter(|c| c.iter().all(|&v| v == 0))
        .count();
    // Every presentation simulated: each image of each epoch, and each raised re-presentation.
    let sim_ms = cfg.sim.sample_ms * (presented as u64 + learned.raises) as f64;
    let classes: Vec<String> = (0..10).map(|d| d.to_string()).collect();
    let extra = serde_json::json!({
        "model": "stdp",
        "dataset": "digits",
        "neurons": neurons,
        "seed": args.seed,
        "epochs": args.epochs,
        "train_images": train_x.len(),
        "stdp_images": learn_n,
        "test_images": test_x.len(),
        "train_accuracy": conf_train.accuracy(),
        "neurons_per_class": (0..10).map(|y| assignment.iter().filter(|&&a| a == Some(y)).count()).collect::<Vec<_>>(),
        "unassigned_neurons": assignment.iter().filter(|a| a.is_none()).count(),
        "train_spikes": learned.train_spikes,
        "input_raises": learned.raises,
        "label_spikes": spikes(&train_counts),
        "test_spikes": spikes(&test_counts),
        "silent_test_images": silent,
        "stdp_wall_s": train_s,
        "inference_wall_s": infer_s,
        "stdp_simulated_s_per_wall_s": sim_ms / 1000.0 / train_s.max(1e-9),
        "seconds_per_epoch": train_s / args.epochs as f64,
        "config": cfg,
    });
    let metrics = classifier_metrics(&gpu, &classes, &conf, extra);
    // An old run's metrics.json goes first, so a failure below never leaves it beside new files.
    crate::cli::out_paths::clear_metrics(&args.out)?;
    let mut ck = Checkpoint::new();
    ck.insert("w_in", &[digits::PIXELS, neurons], learned.w_in.clone())?;
    ck.insert("theta", &[neurons], learned.theta.clone())?;
    ck.insert(
        "assignment",
        &[neurons],
        assignment
            .iter()
            .map(|&a| a.map_or(-1.0, |a| a as f32))
            .collect(),
    )?;
    ck.set_meta("model", "stdp");
    ck.set_meta("config", cfg.to_toml()?);
    ck.save(&args.out.join("model.safetensors"))?;
    let names: Vec<String> = (0..10).map(|d| d.to_string()).collect();
    plot::confusion_plot(
        &args.out.join("confusion.png"),
        "STDP DIGITS",
        &conf,
        &names,
    )?;
    // Receptive fields: neuron j's 8x8 weights tiled in a grid.
    let side = (neurons as f64).sqrt().ceil() as usize;
    let mut tiles = vec![0f32; side * 8 * side * 8];
    for j in 0..neurons {
        let (ty, tx) = (j / side, j % side);
        for p in 0..digits::PIXELS {
            tiles[(ty * 8 + p / 8) * side * 8 + tx * 8 + p % 8] = learned.w_in[p * neurons + j];
        }
    }
    plot::heatmap(
        &args.out.join("weights.png"),
        "INPUT WEIGHTS",
        &tiles,
        side * 8,
        side * 8,
    )?;
    // Last, after the model and every figure: metrics.json marks a complete run.
    write_json(&args.out.join("metrics.json"), &metrics)?;
    made.keep();
    outln!(
        "stdp digits: {} neurons, test accuracy {:.4} on {} images (train {:.4}); stdp {:.1} s, inference {:.1} s",
        neurons,
        conf.accuracy(),
        test_x.len(),
        conf_train.accuracy(),
        train_s,
        infer_s
    );
    Ok(())
}
