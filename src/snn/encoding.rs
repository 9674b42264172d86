//! Input encoding (`shaders/poisson.wgsl`): Poisson spikes from rates with a counter-based RNG
//! (deterministic per (seed, step, clip stream id, input index)), or a fixed spike list read
//! from a CSV of `input_index,time_ms`, written into one slot of the input ring buffer per step.

use bytemuck::{Pod, Zeroable};

use crate::error::{Error, Result};
use crate::gpu::grid::WORKGROUP_1D;
use crate::gpu::{Gpu, Kernel, Shader};
use crate::tensor::{DType, Tensor};

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

/// Step of time `t_ms` at step `dt_ms`: floor(t / dt), except that a quotient within 1e-9
/// (relative) of an integer is that integer, so times written in decimal (other simulators
/// write 0.3 ms for the start of step 3 at dt 0.1 ms) are not moved a step early by rounding.
fn step_of(t_ms: f64, dt_ms: f64) -> usize {
    let x = t_ms / dt_ms;
    let nearest = x.round();
    if (x - nearest).abs() <= 1e-9 * nearest.max(1.0) {
        nearest as usize
    } else {
        x.floor() as usize
    }
}

/// A fixed input spike list: spike steps per input.
#[derive(Debug, Clone, PartialEq)]
pub struct SpikeList {
    /// Inputs per clip.
    pub n_in: usize,
    /// Simulation length in steps.
    pub steps: usize,
    /// (input index, step) events, sorted by step and then input (any order works for
    /// [`Self::bitmask`] and [`Self::flags_at`]).
    pub events: Vec<(u32, u32)>,
}

impl SpikeList {
    /// Parse `input_index,time_ms` lines (a header line and a leading byte order mark are
    /// skipped); time in ms, step = floor(t / dt), where a time on a step boundary up to
    /// decimal rounding (0.3 ms at dt 0.1 ms, whose quotient is 2.9999999999999996) belongs to
    /// the step it starts. Lines may come in any order; two spikes of one input in one step
    /// are refused (the same spike listed twice, or times closer than a step). A `dt_ms` that
    /// is not a finite number > 0 is [`Error::InvalidInput`].
    pub fn from_csv(text: &str, path: &str, n_in: usize, steps: usize, dt_ms: f64) -> Result<Self> {
        // A NaN quotient (dt NaN, or 0 ms over a dt of 0) would put the spike at step 0.
        if !(dt_ms.is_finite() && dt_ms > 0.0) {
            return Err(Error::InvalidInput(format!(
                "spike list {path}: the step dt = {dt_ms} ms must be a finite number > 0"
            )));
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut events = Vec::new();
        for (ln, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || (ln == 0 && line.starts_with("input_index")) {
                continue;
            }
            let bad = |m: String| Error::data(path, format!("line {}: {m}", ln + 1));
            let (a, b) = line
                .split_once(',')
                .ok_or_else(|| bad(format!("expected input_index,time_ms, got '{line}'")))?;
            let i: usize = a
                .trim()
                .parse()
                .map_err(|_| bad(format!("bad input index '{a}'")))?;
            let t: f64 = b
                .trim()
                .parse()
                .map_err(|_| bad(format!("bad time '{b}'")))?;
            if i >= n_in {
                return Err(bad(format!("input index {i} >= {n_in} inputs")));
            }
            if !t.is_finite() || t < 0.0 {
                return Err(bad(format!(
                    "time {t} ms is not a finite non-negative number"
                )));
            }
            let s = step_of(t, dt_ms);
            if s >= steps {
                return Err(bad(format!("time {t} ms is past the simulated duration")));
            }
            events.push((i as u32, s as u32, ln + 1, t));
        }
        // A step holds one spike per input: two spikes of one input in one step cannot both be
        // delivered, so they are refused rather than merged.
        events.sort_unstable_by_key(|&(i, s, ln, _)| (s, i, ln));
        if let Some(w) = events
            .windows(2)
            .find(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1))
        {
            let (a, b) = (&w[0], &w[1]);
            let message = if a.3 == b.3 {
                format!(
                    "lines {} and {}: the spike of input {} at {} ms is listed twice",
                    a.2, b.2, a.0, a.3
                )
            } else {
                format!(
                    "lines {} and {}: input {} spikes twice in step {} (dt {dt_ms} ms); a step \
                     holds one spike per input, so use a smaller sim.dt_ms",
                    a.2, b.2, a.0, a.1
                )
            };
            return Err(Error::data(path, message));
        }
        let events = events.into_iter().map(|(i, s, _, _)| (i, s)).collect();
        Ok(SpikeList {
            n_in,
            steps,
            events,
        })
    }

