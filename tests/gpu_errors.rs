//! wgpu validation errors come back as typed `Error::Validation` values, never panics.
//! Each test opens its own device so a poisoned batch cannot affect other tests.

use synchgraph::gpu::{Kernel, Shader};
use synchgraph::{DType, Error, Gpu, Tensor};

#[repr(C)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    n: [u32; 8],
}

#[test]
fn a_missing_entry_point_is_a_validation_error_naming_the_kernel() {
    let gpu = Gpu::open_default().unwrap();
    let t = Tensor::zeros(&gpu, &[4], DType::F32).unwrap();
    let err = gpu
        .dispatch(
            "bogus",
            &Kernel::new(Shader::Elementwise, "no_such_entry"),
            &Params { n: [4; 8] },
            &[t.binding().unwrap()],
            [1, 1, 1],
        )
        .unwrap_err();
    assert!(matches!(err, Error::Validation { .. }), "{err}");
    assert!(
        err.to_string().contains("elementwise.wgsl::no_such_entry"),
        "{err}"
    );
}

#[test]
fn wrong_bindings_are_reported_at_submit_and_the_device_keeps_working() {
    let gpu = Gpu::open_default().unwrap();
    let t = Tensor::zeros(&gpu, &[4], DType::F32).unwrap();
    // `binary` needs three storage buffers; give it one.
    let _ = gpu.dispatch(
        "binary",
        &Kernel::new(Shader::Elementwise, "binary"),
        &Params { n: [4; 8] },
        &[t.binding().unwrap()],
        [1, 1, 1],
    );
    let err = gpu.flush().unwrap_err();
    assert!(matches!(err, Error::Validation { .. }), "{err}");
    // The next batch is fresh and works.
    let x = Tensor::from_f32(&gpu, &[3], &[1.0, -2.0, 3.0]).unwrap();
    let y = synchgraph::kernels::elementwise::scale(&x, 2.0).unwrap();
    assert_eq!(y.to_f32().unwrap(), vec![2.0, -4.0, 6.0]);
}
