//! Mutation fuzzing of the text front ends (harness in `tests/common/fuzz.rs`): corrupted BVH clips
//! (`read_bvh`, then `mocap_nodes`) and landmark CSVs (`landmark_features`) are refused with an
//! error naming the file, or read into what their documentation promises: finite values, a
//! motion matrix of the announced frames by the hierarchy's channels, joints whose parents and
//! channel offsets agree, 136 landmark columns per frame row; and regressions the fuzzing found.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use synchgraph::features::bvh::{mocap_nodes, read_bvh, rotation_columns, Bvh};
use synchgraph::features::landmarks::{landmark_features, COORDS};

use crate::common::cli::scratch;
use crate::fuzz::{check_error, fuzz, shared_data, Field};

/// A folder of this process for the text cases.
fn dir() -> &'static PathBuf {
    static D: OnceLock<PathBuf> = OnceLock::new();
    D.get_or_init(|| scratch("fuzz", "text"))
}

/// Text with 16 bytes per line, 24 per token or field (twice that while a vector grows), a
/// lossy UTF-8 copy (three bytes per byte) and fixed buffers.
fn max_alloc(len: usize) -> usize {
    64 * len + (1 << 20)
}

/// A small clip: a root with 6 channels, a joint with 3 and an End Site, 3 frames.
const SMALL_BVH: &str = "HIERARCHY\nROOT Hips\n{\n  OFFSET 0 0 0\n  CHANNELS 6 Xposition \
     Yposition Zposition Zrotation Yrotation Xrotation\n  JOINT Spine\n  {\n    OFFSET 0 5.5 \
     -1\n    CHANNELS 3 Zrotation Yrotation Xrotation\n    End Site\n    {\n      OFFSET 0 2 \
     0\n    }\n  }\n}\nMOTION\nFrames: 3\nFrame Time: 0.0083333\n1 2 3 170 -179 5 1 2 3\n1.5 \
     2 3 -175 179 6 1 2 4\n2 2 3 179.5 180 7 -1 -2 -3\n";

/// BVH seeds: the small clip with LF and with CRLF line ends and braces on the joint's line,
/// and a CMU clip cut to 4 frames.
fn bvh_seeds() -> Vec<(Vec<u8>, Vec<Field>)> {
    let crlf = SMALL_BVH
        .replace("\n  {", " {")
        .replace("\n    {", " {")
        .replace('\n', "\r\n");
    let cmu = std::fs::read_to_string(shared_data().join("mocap/131_01.bvh")).unwrap();
    let motion = cmu.find("MOTION").unwrap();
    let frames: Vec<&str> = cmu[motion..].lines().skip(3).take(4).collect();
    let cmu = format!(
        "{}MOTION\nFrames: 4\nFrame Time: .0083333\n{}\n",
        &cmu[..motion],
        frames.join("\n")
    );
    [SMALL_BVH.to_string(), crlf, cmu]
        .into_iter()
        .map(|s| (s.into_bytes(), Vec::new()))
        .collect()
}

/// What an `Ok` clip promises.
fn check_clip(b: &Bvh, text: &str) -> Result<(), String> {
    let m = &b.motion;
    let chans: usize = b.joints.iter().map(|j| j.channels.len()).sum();
    if m.rows == 0 || m.cols == 0 || m.data.len() != m.rows * m.cols || chans != m.cols {
        return Err(format!(
            "Ok with {}x{} motion of {} values, {chans} channels",
            m.rows,
            m.cols,
            m.data.len()
        ));
    }
    if !(b.frame_time.is_finite() && b.frame_time > 0.0) || m.data.iter().any(|v| !v.is_finite()) {
        return Err(format!(
            "Ok with frame time {} or a non-finite value",
            b.frame_time
        ));
    }
    let mut next = 0;
    for (i, j) in b.joints.iter().enumerate() {
        let finite = j
            .offset
            .iter()
            .chain(j.end_sites.iter().flatten())
            .all(|v| v.is_finite());
        if j.first_channel != next || j.parent.is_some_and(|p| p >= i) || !finite {
            return Err(format!("Ok with joint {i} inconsistent: {j:?}"));
        }
        next += j.channels.len();
    }
    // The frame lines are the non-blank lines after the two MOTION header lines.
    let lines: Vec<&str> = if text.contains('\n') {
        text.lines().collect()
    } else {
        text.split_terminator('\r').collect()
    };
    let at = lines.iter().position(|l| l.trim() == "MOTION").unwrap_or(0);
    let rows = lines[at..].iter().filter(|l| !l.trim().is_empty()).count();
    if rows != m.rows + 3 {
        return Err(format!(
            "Ok with {} frames from {} frame lines",
            m.rows,
            rows - 3
        ));
    }
    let nodes = mocap_nodes(b, 120).map_err(|e| format!("mocap_nodes: {e}"))?;
    let rot = rotation_columns(b);
    for (k, v) in nodes.data.iter().enumerate() {
        let angle = rot[k % nodes.cols];
        if !v.is_finite() || (angle && v.abs() > 180.0) {
            return Err(format!("mocap_nodes value {k} = {v}"));
        }
    }
    Ok(())
}

