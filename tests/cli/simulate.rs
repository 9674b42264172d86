//! `synchgraph simulate` through the binary: a spike-list run, a Poisson run, and the bad inputs
//! (impossible constants, an empty clip, NaN features, a spike list over the device limits).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn synchgraph(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(args)
        .output()
        .unwrap()
}

fn small_config() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/snn/small.toml"
    ))
    .unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("synchgraph-sim-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn write(name: &str, text: &str) -> PathBuf {
    let p = tmp(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn fails_with(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "expected a failure, got success");
    assert!(
        !err.contains("panicked"),
        "panic instead of an error: {err}"
    );
    assert!(
        err.to_lowercase().contains(&needle.to_lowercase()),
        "error does not mention '{needle}': {err}"
    );
}

#[test]
fn spike_list_input_gives_a_deterministic_record() {
    let cfg = write("net.toml", &small_config());
    // Every input fires every 4 ms for 300 ms; audio inputs (20..40) arrive 5 ms later.
    let mut csv = String::from("input_index,time_ms\n");
    for t in (0..300).step_by(4) {
        for i in 0..40 {
            csv.push_str(&format!("{i},{t}\n"));
        }
    }
    let inp = write("in.csv", &csv);
    // The second run profiles (`--profile`): the per-kernel table comes on stderr and the record
    // is the same. The third holds at most 64 spikes on the GPU, so it reads its record back in
    // chunks of a few steps: the record is the same again.
    let (a, b, c) = (tmp("a.csv"), tmp("b.csv"), tmp("c.csv"));
    for (out, profile, capacity) in [(&a, false, None), (&b, true, None), (&c, false, Some("64"))] {
        let mut args = vec![
            "simulate",
            "--config",
            s(&cfg),
            "--input-spikes",
            s(&inp),
            "--duration-ms",
            "400",
            "--record",
            s(out),
        ];
        if profile {
            args.push("--profile");
        }
        if let Some(capacity) = capacity {
            args.extend(["--record-capacity", capacity]);
        }
        let o = synchgraph(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{stderr}");
        let table = stderr
            .lines()
            .any(|l| l.starts_with("kernel") && l.contains("dispatches"));
        assert_eq!(table, profile, "{stderr}");
        if profile {
            let lif = stderr.lines().find(|l| l.starts_with("lif_step")).unwrap();
            // 400 ms at dt 0.5 ms, one excitatory and one inhibitory step each: 1,600 dispatches.
            assert_eq!(lif.split_whitespace().nth(1), Some("1600"), "{stderr}");
        }
    }
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(text, std::fs::read_to_string(&b).unwrap());
    assert_eq!(text, std::fs::read_to_string(&c).unwrap(), "chunked record");
    assert!(
        text.lines().count() > 1 + 64,
        "too few spikes to need chunks"
    );
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("group,neuron,time_ms"));
    let rows: Vec<(String, usize, f64)> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].to_string(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
            )
        })
        .collect();
    assert!(rows.iter().any(|r| r.0 == "exc_0"), "no visual spikes");
    assert!(rows.iter().any(|r| r.0 == "exc_1"), "no audio spikes");
    for (g, n, t) in &rows {
        assert!(["exc_0", "exc_1", "inh_0", "inh_1"].contains(&g.as_str()));
        assert!(*n < 10 && (0.0..400.0).contains(t));
    }
    // The audio input is delayed by 5 ms: the first audio spike comes after the first visual one.
    let first = |g: &str| {
        rows.iter()
            .filter(|r| r.0 == g)
            .map(|r| r.2)
            .fold(f64::MAX, f64::min)
    };
    assert!(first("exc_1") > first("exc_0"));
}

