//! Input encoding (`shaders/poisson.wgsl`): Poisson spikes from rates with a counter-based RNG
//! (deterministic per (seed, step, clip stream id, input index)), or a fixed spike list read
//! from a CSV of `input_index,time_ms` (`spike_list.rs`), written into one slot of the input ring
//! buffer per step.

use bytemuck::{Pod, Zeroable};

use crate::error::{Error, Result};
use crate::gpu::grid::WORKGROUP_1D;
use crate::gpu::{Gpu, Kernel, Shader};
use crate::tensor::{DType, Tensor};

pub use super::spike_list::SpikeList;

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct EncParams {
    n: u32,
    n_in: u32,
    step: u32,
    slot_off: u32,
    seed_lo: u32,
    seed_hi: u32,
    dt_s: f32,
    /// Bitmask words per step (schedule_step); 0 for poisson_step.
    row_words: u32,
}

/// Offset of ring slot `slot` of `n` flags, refusing a ring of fewer than `(slot + 1) * n` flags
/// (the slot would be written past the end) or an offset past the 32-bit index range.
fn ring_slot_offset(op: &str, ring: &Tensor, slot: u32, n: u32) -> Result<u32> {
    ring.expect_dtype(op, DType::U32)?;
    let end = (u64::from(slot) + 1) * u64::from(n);
    if end > ring.numel() as u64 {
        return Err(Error::shape(
            op,
            format!(
                "ring slot {slot} of {n} flags needs {end} ring entries, the ring has {}",
                ring.numel()
            ),
        ));
    }
    slot.checked_mul(n).ok_or_else(|| {
        Error::shape(
            op,
            format!("ring slot {slot} x {n} flags exceeds the 32-bit index range"),
        )
    })
}

/// PCG output permutation used as an integer hash (same as the WGSL `pcg_hash`).
pub fn pcg_hash(v: u32) -> u32 {
    let state = v.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
    let word = ((state >> ((state >> 28) + 4)) ^ state).wrapping_mul(277_803_737);
    (word >> 22) ^ word
}

/// CPU reference of `poisson_step`: spike flags of the `rates.len() / streams.len()` inputs of
/// each clip at `step`, clip `c` drawing from stream `streams[c]` (`rates` in Hz, `dt_ms` in ms).
/// Bit-identical to the GPU (integer hash, same f32 ops).
pub fn poisson_reference(
    rates: &[f32],
    streams: &[u32],
    step: u32,
    seed: u64,
    dt_ms: f64,
) -> Vec<bool> {
    let key = pcg_hash(
        step ^ pcg_hash(seed as u32 ^ pcg_hash(((seed >> 32) as u32).wrapping_add(0x9e37_79b9))),
    );
    let dt_s = (dt_ms / 1000.0) as f32;
    let n_in = rates.len() / streams.len().max(1);
    rates
        .iter()
        .enumerate()
        .map(|(i, &r)| {
            let clip_key = pcg_hash(key ^ pcg_hash(streams[i / n_in].wrapping_add(0x632b_e5ab)));
            let u = (pcg_hash((i % n_in) as u32 ^ clip_key) >> 8) as f32 * (1.0 / 16_777_216.0);
            u < r * dt_s
        })
        .collect()
}

/// Record Poisson spikes for `step` from `rates` (Hz, [clips * n_in]) into ring slot `slot`
/// of `ring` (u32 [slots * clips * n_in]); clip `c` draws from stream `streams[c]`
/// (u32 `[clips]`), so a clip's spikes do not depend on the slot or batch it is simulated in.
#[allow(clippy::too_many_arguments)]
pub fn poisson_step(
    gpu: &Gpu,
    rates: &Tensor,
    streams: &Tensor,
    ring: &Tensor,
    slot: u32,
    step: u32,
    seed: u64,
    dt_ms: f64,
) -> Result<()> {
    rates.expect_dtype("poisson_step", DType::F32)?;
    streams.expect_dtype("poisson_step", DType::U32)?;
    let n = super::check_len("poisson_step", rates.numel())?;
    let clips = streams.numel();
    if n == 0 && clips == 0 {
        return Ok(());
    }
    if clips == 0 || rates.numel() % clips != 0 {
        return Err(Error::shape(
            "poisson_step",
            format!(
                "{} rates for {clips} clip streams (need a positive multiple)",
                rates.numel()
            ),
        ));
    }
    let slot_off = ring_slot_offset("poisson_step", ring, slot, n)?;
    let p = EncParams {
        n,
        n_in: n / clips as u32,
        step,
        slot_off,
        seed_lo: seed as u32,
        seed_hi: (seed >> 32) as u32,
        dt_s: (dt_ms / 1000.0) as f32,
        row_words: 0,
    };
    let k = Kernel::new(Shader::Poisson, "poisson_step");
    gpu.dispatch(
        "poisson_step",
        &k,
        &p,
        &[rates.binding()?, ring.binding_mut()?, streams.binding()?],
        gpu.grid(u64::from(n), WORKGROUP_1D)?,
    )
}

/// Record spikes of `step` from a bitmask schedule (see [`SpikeList::bitmask`]) for `clips`
/// clips of `n_in` inputs into ring slot `slot`. Refuses a schedule without row `step`, a ring
/// without slot `slot`, and sizes past the 32-bit index range, with [`Error::Shape`].
pub fn schedule_step(
    gpu: &Gpu,
    sched: &Tensor,
    n_in: u32,
    clips: u32,
    ring: &Tensor,
    slot: u32,
    step: u32,
) -> Result<()> {
    const OP: &str = "schedule_step";
    sched.expect_dtype(OP, DType::U32)?;
    let n = n_in.checked_mul(clips).ok_or_else(|| {
        Error::shape(
            OP,
            format!("{clips} clips x {n_in} inputs exceed the 32-bit index range"),
        )
    })?;
    if n == 0 {
        return Ok(());
    }
    let slot_off = ring_slot_offset(OP, ring, slot, n)?;
    let row_words = n_in.div_ceil(32);
    let words = (u64::from(step) + 1) * u64::from(row_words);
    if words > sched.numel() as u64 {
        return Err(Error::shape(
            OP,
            format!(
                "step {step} needs {words} schedule words ({row_words} per step), the schedule \
                 has {}",
                sched.numel()
            ),
        ));
    }
    let p = EncParams {
        n,
        n_in,
        step,
        slot_off,
        seed_lo: 0,
        seed_hi: 0,
        dt_s: 0.0,
        row_words,
    };
    let k = Kernel::new(Shader::Poisson, "schedule_step");
    gpu.dispatch(
        "schedule_step",
        &k,
        &p,
        &[sched.binding()?, ring.binding_mut()?],
        gpu.grid(u64::from(n), WORKGROUP_1D)?,
    )
}

/// Input rates (Hz) from intensities: `rate = intensity * scale`, refusing NaN, negative values
/// and rates over `max_hz`.
pub fn rates_from_intensity(features: &[f32], scale: f64, max_hz: f64) -> Result<Vec<f32>> {
    if features.is_empty() {
        return Err(Error::InvalidInput("empty clip: no input features".into()));
    }
    features
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let r = f64::from(x) * scale;
            if !x.is_finite() {
                Err(Error::InvalidInput(format!(
                    "feature {i} is {x} (NaN or infinite)"
                )))
            } else if !(0.0..=max_hz).contains(&r) {
                Err(Error::InvalidInput(format!(
                    "feature {i} gives rate {r} Hz outside [0, {max_hz}]"
                )))
            } else {
                Ok(r as f32)
            }
        })
        .collect()
}
