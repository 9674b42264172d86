//! Two adapters that describe themselves alike (two cards of one model, whose driver gives no
//! bus address) are still two adapters: the device opened with `--adapter INDEX` reports that
//! index, which run metrics record, not the index of the first adapter that looks the same.
//! Here the Vulkan loader is handed lavapipe twice (a copy of its library under another name),
//! in a process of its own, since the loader reads its driver list once per process.

use crate::common;

use synchgraph::gpu::adapter::list_all;
use synchgraph::{Gpu, GpuOptions};

/// Marks the child process that runs the scenario.
const ALONE: &str = "SYNCHGRAPH_TEST_IDENTICAL_ADAPTERS_ALONE";

/// Where lavapipe's Vulkan driver manifest lies on Debian and Ubuntu.
const LAVAPIPE_ICD: &str = "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json";

/// Two driver manifests for lavapipe, the second naming a copy of its library; `None` where
/// lavapipe is not installed there.
fn two_lavapipes() -> Option<String> {
    let manifest = std::fs::read_to_string(LAVAPIPE_ICD).ok()?;
    let library = manifest
        .split('"')
        .skip_while(|s| *s != "library_path")
        .nth(2)?
        .to_string();
    let dir = scratch_dir();
    std::fs::create_dir_all(&dir).ok()?;
    let copy = dir.join("libvulkan_lvp_copy.so");
    std::fs::copy(&library, &copy).ok()?;
    let second = dir.join("lvp_copy.json");
    let text = manifest.replace(&library, copy.to_str()?);
    std::fs::write(&second, text).ok()?;
    Some(format!("{LAVAPIPE_ICD}:{}", second.display()))
}

/// The folder of this process's copy of lavapipe.
fn scratch_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("synchgraph-two-lavapipes-{}", std::process::id()))
}

/// The second of two adapters that look alike reports its own index once opened.
#[test]
fn the_second_of_two_identical_adapters_reports_its_own_index() {
    if std::env::var_os(ALONE).is_none() {
        common::run_test_alone(
            module_path!(),
            "the_second_of_two_identical_adapters_reports_its_own_index",
            ALONE,
        );
        return;
    }
    let Some(icds) = two_lavapipes() else {
        eprintln!("lavapipe is not installed at {LAVAPIPE_ICD}; nothing to check");
        return;
    };
    // Read by the Vulkan loader when this process creates its first wgpu instance, below.
    std::env::set_var("VK_ICD_FILENAMES", icds);
    let all = list_all();
    let alike = |i: usize, j: usize| {
        let (a, b) = (&all[i], &all[j]);
        (&a.name, &a.backend, &a.driver) == (&b.name, &b.backend, &b.driver)
    };
    let pair = (0..all.len())
        .flat_map(|j| (0..j).map(move |i| (i, j)))
        .find(|&(i, j)| alike(i, j));
    let Some((_, second)) = pair else {
        eprintln!("the loader listed no two alike adapters; nothing to check");
        return;
    };
    let gpu = Gpu::open(&GpuOptions {
        adapter: Some(second.to_string()),
        ..GpuOptions::default()
    })
    .unwrap();
    // The loaded copy stays mapped; only its file goes.
    let _ = std::fs::remove_dir_all(scratch_dir());
    assert_eq!(gpu.info().adapter.index, second);
}
