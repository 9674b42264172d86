//! Checkpoints at the edges of the format: values whose bits must survive a round trip
//! unchanged, and a header too large for safetensors readers, which is refused when saved
//! rather than written as a file that cannot be loaded.

use std::path::PathBuf;

use synchgraph::report::checkpoint::MAX_HEADER_BYTES;
use synchgraph::report::Checkpoint;
use synchgraph::Error;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "synchgraph-checkpoint-limits-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

#[test]
fn special_values_and_odd_metadata_round_trip_bit_for_bit() {
    let values = [
        f32::from_bits(0x7fc0_1234), // a quiet NaN with a payload
        f32::from_bits(0xffa0_0001), // a negative signalling NaN
        -0.0,
        f32::from_bits(1), // the smallest subnormal
        f32::MIN_POSITIVE / 3.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MAX,
    ];
    let mut ck = Checkpoint::new();
    ck.insert("w\"\n\u{1F600}", &[2, 4], values.to_vec())
        .unwrap();
    ck.insert("scalar", &[], vec![1.5]).unwrap();
    ck.insert("empty", &[0, 3], Vec::new()).unwrap();
    ck.set_meta("quote\"\n\tkey é", "v\"\\\n\u{1F600}\u{7f}\u{0}}");
    ck.set_meta("", "");
    let path = scratch("special.safetensors");
    ck.save(&path).unwrap();
    let back = Checkpoint::load(&path).unwrap();
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let w = back.get("w\"\n\u{1F600}").unwrap();
    assert_eq!(w.shape, vec![2, 4]);
    assert_eq!(bits(&w.data), bits(&values));
    assert_eq!(back.get("scalar").unwrap().shape, Vec::<usize>::new());
    assert_eq!(back.get("empty").unwrap().shape, vec![0, 3]);
    assert_eq!(back.metadata, ck.metadata);
}

#[test]
fn a_header_too_large_to_read_back_is_refused_and_the_old_file_kept() {
    let path = scratch("large-header.safetensors");
    let mut good = Checkpoint::new();
    good.insert("w", &[1], vec![2.0]).unwrap();
    good.save(&path).unwrap();
    let mut big = Checkpoint::new();
    big.insert("w", &[1], vec![3.0]).unwrap();
    big.set_meta("notes", "a".repeat(MAX_HEADER_BYTES));
    match big.save(&path) {
        Err(e @ Error::Checkpoint { .. }) => {
            assert!(e.to_string().contains("header"), "{e}");
        }
        Err(e) => panic!("not a checkpoint error: {e}"),
        Ok(()) => panic!(
            "saved a file that does not load: {:?}",
            Checkpoint::load(&path).map(|_| ())
        ),
    }
    assert_eq!(Checkpoint::load(&path).unwrap(), good);
    // Just under the limit still saves and loads.
    let mut fits = Checkpoint::new();
    fits.set_meta("notes", "a".repeat(MAX_HEADER_BYTES - 64));
    fits.save(&path).unwrap();
    assert_eq!(Checkpoint::load(&path).unwrap(), fits);
}
