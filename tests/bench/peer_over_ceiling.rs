//! The peers' table flags a row faster than its ceiling (`frac` over 1) with the engine's
//! `OVER CEILING` line, so a miscounted peer row is as visible as a miscounted engine row.
//! PyTorch is replaced by a stub just large enough for the harness on a CPU device.

use std::path::Path;
use std::process::Command;

use super::peers::{FAKE_TORCH, PEERS};

/// A slow copy ceiling, then a memory row of the same bytes that runs far faster (frac well
/// over 1) and one far slower (frac under 1).
const DRIVER: &str = r#"
import types
from peer_common import Harness
args = types.SimpleNamespace(quick=True, filter=None, json=None, device="cpu")
h = Harness(args, command="stub")
h.case("copy", "ceiling", "16 MiB", 1 << 30, 0, lambda i: sum(range(200000)), ceiling=True)
h.case("add", "elementwise", "1M f32", 1 << 30, 0, lambda i: sum(range(2000)))
h.case("relu", "elementwise", "1M f32", 1 << 20, 0, lambda i: sum(range(2000)))
h.finish()
"#;

/// Only the row over the bandwidth ceiling is flagged, on the line after it.
#[test]
fn a_peer_row_over_its_ceiling_is_flagged() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 not found: peer table not checked");
        return;
    }
    let dir = std::env::temp_dir().join(format!("synchgraph-peer-over-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("stub")).unwrap();
    std::fs::write(dir.join("stub/torch.py"), FAKE_TORCH).unwrap();
    let out = Command::new("python3")
        .args(["-c", DRIVER])
        .env(
            "PYTHONPATH",
            format!(
                "{}:{}",
                dir.join("stub").display(),
                Path::new(PEERS).display()
            ),
        )
        .env("PYTHONPYCACHEPREFIX", dir.join("pycache"))
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    let flagged: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains("OVER CEILING"))
        .collect();
    assert_eq!(flagged.len(), 1, "{stdout}");
    assert!(lines[flagged[0] - 1].starts_with("add "), "{stdout}");
    assert!(lines[flagged[0]].contains("bandwidth"), "{stdout}");
}
