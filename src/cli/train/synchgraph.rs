//! `synchgraph train synchgraph`: the whole Synch-Graph chain. Features (MFCC audio, LoG visual),
//! Poisson spikes into per-modality spiking layers simulated for all clips in parallel, the
//! neural-synchrony graph, optional stimulus edges, and a GCN classifying each clip's subgraph on
//! a seeded 60/20/20 split (the validation clips pick the kept epoch).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use synchgraph::data::digits;
use synchgraph::data::split::permutation;
use synchgraph::graph::stimulus::StimulusEdges;
use synchgraph::graph::synchrony::SynchronyConfig;
use synchgraph::models::synchgraph::{
    build_graph, simulate, snn_config, Modality, DEFAULT_RATE_SCALE,
};
use synchgraph::models::synchgraph_features::{
    audio_clips, audio_features, log_response, pair_images, scale_to_intensity, INPUTS,
};
use synchgraph::models::synchgraph_gcn::{Gcn, GcnConfig};
use synchgraph::report::{plot, Checkpoint, Confusion};
use synchgraph::snn::unsupervised::train as train_stdp;

use crate::cli::out_paths::write_json;
use crate::cli::output::{errln, outln};
use crate::cli::run_metrics::classifier_metrics;
use crate::cli::staged_folder::MadeFolders;
use crate::cli::Cli;

