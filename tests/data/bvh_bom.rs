//! A BVH file that starts with a UTF-8 byte-order mark (as some Windows editors save it) parses
//! like the same file without one.

use std::path::{Path, PathBuf};
use synchgraph::features::bvh::{parse_bvh, read_bvh};

fn mocap(name: &str) -> PathBuf {
    let p = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mocap")).join(name);
    if p.exists() {
        p
    } else {
        Path::new("/work/shared/data/mocap").join(name)
    }
}

fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("synchgraph-frontend-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn cmu_clip_with_a_byte_order_mark_parses_like_the_original() {
    let src = mocap("131_01.bvh");
    let plain = read_bvh(&src).unwrap();
    let bytes = std::fs::read(&src).unwrap();
    assert!(
        !bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "the clip already has a BOM"
    );
    let d = tmp_dir("bvh-bom");
    let bom = d.join("131_01-bom.bvh");
    let mut with = vec![0xEF, 0xBB, 0xBF];
    with.extend_from_slice(&bytes);
    std::fs::write(&bom, &with).unwrap();
    let b = read_bvh(&bom).unwrap();
    assert_eq!(b, plain);
    assert_eq!((b.frames(), b.channel_count()), (994, 96));
    // Also with CRLF line ends, through parse_bvh.
    let text = format!(
        "\u{feff}{}",
        String::from_utf8(bytes).unwrap().replace('\n', "\r\n")
    );
    assert_eq!(parse_bvh(&text, &bom).unwrap(), plain);
}

#[test]
fn only_a_leading_byte_order_mark_is_skipped() {
    // A BOM elsewhere is still an error naming its line (here: before the ROOT keyword).
    let text = std::fs::read_to_string(mocap("131_01.bvh")).unwrap();
    let pos = text.find("ROOT").unwrap();
    let line = text[..pos].lines().count() + usize::from(text[..pos].ends_with('\n'));
    let bad = format!("{}\u{feff}{}", &text[..pos], &text[pos..]);
    let e = parse_bvh(&bad, Path::new("mid.bvh")).unwrap_err();
    match e {
        synchgraph::Error::Parse { line: l, .. } => assert_eq!(l, line, "{e}"),
        other => panic!("expected a parse error, got {other:?}"),
    }
}