#[test]
fn poisson_features_run_several_clips() {
    let cfg = write("net2.toml", &small_config());
    let row = |v: f32| vec![format!("{v}"); 40].join(",");
    let feats = write("feats.csv", &format!("{}\n{}\n", row(200.0), row(0.0)));
    let out = tmp("p.csv");
    let o = synchgraph(&[
        "simulate",
        "--config",
        s(&cfg),
        "--features",
        s(&feats),
        "--record",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("clip,group,neuron,time_ms"));
    let clips: Vec<usize> = lines
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert!(clips.contains(&0), "the driven clip never spiked");
    assert!(!clips.contains(&1), "a silent clip spiked");
}

#[test]
fn impossible_constants_are_refused() {
    let neg_tau = small_config().replace("tau_ms = 100.0", "tau_ms = -100.0");
    let cfg = write("neg.toml", &neg_tau);
    let out = tmp("x.csv");
    fails_with(
        &synchgraph(&["simulate", "--config", s(&cfg), "--record", s(&out)]),
        "positive finite time constant",
    );
    let big_dt = small_config().replace("dt_ms = 0.5", "dt_ms = 3.0");
    let cfg = write("dt.toml", &big_dt);
    fails_with(
        &synchgraph(&["simulate", "--config", s(&cfg), "--record", s(&out)]),
        "shorter than dt",
    );
}

#[test]
fn times_between_steps_are_refused_not_rounded() {
    // dt 0.5 ms. An input delay of 5.2 ms, a duration of 1.2 ms and two spikes of one input in
    // one step (1.0 and 1.2 ms) were each rounded or merged without a word.
    let out = tmp("between.csv");
    let delay = small_config().replace("    5.0,\n]", "    5.2,\n]");
    assert_ne!(delay, small_config(), "the delay edit took");
    let cfg = write("delay.toml", &delay);
    fails_with(
        &synchgraph(&["simulate", "--config", s(&cfg), "--record", s(&out)]),
        "network.input_delay_ms[1] = 5.2 ms is not a whole number of steps",
    );
    let cfg = write("between.toml", &small_config());
    let spikes = write("twice.csv", "input_index,time_ms\n3,1.0\n0,2.0\n3,1.2\n");
    let sim = |duration: &str| {
        synchgraph(&[
            "simulate",
            "--config",
            s(&cfg),
            "--input-spikes",
            s(&spikes),
            "--duration-ms",
            duration,
            "--record",
            s(&out),
        ])
    };
    fails_with(
        &sim("1.2"),
        "--duration-ms = 1.2 ms is not a whole number of steps",
    );
    fails_with(&sim("10"), "lines 2 and 4: input 3 spikes twice in step 2");
}

#[test]
fn empty_clip_and_nan_features_are_refused() {
    let cfg = write("net3.toml", &small_config());
    let out = tmp("y.csv");
    let empty = write("empty.csv", "\n");
    fails_with(
        &synchgraph(&[
            "simulate",
            "--config",
            s(&cfg),
            "--features",
            s(&empty),
            "--record",
            s(&out),
        ]),
        "empty clip",
    );
    let mut vals = vec!["1".to_string(); 40];
    vals[7] = "NaN".into();
    let nan = write("nan.csv", &vals.join(","));
    fails_with(
        &synchgraph(&[
            "simulate",
            "--config",
            s(&cfg),
            "--features",
            s(&nan),
            "--record",
            s(&out),
        ]),
        "NaN",
    );
}

#[test]
fn spike_list_over_the_device_limit_is_refused() {
    let cfg = write("net4.toml", &small_config());
    let inp = write("late.csv", "input_index,time_ms\n0,1.0\n");
    let out = tmp("z.csv");
    // 40 inputs x 2e9 steps of bitmask (two words per step: 16 GB) is far over any storage
    // binding. (1e11 ms would be 2e11 steps, past the step counter: refused earlier, see
    // tests/cli/hostile_snn.rs.)
    fails_with(
        &synchgraph(&[
            "simulate",
            "--config",
            s(&cfg),
            "--input-spikes",
            s(&inp),
            "--duration-ms",
            "1e9",
            "--record",
            s(&out),
        ]),
        "over this device's limit",
    );
}

#[test]
fn a_record_capacity_below_one_step_of_spikes_is_refused() {
    // The small network has 20 excitatory and 20 inhibitory neurons: one step can give 40 spikes.
    let cfg = write("net5.toml", &small_config());
    let out = tmp("cap.csv");
    for (capacity, needle) in [
        ("0", "--record-capacity must be at least 1"),
        ("39", "can give 40 spikes, over the record capacity of 39"),
    ] {
        fails_with(
            &synchgraph(&[
                "simulate",
                "--config",
                s(&cfg),
                "--record-capacity",
                capacity,
                "--record",
                s(&out),
            ]),
            needle,
        );
    }
    let ok = synchgraph(&[
        "simulate",
        "--config",
        s(&cfg),
        "--duration-ms",
        "20",
        "--record-capacity",
        "40",
        "--record",
        s(&out),
    ]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[test]
fn intensity_with_spike_or_feature_inputs_is_refused() {
    // --intensity only drives the default Poisson input; with either input file it would be
    // ignored, so it is refused.
    let cfg = write("net-intensity.toml", &small_config());
    let spikes = write("intensity-spikes.csv", "input_index,time_ms\n0,1.0\n");
    let feats = write("intensity-features.csv", &vec!["1"; 40].join(","));
    let out = tmp("intensity.csv");
    for (flag, file) in [("--input-spikes", &spikes), ("--features", &feats)] {
        let o = synchgraph(&[
            "simulate",
            "--config",
            s(&cfg),
            "--record",
            s(&out),
            "--intensity",
            "50",
            flag,
            s(file),
        ]);
        fails_with(&o, "cannot be used with");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("--intensity") && err.contains(flag), "{err}");
    }
}

#[test]
fn input_spikes_ignore_the_default_intensity() {
    // The default --intensity (128, 32 Hz at rate_scale 0.25) is over a max_rate_hz of 20, but a
    // spike-list run never uses it: it must not be converted to rates or checked.
    let low = small_config().replace("max_rate_hz = 63.75", "max_rate_hz = 20.0");
    assert_ne!(low, small_config(), "the max_rate_hz edit took");
    let cfg = write("low-rate.toml", &low);
    let spikes = write("low-rate-spikes.csv", "input_index,time_ms\n0,1.0\n5,2.0\n");
    let out = tmp("low-rate.csv");
    let o = synchgraph(&[
        "simulate",
        "--config",
        s(&cfg),
        "--input-spikes",
        s(&spikes),
        "--duration-ms",
        "20",
        "--record",
        s(&out),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("--intensity"), "{err}");
    assert!(o.status.success(), "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("group,neuron,time_ms\n"), "{text}");
    // Without a spike list the default intensity drives the inputs and is still refused.
    fails_with(
        &synchgraph(&["simulate", "--config", s(&cfg), "--record", s(&out)]),
        "--intensity",
    );
}

#[test]
fn bad_features_are_refused_by_path_and_line_before_the_device_opens() {
    // An unknown backend makes opening the device fail: a features error must come first.
    let cfg = write("net-feat-lines.toml", &small_config());
    let out = tmp("feat-lines.csv");
    let row = |bad: Option<(usize, &str)>| {
        let mut v = vec!["1".to_string(); 40];
        if let Some((i, x)) = bad {
            v[i] = x.to_string();
        }
        v.join(",")
    };
    // Line 1 is blank, line 2 good, the bad value on line 3 (255 = 63.75 Hz, the maximum).
    for (name, bad, needles) in [
        ("feat-nan.csv", "nan", &["line 3", "NaN"][..]),
        ("feat-inf.csv", "inf", &["line 3", "inf"][..]),
        ("feat-neg-inf.csv", "-infinity", &["line 3", "-inf"][..]),
        (
            "feat-high.csv",
            "256",
            &["line 3", "64 Hz outside [0, 63.75]"][..],
        ),
        ("feat-neg.csv", "-4", &["line 3", "-1 Hz outside"][..]),
        ("feat-word.csv", "one", &["line 3", "'one'"][..]),
    ] {
        let text = format!("\n{}\n{}\n", row(Some((0, "255"))), row(Some((7, bad))));
        let feats = write(name, &text);
        let o = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
            .args([
                "simulate",
                "--config",
                s(&cfg),
                "--features",
                s(&feats),
                "--record",
                s(&out),
            ])
            .env("WGPU_BACKEND", "bogus")
            .output()
            .unwrap();
        fails_with(&o, name);
        for needle in needles {
            fails_with(&o, needle);
        }
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !err.contains("WGPU_BACKEND"),
            "the device opened first: {err}"
        );
        assert!(!err.contains("clip "), "{err}");
    }
}