/// Write `bytes` as a BVH file and read it.
fn check_bvh(bytes: Vec<u8>) -> Result<(), String> {
    let p = dir().join("case.bvh");
    std::fs::write(&p, &bytes).map_err(|e| e.to_string())?;
    match read_bvh(&p) {
        Err(e) => check_error(&e, Some("case.bvh")),
        Ok(b) => check_clip(&b, &String::from_utf8_lossy(&bytes)),
    }
}

#[test]
fn corrupted_bvh_files_are_refused_or_read_within_their_promises() {
    fuzz("bvh", &bvh_seeds(), 600, 0xB0B5_0001, max_alloc, check_bvh);
}

/// Landmark rows: 136 distinct coordinates for frame `r`.
fn row(r: usize) -> String {
    (0..COORDS)
        .map(|c| format!("{}", 100.0 + (c * 7 % 31) as f64 * 1.5 + r as f64 * 0.25))
        .collect::<Vec<_>>()
        .join(",")
}

/// Landmark seeds: a 137-column file with its header, a 136-column one without, and a quoted
/// header with CRLF line ends.
fn landmark_seeds() -> Vec<(Vec<u8>, Vec<Field>)> {
    let names: Vec<String> = (0..COORDS)
        .map(|c| format!("{}{}", if c % 2 == 0 { 'x' } else { 'y' }, c / 2))
        .collect();
    let with_frame = format!(
        "frame,{}\n0,{}\n1,{}\n2,{}\n",
        names.join(","),
        row(0),
        row(1),
        row(2)
    );
    let bare = format!("{}\n\n{}\n", row(3), row(4));
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    let quoted = format!("{}\r\n{}\r\n{}\r\n", quoted.join(","), row(5), row(6));
    [with_frame, bare, quoted]
        .into_iter()
        .map(|s| (s.into_bytes(), Vec::new()))
        .collect()
}

/// Write `bytes` as a landmark CSV and read its features: an error naming the file, or one row
/// per frame line of 136 finite normalised coordinates (points at unit RMS distance).
fn check_landmarks(bytes: Vec<u8>) -> Result<(), String> {
    let p = dir().join("case.csv");
    std::fs::write(&p, &bytes).map_err(|e| e.to_string())?;
    let m = match landmark_features(Path::new(&p)) {
        Err(e) => return check_error(&e, Some("case.csv")),
        Ok(m) => m,
    };
    if m.rows == 0 || m.cols != COORDS || m.data.len() != m.rows * COORDS {
        return Err(format!("Ok with {}x{} of {}", m.rows, m.cols, m.data.len()));
    }
    // One frame per non-blank line, but for a header: a first line without a number.
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let lines: Vec<&str> = if text.contains('\n') {
        text.lines().collect()
    } else {
        text.split_terminator('\r').collect()
    };
    let mut content = lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty());
    let header = content.clone().next().is_some_and(|l| {
        l.split(',')
            .all(|f| f.trim().trim_matches('"').trim().parse::<f64>().is_err())
    });
    let rows = content.by_ref().count() - usize::from(header);
    if rows != m.rows {
        return Err(format!("Ok with {} frames from {rows} frame lines", m.rows));
    }
    for r in 0..m.rows {
        let f = m.row(r);
        let ms = f.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() * 2.0 / COORDS as f64;
        if f.iter().any(|v| !v.is_finite()) || (ms - 1.0).abs() > 1e-3 {
            return Err(format!(
                "Ok with frame {r} not normalised (mean square {ms})"
            ));
        }
    }
    Ok(())
}

#[test]
fn corrupted_landmark_files_are_refused_or_read_within_their_promises() {
    let seeds = landmark_seeds();
    fuzz(
        "landmarks",
        &seeds,
        450,
        0x1A4D_0002,
        max_alloc,
        check_landmarks,
    );
}

#[test]
fn the_text_seeds_read() {
    for (b, _) in bvh_seeds() {
        check_bvh(b).unwrap();
    }
    for (b, _) in landmark_seeds() {
        check_landmarks(b).unwrap();
    }
}
