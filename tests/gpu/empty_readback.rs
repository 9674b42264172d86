//! What a readback of nothing and a flush cost the host: an empty tensor's `to_f32` submits the
//! recorded work and returns at once (no blocking wait, none counted in `Gpu::host_waits`), while
//! a flush of timed dispatches does block, to read their timestamps back. The docs of
//! `Gpu::read_bytes`, `Gpu::host_waits`, `Gpu::flush` and `Tensor::to_f32` say so.

use crate::common::profiled_gpu;
use synchgraph::kernels::elementwise::scale;
use synchgraph::{DType, Gpu, Tensor};

#[test]
fn an_empty_readback_submits_the_pending_work_without_waiting() {
    // A device of its own: other tests of this binary flush and read the shared one.
    let gpu = Gpu::open_default().unwrap();
    let x = Tensor::from_f32(&gpu, &[3], &[1.0, -2.0, 3.0]).unwrap();
    let empty = Tensor::zeros(&gpu, &[0, 4], DType::F32).unwrap();
    gpu.synchronize().unwrap();
    let y = scale(&x, 2.0).unwrap();
    assert_eq!(gpu.pending_dispatches(), 1);
    let waits = gpu.host_waits();
    assert!(empty.to_f32().unwrap().is_empty());
    assert_eq!(
        gpu.pending_dispatches(),
        0,
        "the recorded work was submitted"
    );
    assert_eq!(
        gpu.host_waits(),
        waits,
        "nothing was read, so nothing waited"
    );
    // A readback of data waits once, as documented.
    assert_eq!(y.to_f32().unwrap(), vec![2.0, -4.0, 6.0]);
    assert_eq!(gpu.host_waits(), waits + 1);
}

#[test]
fn a_flush_of_timed_dispatches_waits_for_them() {
    let gpu = profiled_gpu();
    let x = Tensor::from_f32(&gpu, &[3], &[1.0, -2.0, 3.0]).unwrap();
    gpu.synchronize().unwrap();
    let waits = gpu.host_waits();
    let _y = scale(&x, 2.0).unwrap();
    gpu.flush().unwrap();
    // Without TIMESTAMP_QUERY nothing is timed and the flush waits for nothing.
    let timed = u64::from(gpu.profiling_available());
    assert_eq!(gpu.host_waits(), waits + timed);
    gpu.set_profiling(false).unwrap();
    let _z = scale(&x, 3.0).unwrap();
    gpu.flush().unwrap();
    assert_eq!(
        gpu.host_waits(),
        waits + timed,
        "an untimed flush waits for nothing"
    );
}