/// Arguments of `train synchgraph`.
#[derive(clap::Args)]
pub struct Args {
    /// Folder of labelled WAV clips (Free Spoken Digit or EmoDB file names).
    #[arg(long)]
    audio: PathBuf,
    /// Folder holding digits.csv.gz: each audio clip is paired with an image of its digit. With
    /// `--modality audio` the images are read and paired but not presented, so one command line
    /// serves all three modalities.
    #[arg(long)]
    images: Option<PathBuf>,
    /// Senses used: audio, visual or both (default: both with --images, else audio).
    #[arg(long)]
    modality: Option<String>,
    /// Stimulus edges between same-label clips: none, train (training clips only, no label
    /// leakage) or paper (all clips, test labels leak into the graph).
    #[arg(long, default_value = "train")]
    stimulus_edges: String,
    /// Synchrony window (ms).
    #[arg(long, allow_negative_numbers = true, default_value_t = 150.0)]
    window_ms: f32,
    /// Cross-modal excitatory weight (only with both modalities; default 1.0).
    #[arg(long, allow_negative_numbers = true)]
    w_cross: Option<f64>,
    /// GCN hidden width.
    #[arg(long, default_value_t = 64)]
    hidden: usize,
    /// GCN training epochs.
    #[arg(long, default_value_t = 500)]
    epochs: usize,
    /// Adam learning rate.
    #[arg(long, allow_negative_numbers = true, default_value_t = 1e-4)]
    lr: f32,
    /// Dropout after each hidden GCN layer.
    #[arg(long, allow_negative_numbers = true, default_value_t = 0.5)]
    dropout: f32,
    /// Seed of the split, pairing, spiking inputs and GCN.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Use at most this many clips (seeded choice).
    #[arg(long)]
    limit: Option<usize>,
    /// Learn the input weights first with unsupervised STDP (Diehl & Cook) on this many
    /// training clips, one at a time; 0 keeps random normalised weights.
    #[arg(long, default_value_t = 0)]
    stdp_clips: usize,
    /// Clips simulated in parallel.
    #[arg(long, default_value_t = 512)]
    batch: usize,
    /// Input rate per unit of intensity (Hz; intensities run 0..255). Diehl & Cook's 0.25 gives
    /// at most 63.75 Hz, set for 784 inputs per neuron; the windows here are narrower, and the
    /// default 8 was chosen on validation clips (BENCHMARKS.md).
    #[arg(long, allow_negative_numbers = true, default_value_t = DEFAULT_RATE_SCALE)]
    rate_scale: f64,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

/// Mixed into the seed of every clip and image order this command draws.
const ORDER_SALT: u64 = 0x9e37_79b9_7f4a_7c15;

/// Run the chain and write metrics.json, model.safetensors, loss.png, confusion.png, raster.png.
pub fn run(cli: &Cli, args: &Args) -> Result<()> {
    let t_all = Instant::now();
    for (flag, value) in [
        ("--epochs", args.epochs),
        ("--batch", args.batch),
        ("--limit", args.limit.unwrap_or(1)),
    ] {
        if value == 0 {
            bail!("{flag} must be at least 1");
        }
    }
    // The top rate (255 units) is an f32 on the GPU: past f32::MAX a zero input's rate would be
    // 0 x infinity, and past f64::MAX the network's max_rate_hz is refused only after every clip.
    if !(args.rate_scale > 0.0 && 255.0 * args.rate_scale <= f64::from(f32::MAX)) {
        bail!(
            "--rate-scale must be a finite rate > 0 (Hz per unit intensity) whose top rate \
             255 x S is a finite f32, got {}",
            args.rate_scale
        );
    }
    let w_cross = args.w_cross.unwrap_or(1.0);
    if !(w_cross.is_finite() && w_cross >= 0.0) {
        bail!("--w-cross must be a finite weight >= 0, got {w_cross}");
    }
    // Checked here, not first when the graph is built after every clip was simulated.
    SynchronyConfig {
        window_ms: args.window_ms,
        ..SynchronyConfig::default()
    }
    .validate()
    .context("--window-ms")?;
    gcn_config(args).validate()?;
    let stim: StimulusEdges = args.stimulus_edges.parse()?;
    let modality: Modality = match &args.modality {
        Some(m) => m.parse()?,
        None if args.images.is_some() => Modality::Both,
        None => Modality::Audio,
    };
    if modality != Modality::Audio && args.images.is_none() {
        bail!("--modality {modality} needs --images");
    }
    if modality != Modality::Both && args.w_cross.is_some() {
        bail!("--w-cross joins the two modalities; --modality {modality} has one");
    }
    // Made once every flag is known good, so a mistyped flag leaves no empty --out behind;
    // removed again, while empty, if the run fails later (a folder without clips, say).
    let made = MadeFolders::create(&args.out, "--out")?;
    let (mut clips, classes) =
        audio_clips(&args.audio).with_context(|| format!("listing {}", args.audio.display()))?;
    let order = permutation(clips.len(), args.seed ^ ORDER_SALT);
    let found = clips.len();
    let keep = args.limit.unwrap_or(found).min(found);
    clips = order[..keep].iter().map(|&i| clips[i].clone()).collect();
    let n = clips.len();
    if n < 5 {
        let cut = if keep < found {
            format!(" (--limit {keep} of {found})")
        } else {
            format!(" in {}", args.audio.display())
        };
        bail!("{n} clips{cut}: need at least 5 for a 60/20/20 split");
    }
    let mut present: Vec<usize> = clips.iter().map(|c| c.label).collect();
    present.sort_unstable();
    present.dedup();
    if let [only] = present[..] {
        bail!(
            "every clip of {} has the label '{}', so one class; classification needs at least two",
            args.audio.display(),
            classes[only]
        );
    }
    let labels: Vec<usize> = clips.iter().map(|c| c.label).collect();
    // 60/20/20 split over a second shuffle.
    let split = permutation(n, args.seed.wrapping_add(1) ^ ORDER_SALT);
    let (n_tr, n_va) = (n * 6 / 10, n * 2 / 10);
    let train: Vec<usize> = split[..n_tr].to_vec();
    let val: Vec<usize> = split[n_tr..n_tr + n_va].to_vec();
    let test: Vec<usize> = split[n_tr + n_va..].to_vec();
    let mut is_train = vec![false; n];
    train.iter().for_each(|&i| is_train[i] = true);

    // Opened before the features are extracted, so a machine without an adapter is told at once.
    let gpu = crate::cli::open_command_gpu(cli)?;
    let t_feat = Instant::now();
    let mut audio = Vec::new();
    if modality != Modality::Visual {
        let pb = ProgressBar::new(n as u64).with_message("mfcc");
        for c in &clips {
            audio.push(audio_features(&c.path).with_context(|| c.path.display().to_string())?);
            pb.inc(1);
        }
        pb.finish_and_clear();
        scale_to_intensity(&mut audio, &train)?;
    }
    let mut visual = Vec::new();
    if let Some(dir) = &args.images {
        let d = digits::load(dir).with_context(|| format!("loading {}", dir.display()))?;
        // Pair each clip with an image of its digit from a seeded order per digit, the
        // training, validation and test clips from disjoint shares of it.
        let mut by_digit: Vec<Vec<usize>> = vec![Vec::new(); 10];
        for i in permutation(d.images.len(), args.seed.wrapping_add(2) ^ ORDER_SALT) {
            by_digit[d.labels[i]].push(i);
        }
        let digits = clips
            .iter()
            .map(|c| {
                classes[c.label]
                    .parse()
                    .ok()
                    .filter(|&v: &usize| v < 10)
                    .with_context(|| {
                        format!(
                            "class '{}' is not a digit: --images pairs digits",
                            classes[c.label]
                        )
                    })
            })
            .collect::<Result<Vec<usize>>>()?;
        let mut parts = vec![2usize; n];
        train.iter().for_each(|&i| parts[i] = 0);
        val.iter().for_each(|&i| parts[i] = 1);
        for i in pair_images(&digits, &parts, &by_digit)? {
            visual.push(log_response(&d.images[i], 8)?);
        }
        scale_to_intensity(&mut visual, &train)?;
    }
    let samples: Vec<Vec<f32>> = (0..n)
        .map(|i| match modality {
            Modality::Audio => audio[i].clone(),
            Modality::Visual => visual[i].clone(),
            Modality::Both => [visual[i].as_slice(), audio[i].as_slice()].concat(),
        })
        .collect();
    let feat_s = t_feat.elapsed().as_secs_f64();

    let mut cfg = snn_config(modality, INPUTS, w_cross, args.seed);
    cfg.network.rate_scale = args.rate_scale;
    cfg.network.max_rate_hz = 255.0 * args.rate_scale;
    let t_stdp = Instant::now();
    let learned = if args.stdp_clips > 0 {
        let order: Vec<usize> = train.iter().copied().take(args.stdp_clips).collect();
        let pb = ProgressBar::new(order.len() as u64).with_message("stdp");
        let l = train_stdp(&gpu, &cfg, &samples, &order, 1, || pb.inc(1))?;
        pb.finish_and_clear();
        Some(l)
    } else {
        None
    };
    let stdp_s = t_stdp.elapsed().as_secs_f64();
    let t_sim = Instant::now();
    let run = simulate(&gpu, &cfg, modality, &samples, args.batch, learned.as_ref())?;
    let sim_s = t_sim.elapsed().as_secs_f64();
    let t_graph = Instant::now();
    let (graph, sizes) = build_graph(&gpu, &run, args.window_ms, stim, &labels, &is_train)?;
    let graph_s = t_graph.elapsed().as_secs_f64();
    errln!(
        "{n} clips: {} spikes, graph {} nodes, {} synchrony + {} stimulus edges",
        run.spikes.len(),
        sizes.nodes,
        sizes.synchrony_edges,
        sizes.stimulus_edges
    );

    let gcfg = gcn_config(args);
    let k = classes.len();
    let mut model = Gcn::new(&gpu, &gcfg, graph.feature_dim, k)?;
    let y: Vec<u32> = labels.iter().map(|&l| l as u32).collect();
    let pb = ProgressBar::new(args.epochs as u64);
    pb.set_style(
        ProgressStyle::with_template("gcn [{bar:40}] {pos}/{len} {msg} {elapsed_precise}")
            .expect("valid template"),
    );
    let t_gcn = Instant::now();
    let fit = model.fit(&gpu, &graph, &y, &train, &val, |_, l| {
        pb.set_message(format!("loss {l:.4}"));
        pb.inc(1);
    })?;
    pb.finish_and_clear();
    let gcn_s = t_gcn.elapsed().as_secs_f64();

    let pick = |idx: &[usize], v: &[u32]| idx.iter().map(|&i| v[i]).collect::<Vec<u32>>();
    let conf = |idx: &[usize]| Confusion::new(k, &pick(idx, &fit.predictions), &pick(idx, &y));
    let (c_tr, c_va, c_te) = (conf(&train)?, conf(&val)?, conf(&test)?);
    let spikes = run.spikes.len();
    let mean = |v: &[usize]| v.iter().sum::<usize>() as f64 / v.len().max(1) as f64;
    let raises = run.raises.iter().map(|&r| u64::from(r)).sum::<u64>();
    let extra = serde_json::json!({
        "model": "synchgraph",
        "modality": modality.to_string(),
        "stimulus_edges": stim.to_string(),
        "clips": n,
        "split": {"train": train.len(), "val": val.len(), "test": test.len()},
        "seed": args.seed,
        "train_accuracy": c_tr.accuracy(),
        "val_accuracy": c_va.accuracy(),
        // 0-based, as in every command's metrics.json (the GCN counts its epochs from 1).
        "best_epoch": fit.best_epoch.saturating_sub(1),
        "epochs": args.epochs,
        "final_loss": fit.losses.last(),
        "spikes": spikes,
        "spikes_per_clip": mean(&run.per_clip),
        "silent_clips": run.per_clip.iter().filter(|&&c| c == 0).count(),
        "input_raises": raises,
        "graph": sizes,
        "nodes_per_clip": sizes.nodes as f64 / n as f64,
        "window_ms": args.window_ms,
        "neurons": cfg.network.modalities * cfg.network.neurons_per_modality,
        "stdp_clips": args.stdp_clips.min(train.len()),
        "wall_s": {"features": feat_s, "stdp": stdp_s, "simulate": sim_s, "graph": graph_s, "gcn": gcn_s,
                   "total": t_all.elapsed().as_secs_f64()},
        // Every clip's presentations: the first and each raised one.
        "simulated_s_per_wall_s": (n as u64 + raises) as f64 * cfg.sim.sample_ms / 1000.0
            / sim_s.max(1e-9),
        "seconds_per_epoch": gcn_s / fit.losses.len().max(1) as f64,
        "config": {"snn": cfg, "gcn": gcfg},
    });
    let metrics = classifier_metrics(&gpu, &classes, &c_te, extra);
    // An old run's metrics.json goes first, so a failure below never leaves it beside new files.
    crate::cli::out_paths::clear_metrics(&args.out)?;
    let mut ck = Checkpoint::new();
    for (name, shape, v) in &fit.weights {
        ck.insert(name, shape, v.clone())?;
    }
    if let Some(l) = &learned {
        let n_e = cfg.network.modalities * cfg.network.neurons_per_modality;
        ck.insert("snn.w_in", &[l.w_in.len() / n_e, n_e], l.w_in.clone())?;
        ck.insert("snn.theta", &[n_e], l.theta.clone())?;
    }
    ck.set_meta("model", "synchgraph");
    ck.set_meta("modality", modality.to_string());
    ck.set_meta("classes", serde_json::to_string(&classes)?);
    ck.set_meta("snn_config", cfg.to_toml()?);
    ck.save(&args.out.join("model.safetensors"))?;
    plot::line_plot(
        &args.out.join("loss.png"),
        "SYNCH-GRAPH GCN LOSS",
        "epoch",
        &[("train loss", &fit.losses)],
    )?;
    plot::confusion_plot(&args.out.join("confusion.png"), "TEST", &c_te, &classes)?;
    let first = test.first().copied().unwrap_or(0) as u32;
    let dots: Vec<(u32, f32)> = run
        .spikes
        .iter()
        .filter(|s| s.clip == first)
        .map(|s| (s.neuron, s.time_ms))
        .collect();
    plot::raster_plot(
        &args.out.join("raster.png"),
        "EXCITATORY SPIKES OF ONE CLIP",
        &dots,
        run.layer.neurons,
        run.layer.duration_ms,
        run.layer.audio_neurons,
    )?;
    // Last, after the model and every figure: metrics.json marks a complete run.
    write_json(&args.out.join("metrics.json"), &metrics)?;
    made.keep();
    outln!(
        "synchgraph {modality} (stimulus edges {stim}): test accuracy {:.4} (val {:.4}, train {:.4}), {n} clips ({} test)",
        c_te.accuracy(),
        c_va.accuracy(),
        c_tr.accuracy(),
        test.len()
    );
    Ok(())
}

/// The GCN settings the flags give.
fn gcn_config(args: &Args) -> GcnConfig {
    GcnConfig {
        hidden: args.hidden,
        epochs: args.epochs,
        lr: args.lr,
        dropout: args.dropout,
        seed: args.seed,
        ..GcnConfig::default()
    }
}
