//! Tensor storage, views, random fills, f16 storage, batching and limit errors.

use crate::common;
use common::*;
use half::f16;
use synchgraph::kernels::{cast, elementwise as ew, random};
use synchgraph::{DType, Error, Gpu, Tensor};

#[test]
fn upload_download_round_trips_every_dtype() {
    let gpu = gpu();
    for &n in AWKWARD_SIZES {
        let f: Vec<f32> = (0..n).map(|i| i as f32 * 0.5 - 3.0).collect();
        let u: Vec<u32> = (0..n as u32)
            .map(|i| i.wrapping_mul(2_654_435_761))
            .collect();
        let s: Vec<i32> = (0..n as i32).map(|i| i - 100).collect();
        assert_eq!(
            Tensor::from_f32(&gpu, &[n], &f).unwrap().to_f32().unwrap(),
            f
        );
        assert_eq!(
            Tensor::from_u32(&gpu, &[n], &u).unwrap().to_u32().unwrap(),
            u
        );
        assert_eq!(
            Tensor::from_i32(&gpu, &[n], &s).unwrap().to_i32().unwrap(),
            s
        );
        let h: Vec<f16> = f.iter().map(|&v| f16::from_f32(v)).collect();
        assert_eq!(
            Tensor::from_f16(&gpu, &[n], &h).unwrap().to_f16().unwrap(),
            h
        );
    }
}

#[test]
fn zeros_are_zero_even_from_a_recycled_buffer() {
    let gpu = gpu();
    let junk = Tensor::from_f32(&gpu, &[1000], &[7.0; 1000]).unwrap();
    drop(junk);
    gpu.flush().unwrap();
    let z = Tensor::zeros(&gpu, &[1000], DType::F32).unwrap();
    assert!(z.to_f32().unwrap().iter().all(|&v| v == 0.0));
}

#[test]
fn views_share_storage_and_unaligned_rows_still_bind() {
    let gpu = gpu();
    let data: Vec<f32> = (0..30).map(|i| i as f32).collect();
    let t = Tensor::from_f32(&gpu, &[10, 3], &data).unwrap();
    let r = t.rows(3, 7).unwrap();
    assert_eq!(r.shape(), &[4, 3]);
    assert_eq!(r.to_f32().unwrap(), data[9..21].to_vec());
    // Row 3 starts at byte 36, not a multiple of the 256-byte binding alignment: the kernel gets
    // a copy and the result must still be right.
    let doubled = ew::scale(&r, 2.0).unwrap().to_f32().unwrap();
    assert_eq!(
        doubled,
        data[9..21].iter().map(|v| v * 2.0).collect::<Vec<_>>()
    );
    assert_eq!(t.reshape(&[3, 10]).unwrap().shape(), &[3, 10]);
    assert!(t.reshape(&[7]).is_err());
    assert!(t.rows(5, 11).is_err());
}

#[test]
fn the_copy_of_an_unaligned_view_lives_until_its_dispatch_is_recorded() {
    // A view off the 256-byte alignment is bound through a copy. The copy must not return to
    // the buffer pool before the dispatch that reads it is recorded: a submit in between (the
    // batch is full) would let the next upload of the same size take the copy's buffer and
    // overwrite it before the kernel runs. Fill the batch up to each count around its limit,
    // then bind the view and upload 999s of the copy's size; the result must be the view's
    // values doubled. Private device: the batch state must be this test's alone. Exact.
    let gpu = Gpu::open_default().unwrap();
    let data: Vec<f32> = (0..30).map(|i| i as f32).collect();
    let t = Tensor::from_f32(&gpu, &[10, 3], &data).unwrap();
    let want: Vec<f32> = data[9..21].iter().map(|v| v * 2.0).collect();
    let limit = synchgraph::gpu::context::MAX_DISPATCHES_PER_BATCH;
    for filled in limit - 2..=limit + 1 {
        gpu.flush().unwrap();
        let mut x = Tensor::from_f32(&gpu, &[64], &[0.0; 64]).unwrap();
        for _ in 0..filled {
            x = ew::affine(&x, 1.0, 1.0).unwrap();
        }
        let y = ew::scale(&t.rows(3, 7).unwrap(), 2.0).unwrap();
        let junk = Tensor::from_f32(&gpu, &[4, 3], &[999.0; 12]).unwrap();
        assert_eq!(y.to_f32().unwrap(), want, "after {filled} dispatches");
        drop((x, junk));
    }
}

