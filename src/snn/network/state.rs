//! Changing a network's state between runs without a readback: rest, input streams, adaptive
//! thresholds and input weight normalization.

use super::Network;
use crate::error::{Error, Result};
use crate::kernels::layout::{concat_cols, slice_cols};
use crate::snn::stdp::normalize;
use crate::tensor::Tensor;

impl Network {
    /// Scale every excitatory neuron's input weights to sum to `stdp.norm_total`.
    pub fn normalize_input(&self) -> Result<()> {
        normalize(&self.gpu, &self.stdp, &self.w_in)
    }

    /// Bring every neuron back to rest between samples, as Diehl & Cook's rest period does:
    /// potentials to rest, conductances, refractory counters, in-flight input spikes and STDP
    /// traces to zero. The excitatory adaptive thresholds theta are kept.
    ///
    /// Everything is recorded in the current batch (a column slice and a concat of 32-bit
    /// words, buffer copies from rest states uploaded at construction, and clears): nothing is
    /// read back or flushed, so resetting between samples never waits for the GPU.
    pub fn reset_to_rest(&mut self) -> Result<()> {
        // Excitatory: (v_rest, 0, 0) from the rest tensor, theta from the current state; the
        // columns are copied as 32-bit words, so the values are bit-exact.
        let theta = slice_cols(&self.exc.state, 3, 4)?;
        let exc = concat_cols(&[&self.exc_rest, &theta])?;
        self.overwrite(&self.exc.state, &exc)?;
        self.overwrite(&self.inh.state, &self.inh_rest)?;
        for t in [
            &self.exc.flags,
            &self.inh.flags,
            &self.ring,
            &self.tr_pre,
            &self.tr_post,
        ] {
            self.gpu.clear(t.buffer(), t.byte_offset(), t.byte_len())?;
        }
        Ok(())
    }

    /// Record a copy of `src` over `dst` (same byte length) in the current batch.
    fn overwrite(&self, dst: &Tensor, src: &Tensor) -> Result<()> {
        self.gpu.copy(
            src.buffer(),
            src.byte_offset(),
            dst.buffer(),
            dst.byte_offset(),
            dst.byte_len(),
        )
    }

    /// Give clip slot `c` the Poisson input stream `ids[c]` (by default `c`). Two clips with
    /// different ids draw independent spikes; a clip given the same id draws the same spikes
    /// in any slot of any batch, so results do not depend on how samples are batched.
    pub fn set_streams(&mut self, ids: &[u32]) -> Result<()> {
        if ids.len() != self.clips {
            return Err(Error::shape(
                "set_streams",
                format!("{} stream ids for {} clips", ids.len(), self.clips),
            ));
        }
        self.streams = Tensor::from_u32(&self.gpu, &[self.clips], ids)?;
        Ok(())
    }

    /// Set every clip's excitatory adaptive thresholds to `theta` `[n_e]` (mV), keeping the
    /// potentials, conductances and refractory countdowns.
    ///
    /// Recorded in the current batch without a readback: the state's first three columns are
    /// copied (as 32-bit words, bit-exact) next to an uploaded theta column, as in
    /// [`Self::reset_to_rest`].
    pub fn set_theta(&mut self, theta: &[f32]) -> Result<()> {
        if theta.len() != self.n_e {
            return Err(Error::shape(
                "set_theta",
                format!("{} thresholds for {} neurons", theta.len(), self.n_e),
            ));
        }
        let rows = self.clips * self.n_e;
        let column: Vec<f32> = theta.iter().copied().cycle().take(rows).collect();
        let theta = Tensor::from_f32(&self.gpu, &[rows, 1], &column)?;
        let head = slice_cols(&self.exc.state, 0, 3)?;
        let exc = concat_cols(&[&head, &theta])?;
        self.overwrite(&self.exc.state, &exc)?;
        Ok(())
    }

    /// The first clip's excitatory adaptive thresholds `[n_e]` (mV).
    pub fn theta(&self) -> Result<Vec<f32>> {
        let (state, _) = self.exc.to_host()?;
        Ok(state.chunks_exact(4).take(self.n_e).map(|s| s[3]).collect())
    }
}
