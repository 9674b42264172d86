//! The adapter errors say what to do on the platform at hand, and where an adapter name that
//! matches nothing may have come from (a stale `SYNCHGRAPH_ADAPTER` in the environment).

use synchgraph::Error;

/// On Linux the no-adapter message names the Vulkan driver packages to install, not Metal or
/// DX12, which no Linux build can use.
#[cfg(target_os = "linux")]
#[test]
fn the_no_adapter_hint_fits_linux() {
    let m = Error::NoAdapter {
        backends: "vulkan, gl".into(),
    }
    .to_string();
    assert!(
        m.contains("mesa-vulkan-drivers") && m.contains("Vulkan"),
        "{m}"
    );
    assert!(!m.contains("Metal") && !m.contains("DX12"), "{m}");
}

/// An adapter name that matches nothing is said to come from `--adapter` or
/// `SYNCHGRAPH_ADAPTER`.
#[test]
fn an_unknown_adapter_names_both_places_it_can_come_from() {
    let m = Error::AdapterNotFound {
        wanted: "4090".into(),
        available: "[0] llvmpipe".into(),
    }
    .to_string();
    assert!(
        m.contains("--adapter") && m.contains("SYNCHGRAPH_ADAPTER"),
        "{m}"
    );
    assert!(m.contains("[0] llvmpipe"), "{m}");
}