#[test]
fn uniform_and_normal_fills_are_seeded_and_have_the_right_moments() {
    let gpu = gpu();
    let n = 200_003;
    let u1 = random::uniform(&gpu, &[n], -2.0, 3.0, 42)
        .unwrap()
        .to_f32()
        .unwrap();
    let u2 = random::uniform(&gpu, &[n], -2.0, 3.0, 42)
        .unwrap()
        .to_f32()
        .unwrap();
    let u3 = random::uniform(&gpu, &[n], -2.0, 3.0, 43)
        .unwrap()
        .to_f32()
        .unwrap();
    assert_eq!(u1, u2, "same seed, same numbers");
    assert_ne!(u1, u3, "different seed, different numbers");
    assert!(u1.iter().all(|&v| (-2.0..3.0).contains(&v)));
    let mean = u1.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
    assert!((mean - 0.5).abs() < 0.02, "uniform mean {mean}");
    let z = random::normal(&gpu, &[n], 1.0, 2.0, 7)
        .unwrap()
        .to_f32()
        .unwrap();
    let m = z.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
    let var = z.iter().map(|&v| (f64::from(v) - m).powi(2)).sum::<f64>() / n as f64;
    // Standard errors: 2/sqrt(n) = 0.0045 for the mean; the variance estimate is within ~1%.
    assert!((m - 1.0).abs() < 0.03, "normal mean {m}");
    assert!((var - 4.0).abs() < 0.15, "normal variance {var}");
}

#[test]
fn f16_casts_round_to_nearest() {
    let gpu = gpu();
    let mut rng = Rng(5);
    for &n in AWKWARD_SIZES {
        let x = rng.vec(n, -1000.0, 1000.0);
        let t = Tensor::from_f32(&gpu, &[n], &x).unwrap();
        let h = cast::to_f16(&t).unwrap();
        let want: Vec<f16> = x.iter().map(|&v| f16::from_f32(v)).collect();
        let got = h.to_f16().unwrap();
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            // Exact: the kernel rounds to nearest even, as `half` does.
            assert_eq!(g.to_bits(), w.to_bits(), "f16[{i}] {g} vs {w}");
        }
        let back = cast::to_f32(&h).unwrap().to_f32().unwrap();
        let want32: Vec<f32> = got.iter().map(|v| v.to_f32()).collect();
        assert_eq!(back, want32);
    }
}

#[test]
fn f16_cast_of_every_kind_of_value_is_bit_exact() {
    // Ties, the overflow edge (65504 and the first value that rounds to infinity), infinities,
    // NaNs with payloads, subnormal results and their rounding edges, signed zeros, f32
    // subnormals, and random bit patterns over the whole f32 range: bit for bit `half`'s
    // round-to-nearest-even conversion.
    let gpu = gpu();
    let mut x: Vec<f32> = vec![
        0.0,
        -0.0,
        1.0,
        -2.5,
        65504.0,
        65519.99,
        65520.0,
        -65520.0,
        1e6,
        f32::MAX,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        -f32::NAN,
        f32::from_bits(0x7f80_0001),
        f32::from_bits(0xffc1_2345),
        6.103_515_6e-5,    // smallest normal f16
        5.960_464_5e-8,    // smallest subnormal f16
        2.980_232_2e-8,    // half of it: a tie, rounds to 0
        2.980_233e-8,      // just above the tie: rounds up
        8.940_697e-8,      // 1.5 units: a tie, rounds to 2
        f32::from_bits(1), // f32 subnormal
        f32::from_bits(0x8000_0001),
        1.0 + 1.0 / 2048.0, // tie between 1 and 1 + 2^-10: stays 1 (even)
        1.0 + 3.0 / 2048.0, // tie: rounds up to even
    ];
    let mut rng = Rng(77);
    x.extend((0..5000).map(|_| f32::from_bits((rng.next_u64() >> 32) as u32)));
    let h = cast::to_f16(&Tensor::from_f32(&gpu, &[x.len()], &x).unwrap()).unwrap();
    let got = h.to_f16().unwrap();
    for (i, (g, v)) in got.iter().zip(&x).enumerate() {
        let want = f16::from_f32(*v);
        assert_eq!(
            g.to_bits(),
            want.to_bits(),
            "f16[{i}] of {v:e} ({:#010x}): got {:#06x}, want {:#06x}",
            v.to_bits(),
            g.to_bits(),
            want.to_bits()
        );
    }
}

#[test]
fn many_dispatches_go_in_one_batch() {
    // A private device: other tests in this binary flush the shared one concurrently.
    let gpu = synchgraph::Gpu::open_default().unwrap();
    let mut t = Tensor::from_f32(&gpu, &[64], &[1.0; 64]).unwrap();
    for _ in 0..100 {
        t = ew::affine(&t, 1.0, 1.0).unwrap();
    }
    assert!(
        gpu.pending_dispatches() >= 100,
        "dispatches were submitted one by one"
    );
    assert_eq!(t.to_f32().unwrap(), vec![101.0; 64]);
    assert_eq!(gpu.pending_dispatches(), 0);
    // Buffers released before that submit are now free for reuse.
    let again = ew::affine(&t, 1.0, 1.0).unwrap();
    assert_eq!(again.to_f32().unwrap(), vec![102.0; 64]);
    let (hits, _) = gpu.pool_stats();
    assert!(hits > 0, "the buffer pool was never reused");
}

