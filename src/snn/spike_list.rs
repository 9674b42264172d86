//! A fixed input spike list, read from a CSV of `input_index,time_ms` and uploaded as one bitmask
//! row per step for `shaders/poisson.wgsl`'s schedule kernel ([`super::encoding::schedule_step`]).

use crate::error::{Error, Result};
use crate::features::text_lines;
use crate::gpu::Gpu;
use crate::tensor::Tensor;

/// Step of time `t_ms` at step `dt_ms`: floor(t / dt), except that a quotient within 1e-12
/// (relative) of an integer is that integer, so times written in decimal (other simulators
/// write 0.3 ms for the start of step 3 at dt 0.1 ms) are not moved a step early by rounding.
fn step_of(t_ms: f64, dt_ms: f64) -> usize {
    let x = t_ms / dt_ms;
    let nearest = x.round();
    if (x - nearest).abs() <= 1e-12 * nearest.max(1.0) {
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
    /// skipped; lines end in LF, CRLF or, in a file without LF, CR); time in ms, step =
    /// floor(t / dt), where a time on a step boundary up to decimal rounding (0.3 ms at dt
    /// 0.1 ms, whose quotient is 2.9999999999999996) belongs to the step it starts.
    /// Lines may come in any order; two spikes of one input in one step
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
        // Lines end in LF, CRLF or (a file without LF) CR, as the other CSV readers take them:
        // `lines` would read a CR-only file as one line, skipped whole as the header.
        for (ln, line) in text_lines(text).into_iter().enumerate() {
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
