//! `--adapter` takes an index from `synchgraph devices` or part of an adapter's name. A number
//! that is no index (the "4090" of "GeForce RTX 4090") is still part of a name and picks that
//! adapter; a name that matches nothing is refused with the list of adapters that exist.

use synchgraph::gpu::adapter::list_all;
use synchgraph::{Error, Gpu, GpuOptions};

fn open(wanted: &str) -> synchgraph::Result<Gpu> {
    Gpu::open(&GpuOptions {
        adapter: Some(wanted.to_string()),
        ..GpuOptions::default()
    })
}

/// Runs of digits in `name`.
fn digit_runs(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn a_number_in_an_adapter_name_that_is_no_index_picks_that_adapter() {
    let all = list_all();
    assert!(!all.is_empty(), "GPU tests need an adapter");
    // A run of digits of some adapter's name whose value is no index (and that no earlier
    // adapter's name holds, so the first match is that adapter).
    let pick = all.iter().find_map(|a| {
        digit_runs(&a.name).into_iter().find_map(|run| {
            let is_index = run.parse::<usize>().is_ok_and(|i| i < all.len());
            let first = all.iter().find(|b| b.name.contains(run.as_str()))?;
            (!is_index && first.name == a.name).then(|| (run, a.name.clone()))
        })
    });
    let Some((run, name)) = pick else {
        eprintln!("no adapter name holds a number that is not an index; nothing to check");
        return;
    };
    let gpu = open(&run).unwrap_or_else(|e| panic!("--adapter {run} (part of '{name}'): {e}"));
    assert_eq!(gpu.info().adapter.name, name);
}

#[test]
fn an_index_still_picks_by_position() {
    let all = list_all();
    let gpu = open("0").unwrap();
    assert_eq!(gpu.info().adapter.name, all[0].name);
    assert_eq!(gpu.info().adapter.index, 0);
}

#[test]
fn a_name_or_index_that_matches_nothing_names_the_adapters_that_exist() {
    let all = list_all();
    let past = all.len().to_string();
    for wanted in ["no-such-adapter-anywhere", past.as_str()] {
        match open(wanted) {
            Err(Error::AdapterNotFound {
                wanted: w,
                available,
            }) => {
                assert_eq!(w, wanted);
                for (i, a) in all.iter().enumerate() {
                    let entry = format!("[{i}] {}", a.name);
                    assert!(available.contains(&entry), "{wanted}: {available}");
                }
            }
            Err(other) => panic!("{wanted}: expected AdapterNotFound, got {other}"),
            Ok(gpu) => {
                // An index past the list may still be a number in some adapter's name.
                assert!(
                    gpu.info().adapter.name.contains(wanted),
                    "{wanted} opened {}",
                    gpu.info().adapter.name
                );
            }
        }
    }
}

#[test]
fn spaces_around_an_index_or_name_are_ignored() {
    let all = list_all();
    let gpu = open(" 0 ").unwrap_or_else(|e| panic!("' 0 ': {e}"));
    assert_eq!(gpu.info().adapter.index, 0);
    let word = all[0].name.split_whitespace().next().unwrap().to_string();
    let gpu = open(&format!("  {word}\t")).unwrap_or_else(|e| panic!("'{word}': {e}"));
    assert_eq!(gpu.info().adapter.name, all[0].name);
    // Blank is no choice at all: the preferred adapter, as without --adapter.
    let preferred = Gpu::open_default().unwrap().info().adapter.name.clone();
    assert_eq!(open("   ").unwrap().info().adapter.name, preferred);
}