#[test]
fn dispatches_copies_and_clears_of_one_batch_see_each_others_writes() {
    // Consecutive dispatches share one compute pass; a copy or a clear ends it. Each step here
    // reads what the step before wrote, through a dispatch, an unaligned view (a copy), and a
    // tensor zeroed on a recycled buffer (a clear), all before anything is submitted.
    let gpu = synchgraph::Gpu::open_default().unwrap();
    let n = 300; // not a multiple of the workgroup size
    let mut t = Tensor::from_f32(&gpu, &[n, 1], &vec![1.0; n]).unwrap();
    let mut expect = vec![1.0f32; n];
    for step in 0..60 {
        t = ew::affine(&t, 1.0, 1.0).unwrap();
        expect.iter_mut().for_each(|v| *v += 1.0);
        if step % 3 == 0 {
            // Rows 1.. of the tensor: a 4-byte offset, bound through a copy; then a tensor
            // zeroed on a recycled buffer.
            let rows = t.shape()[0];
            let shifted = ew::affine(&t.rows(1, rows).unwrap(), 2.0, 0.0).unwrap();
            let zeros = Tensor::zeros(&gpu, &[rows - 1, 1], DType::F32).unwrap();
            t = ew::add(&shifted, &zeros).unwrap();
            expect = expect[1..].iter().map(|v| v * 2.0).collect();
        }
    }
    assert!(
        gpu.pending_dispatches() >= 60,
        "the batch was submitted early"
    );
    assert_eq!(t.to_f32().unwrap(), expect);
}

#[test]
fn buffers_freed_in_a_long_batch_are_reused_without_a_readback() {
    // A loop that records step after step without reading anything back (as training does)
    // frees its intermediate tensors while their dispatches are still unsubmitted. Those
    // buffers may only be reused after a submit; without one, every step would allocate new
    // memory until the dispatch-count limit. 40 steps of 16 MiB tensors pass 640 MiB through
    // the pool; the engine submits once 256 MiB are waiting, so far fewer buffers are created.
    let gpu = synchgraph::Gpu::open_default().unwrap();
    let n = 4 << 20; // 4M f32 = 16 MiB
    let mut t = Tensor::zeros(&gpu, &[n], DType::F32).unwrap();
    let (_, misses_before) = gpu.pool_stats();
    for _ in 0..40 {
        t = ew::affine(&t, 1.0, 1.0).unwrap();
    }
    let (_, misses_after) = gpu.pool_stats();
    let created = misses_after - misses_before;
    assert!(
        created <= 256 / 16 + 2,
        "{created} buffers of 16 MiB created for 40 steps"
    );
    let v = t.to_f32().unwrap();
    assert!(v.iter().all(|&x| x == 40.0), "{}", v[0]);
}

#[test]
fn a_tensor_over_the_binding_limit_is_refused_before_dispatch() {
    let gpu = gpu();
    let limit = gpu.max_binding_bytes();
    let n = (limit / 4 + 1) as usize;
    let err = Tensor::empty(&gpu, &[n], DType::F32).unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("over this device's limit"), "{msg}");
}

#[test]
fn pipelines_are_compiled_once() {
    let gpu = gpu();
    let t = Tensor::from_f32(&gpu, &[8], &[1.0; 8]).unwrap();
    ew::scale(&t, 2.0).unwrap();
    let before = gpu.pipelines_compiled();
    for _ in 0..10 {
        ew::scale(&t, 3.0).unwrap();
    }
    assert_eq!(gpu.pipelines_compiled(), before);
}

#[test]
fn one_gpu_serves_several_threads() {
    // Embedders share one `Gpu` between threads: each thread records its own products into the
    // shared batch and reads them back (which submits whatever the others recorded too). Inputs
    // are small integers, so every product is exact in f32 and the check is equality.
    fn send_sync<T: Send + Sync>() {}
    send_sync::<synchgraph::Gpu>();
    send_sync::<Tensor>();
    send_sync::<Error>();
    let gpu = gpu();
    let (m, k, n) = (19usize, 37usize, 23usize);
    std::thread::scope(|scope| {
        for t in 0..4u64 {
            let gpu = gpu.clone();
            scope.spawn(move || {
                let mut rng = Rng(900 + t);
                for round in 0..10 {
                    let ints = |rng: &mut Rng, len: usize| -> Vec<f32> {
                        (0..len).map(|_| rng.below(7) as f32 - 3.0).collect()
                    };
                    let (a, b) = (ints(&mut rng, m * k), ints(&mut rng, k * n));
                    let ta = Tensor::from_f32(&gpu, &[m, k], &a).unwrap();
                    let tb = Tensor::from_f32(&gpu, &[k, n], &b).unwrap();
                    let c = synchgraph::kernels::matmul::matmul(&ta, &tb).unwrap();
                    let doubled = ew::add(&c, &c).unwrap().to_f32().unwrap();
                    for i in 0..m {
                        for j in 0..n {
                            let dot: f32 = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
                            assert_eq!(doubled[i * n + j], 2.0 * dot, "thread {t} round {round}");
                        }
                    }
                }
            });
        }
    });
}
