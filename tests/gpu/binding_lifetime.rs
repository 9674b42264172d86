//! A binding keeps the storage it binds: a dispatch recorded from a binding whose tensor was
//! dropped must still read that tensor's data, even when a submit in between has let the pool
//! hand the buffer to a new tensor. Exact comparisons: every value is a small integer.

use synchgraph::gpu::{Binding, Gpu, Kernel, Shader};
use synchgraph::{DType, Tensor};

/// Record y = 2 x with the `unary` kernel specialised to the affine map.
fn double_into(gpu: &Gpu, x: Binding, y: &Tensor, n: u32) {
    // elementwise.wgsl's parameter block: n, cols, mode, op, alpha, beta and two pad words.
    let params: [u32; 8] = [n, 0, 0, 0, 2f32.to_bits(), 0f32.to_bits(), 0, 0];
    gpu.dispatch(
        "affine",
        &Kernel::new(Shader::Elementwise, "unary").with("OP", 9.0),
        &params,
        &[x, y.binding_mut().unwrap()],
        [n.div_ceil(256), 1, 1],
    )
    .unwrap();
}

#[test]
fn a_binding_outliving_its_tensor_still_reads_the_tensors_data() {
    // Private device: the pool's contents must be this test's alone.
    let gpu = Gpu::open_default().unwrap();
    let n = 64;
    let data: Vec<f32> = (0..n).map(|i| i as f32).collect();
    let y = Tensor::zeros(&gpu, &[n], DType::F32).unwrap();
    let x = Tensor::from_f32(&gpu, &[n], &data).unwrap();
    let bound = x.binding().unwrap();
    drop(x);
    // A submit makes buffers freed before it reusable; an upload of the same size then takes
    // the first free one of its bucket.
    gpu.flush().unwrap();
    let junk = Tensor::from_f32(&gpu, &[n], &[999.0; 64]).unwrap();
    double_into(&gpu, bound, &y, n as u32);
    let want: Vec<f32> = data.iter().map(|v| v * 2.0).collect();
    assert_eq!(y.to_f32().unwrap(), want);
    assert_eq!(junk.to_f32().unwrap(), vec![999.0; 64]);
}

#[test]
fn a_written_binding_outliving_its_tensor_leaves_other_tensors_alone() {
    // The same with the binding a kernel writes: its writes must land in the dropped tensor's
    // storage, never in the buffer of a tensor uploaded after it was dropped.
    let gpu = Gpu::open_default().unwrap();
    let n = 64;
    let x = Tensor::from_f32(&gpu, &[n], &[1.0; 64]).unwrap();
    let y = Tensor::zeros(&gpu, &[n], DType::F32).unwrap();
    let bound = y.binding_mut().unwrap();
    drop(y);
    gpu.flush().unwrap();
    let junk = Tensor::from_f32(&gpu, &[n], &[999.0; 64]).unwrap();
    let params: [u32; 8] = [n as u32, 0, 0, 0, 2f32.to_bits(), 0f32.to_bits(), 0, 0];
    gpu.dispatch(
        "affine",
        &Kernel::new(Shader::Elementwise, "unary").with("OP", 9.0),
        &params,
        &[x.binding().unwrap(), bound],
        [1, 1, 1],
    )
    .unwrap();
    assert_eq!(junk.to_f32().unwrap(), vec![999.0; 64]);
}