    /// Bitmask words, one row of `ceil(n_in / 32)` words per step: bit `i % 32` of word
    /// `step * ceil(n_in / 32) + i / 32` is set when input i spikes at `step`. Word indices stay
    /// below the word count, so no index overflows u32 however long the schedule. Events must
    /// lie inside the list, as [`Self::from_csv`] makes them ([`Self::upload`] checks): one
    /// past `steps` panics, one past `n_in` sets another input's bit.
    pub fn bitmask(&self) -> Vec<u32> {
        let row = self.n_in.div_ceil(32);
        let mut words = vec![0u32; (self.steps * row).max(1)];
        for &(i, s) in &self.events {
            words[s as usize * row + i as usize / 32] |= 1 << (i % 32);
        }
        words
    }

    /// Spike flags of every input at `step` (CPU reference of `schedule_step`).
    pub fn flags_at(&self, step: u32) -> Vec<bool> {
        let mut f = vec![false; self.n_in];
        for &(i, s) in &self.events {
            if s == step {
                f[i as usize] = true;
            }
        }
        f
    }

    /// Upload the bitmask; refuses a list over the device's binding limit with [`Error::TooLarge`],
    /// and one with an event whose input is not below `n_in` or whose step is not below
    /// `steps` (possible in a list built by hand) with [`Error::InvalidInput`]: its bit would
    /// land in another input's or step's word.
    pub fn upload(&self, gpu: &Gpu) -> Result<Tensor> {
        if let Some(&(i, s)) = self
            .events
            .iter()
            .find(|&&(i, s)| i as usize >= self.n_in || s as usize >= self.steps)
        {
            return Err(Error::InvalidInput(format!(
                "spike list event (input {i}, step {s}) is outside its {} inputs x {} steps",
                self.n_in, self.steps
            )));
        }
        // Check the size before building the bitmask on the host.
        let bytes = (self.steps as u64 * self.n_in.div_ceil(32) as u64).max(1) * 4;
        if bytes > gpu.max_binding_bytes() {
            return Err(Error::TooLarge {
                what: "input spike list bitmask".into(),
                bytes,
                limit: gpu.max_binding_bytes(),
            });
        }
        let words = self.bitmask();
        Tensor::from_u32(gpu, &[words.len()], &words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_times_on_a_step_boundary_keep_their_step() {
        // 3 x 0.1 written as 0.3 (and 0.7 / 0.1 = 6.999999999999999) used to fall a step early.
        let mut text = String::from("input_index,time_ms\n");
        for k in 0..2000u32 {
            text.push_str(&format!("{},{:.1}\n", k % 4, f64::from(k) * 0.1));
        }
        let list = SpikeList::from_csv(&text, "x.csv", 4, 2000, 0.1).unwrap();
        assert_eq!(list.events.len(), 2000);
        let moved = list.events.iter().zip(0u32..).find(|(e, k)| e.1 != *k);
        assert_eq!(
            moved, None,
            "(event, written step) of the first moved spike"
        );
        // Inside a step, the step is still the floor.
        let inside = "0,0.35\n1,0.3999\n2,0.0001\n";
        let list = SpikeList::from_csv(inside, "x.csv", 4, 10, 0.1).unwrap();
        assert_eq!(list.events, vec![(2, 0), (0, 3), (1, 3)]);
    }
}
