//! Checkpoint tensors stored as F16, BF16 or F64 (as other tools save them) load as f32 values:
//! the half-precision values exactly, F64 rounded to the nearest f32. An F64 value past the f32
//! range and a dtype that holds no real numbers (I32, U8, BOOL) are refused by tensor name.

use std::path::Path;

use half::{bf16, f16};
use safetensors::tensor::{Dtype, TensorView};
use synchgraph::report::Checkpoint;

/// Safetensors bytes of one tensor `w` of `shape`, stored as `dtype` from `bytes`.
fn file_of(dtype: Dtype, shape: &[usize], bytes: &[u8]) -> Vec<u8> {
    let view = TensorView::new(dtype, shape.to_vec(), bytes).expect("a valid view");
    safetensors::serialize([("w", view)], None).expect("serialise")
}

/// The values of tensor `w` read back from `file`.
fn load(file: &[u8]) -> synchgraph::error::Result<Vec<f32>> {
    let ck = Checkpoint::from_bytes(file, Path::new("mem.safetensors"))?;
    Ok(ck.get("w")?.data.clone())
}

const VALUES: [f32; 6] = [0.0, -1.5, 3.140625, 65504.0, -0.000061035156, 1024.0];

#[test]
fn half_precision_tensors_load_exactly() {
    let h: Vec<u8> = VALUES
        .iter()
        .flat_map(|&v| f16::from_f32(v).to_le_bytes())
        .collect();
    assert_eq!(load(&file_of(Dtype::F16, &[2, 3], &h)).unwrap(), VALUES);
    let b: Vec<u8> = VALUES
        .iter()
        .flat_map(|&v| bf16::from_f32(v).to_le_bytes())
        .collect();
    let want: Vec<f32> = VALUES.iter().map(|&v| bf16::from_f32(v).to_f32()).collect();
    assert_eq!(load(&file_of(Dtype::BF16, &[3, 2], &b)).unwrap(), want);
}

#[test]
fn f64_tensors_round_to_f32_and_out_of_range_values_are_refused() {
    let values = [0.1f64, -2.0, 1e-40, 3.0e38];
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let want: Vec<f32> = values.iter().map(|&v| v as f32).collect();
    assert_eq!(load(&file_of(Dtype::F64, &[4], &bytes)).unwrap(), want);

    let bytes: Vec<u8> = [1.0f64, 1e300]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let err = load(&file_of(Dtype::F64, &[2], &bytes))
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"w\"") && err.contains("f32"), "{err}");
    // A non-finite F64 value is kept non-finite, as an F32 one is (loading checks it later).
    let bytes: Vec<u8> = [f64::NAN].iter().flat_map(|v| v.to_le_bytes()).collect();
    assert!(load(&file_of(Dtype::F64, &[1], &bytes)).unwrap()[0].is_nan());
}

#[test]
fn integer_and_boolean_tensors_are_refused_by_name() {
    for (dtype, bytes) in [
        (Dtype::I32, vec![0u8; 8]),
        (Dtype::U8, vec![0u8; 2]),
        (Dtype::BOOL, vec![0u8; 2]),
    ] {
        let n = bytes.len() * 8 / dtype.bitsize();
        let err = load(&file_of(dtype, &[n], &bytes)).unwrap_err().to_string();
        assert!(
            err.contains("\"w\"") && err.contains(&format!("{dtype:?}")),
            "{err}"
        );
    }
}
