//! What the device context keeps of failures: the standing error of a failed batch, the error
//! of a lost device, and the bound of a blocking wait for the GPU; and the `Gpu` methods that
//! report, acknowledge and simulate them and wait for the GPU within that bound.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::context::{lock, Gpu};
use crate::error::{Error, Result};

/// Environment variable that bounds every blocking wait for the GPU, in seconds (see
/// [`Gpu::wait_timeout`](super::Gpu::wait_timeout)).
pub const WAIT_TIMEOUT_ENV: &str = "SYNCHGRAPH_WAIT_TIMEOUT_S";

/// Default bound of a blocking wait for the GPU: 30 minutes, far above any single batch the
/// engine records, so only a hung device reaches it.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The wait bound [`WAIT_TIMEOUT_ENV`] sets, or [`DEFAULT_WAIT_TIMEOUT`] when it is unset.
pub(crate) fn wait_timeout_from_env() -> Result<Duration> {
    parse_wait_timeout(std::env::var(WAIT_TIMEOUT_ENV).ok().as_deref())
}

/// A wait bound from the text of [`WAIT_TIMEOUT_ENV`]: unset, empty or blank gives
/// [`DEFAULT_WAIT_TIMEOUT`] (as the adapter variable treats an empty value), a positive number
/// of seconds gives that bound (at least 1 ns; one past `Duration::MAX` saturates), anything
/// else is an error naming the variable.
fn parse_wait_timeout(raw: Option<&str>) -> Result<Duration> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(DEFAULT_WAIT_TIMEOUT);
    };
    let text = raw.trim();
    // "inf" or "infinity" is no number of seconds; a number too large for an f64 ("1e400")
    // parses to infinity as well, and is a bound past `Duration::MAX` like any other.
    let spelled_infinite = text.to_ascii_lowercase().contains("inf");
    // A positive number too small for an f64 ("1e-400") parses to 0; it is still positive, and
    // bounds waits at 1 ns like the smallest numbers an f64 holds.
    let spelled_positive = !text.starts_with('-')
        && text
            .split(['e', 'E'])
            .next()
            .is_some_and(|m| m.bytes().any(|b| matches!(b, b'1'..=b'9')));
    text.parse::<f64>()
        .ok()
        .map(|s| {
            if s == 0.0 && spelled_positive {
                f64::MIN_POSITIVE
            } else {
                s
            }
        })
        .filter(|s| *s > 0.0 && !(s.is_infinite() && spelled_infinite))
        // A bound too large for a Duration is no bound in practice; one that rounds to 0 ns
        // is raised to 1 ns, as `Gpu::set_wait_timeout` does.
        .map(|s| {
            Duration::try_from_secs_f64(s)
                .unwrap_or(Duration::MAX)
                .max(Duration::from_nanos(1))
        })
        .ok_or_else(|| {
            Error::Config(format!(
                "{WAIT_TIMEOUT_ENV} must be a positive number of seconds, got '{raw}'"
            ))
        })
}

/// A batch that failed on the GPU side: reported by every later read, flush and synchronize
/// until [`Gpu::clear_error`](super::Gpu::clear_error).
pub(crate) struct Failure {
    pub(crate) out_of_memory: bool,
    pub(crate) context: String,
    pub(crate) message: String,
    /// Batches that failed after this one while its error stood: acknowledged with it.
    pub(crate) later: usize,
}

impl Failure {
    pub(crate) fn to_error(&self) -> Error {
        let later = match self.later {
            0 => String::new(),
            1 => "; 1 later batch failed as well".to_string(),
            n => format!("; {n} later batches failed as well"),
        };
        let context = format!(
            "{} (reported by every later read, flush and synchronize until Gpu::clear_error{later})",
            self.context
        );
        if self.out_of_memory {
            Error::OutOfMemory {
                context: format!("{context}: {}", self.message),
            }
        } else {
            Error::Validation {
                context,
                message: self.message.clone(),
            }
        }
    }
}

/// Errors wgpu reported outside an error scope, and the standing failure they caused.
#[derive(Default)]
pub(crate) struct ErrorState {
    /// Reported since the last submit or wait took them.
    pub(crate) pending: Vec<String>,
    /// The first failure not yet acknowledged with [`Gpu::clear_error`](super::Gpu::clear_error).
    pub(crate) failed: Option<Failure>,
}

impl ErrorState {
    /// Record a failed batch: the standing failure when none stands, else one more batch
    /// acknowledged together with the standing one (its tensors hold stale data as well).
    pub(crate) fn record(&mut self, context: &str, message: String) {
        match &mut self.failed {
            Some(f) => f.later += 1,
            None => {
                self.failed = Some(Failure {
                    out_of_memory: message.to_lowercase().contains("out of memory"),
                    context: context.to_string(),
                    message,
                    later: 0,
                })
            }
        }
    }
}

/// The error of a lost device.
pub(crate) fn lost_error(reason: &str) -> Error {
    Error::Device(format!(
        "the GPU device was lost ({reason}); nothing more can run on it: open a new device"
    ))
}

/// The message of a caught panic.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".to_string())
}

impl Gpu {
    /// Turn errors wgpu reported outside an error scope into the standing failure, and return
    /// that failure (the first one not yet acknowledged with [`Gpu::clear_error`]).
    pub(super) fn take_errors(&self, context: &str) -> Result<()> {
        let mut state = lock(&self.inner.errors);
        if !state.pending.is_empty() {
            // Invalid objects of a destroyed device surface as validation errors first; wgpu
            // reports the loss itself only from a poll, so look before blaming the batch.
            drop(state);
            let _ = catch_unwind(AssertUnwindSafe(|| {
                self.inner.device.poll(wgpu::PollType::Poll)
            }));
            self.check_lost()?;
            state = lock(&self.inner.errors);
        }
        if !state.pending.is_empty() {
            let message = state.pending.drain(..).collect::<Vec<_>>().join("; ");
            state.record(context, message);
        }
        match &state.failed {
            None => Ok(()),
            Some(f) => Err(f.to_error()),
        }
    }

    /// Acknowledge a failed batch: forget its standing error, so that later reads, flushes and
    /// synchronizes succeed again, and return it (`None` when nothing had failed). Tensors the
    /// failed batch should have written hold stale data; recompute them. Batches that failed
    /// while that error stood are acknowledged with it, and its message counts them ("1 later
    /// batch failed as well"): their tensors are stale too. Errors of work recorded but not yet
    /// submitted are kept and reported when it is submitted. A lost device stays lost.
    pub fn clear_error(&self) -> Option<Error> {
        lock(&self.inner.errors).failed.take().map(|f| f.to_error())
    }

    /// [`Error::Device`] once the device is lost (an atomic load otherwise).
    pub(super) fn check_lost(&self) -> Result<()> {
        match self.inner.lost.get() {
            None => Ok(()),
            Some(reason) => Err(lost_error(reason)),
        }
    }

    /// True once wgpu has reported the device lost; every call that records, submits, waits or
    /// reads then returns [`Error::Device`].
    pub fn is_lost(&self) -> bool {
        self.inner.lost.get().is_some()
    }

    /// Simulate a lost device, as a driver reset or a removed GPU would lose it: destroys the
    /// wgpu device and lets wgpu report the loss. Every later call that records, submits,
    /// waits, reads, uploads or allocates returns [`Error::Device`]. Tests use it; nothing
    /// recorded or submitted before survives.
    pub fn lose_device(&self) {
        self.inner.device.destroy();
        // wgpu reports a destroyed device from the next poll that finds its queue empty.
        let _ = self.poll_guarded();
        let _ = self
            .inner
            .lost
            .set("reason: Destroyed, by Gpu::lose_device".to_string());
    }

    /// The bound of every blocking wait for the GPU (a readback, [`Gpu::synchronize`], a
    /// profiler's timestamp readback): [`DEFAULT_WAIT_TIMEOUT`] (30 minutes), or the seconds
    /// given by the environment variable `SYNCHGRAPH_WAIT_TIMEOUT_S` when the device was
    /// opened, or what [`Gpu::set_wait_timeout`] set. A wait that reaches it returns
    /// [`Error::Device`] saying the GPU did not finish within that many seconds.
    pub fn wait_timeout(&self) -> Duration {
        Duration::from_nanos(self.inner.wait_timeout_ns.load(Ordering::Relaxed))
    }

    /// Change the bound of every blocking wait (see [`Gpu::wait_timeout`]) for all clones of
    /// this handle. A zero duration is raised to one nanosecond.
    pub fn set_wait_timeout(&self, timeout: Duration) {
        let ns = u64::try_from(timeout.as_nanos()).unwrap_or(u64::MAX).max(1);
        self.inner.wait_timeout_ns.store(ns, Ordering::Relaxed);
    }

    /// One bounded blocking poll. wgpu's `Device::poll` panics on a device error met during
    /// the wait; the panic is caught here and, like a lost device or a wait past
    /// [`Gpu::wait_timeout`], returned as [`Error::Device`].
    fn poll_guarded(&self) -> Result<()> {
        let timeout = self.wait_timeout();
        let polled = catch_unwind(AssertUnwindSafe(|| {
            self.inner.device.poll(wgpu::PollType::Wait {
                submission_index: None,
                timeout: Some(timeout),
            })
        }));
        // A loss found during the wait is reported by its callback before `poll` returns.
        self.check_lost()?;
        match polled {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(wgpu::PollError::Timeout)) => Err(Error::Device(format!(
                "the GPU did not finish its work within {} s (the wait bound; set \
                 {WAIT_TIMEOUT_ENV} or Gpu::set_wait_timeout to change it)",
                timeout.as_secs_f64()
            ))),
            Ok(Err(e)) => Err(Error::Device(format!("waiting for the GPU failed: {e}"))),
            Err(payload) => Err(Error::Device(format!(
                "the GPU device failed while the host waited for it: {}",
                panic_message(&*payload)
            ))),
        }
    }

    /// Block until the GPU has finished the submitted work (counted in [`Gpu::host_waits`]).
    pub(super) fn block(&self) -> Result<()> {
        self.check_lost()?;
        self.inner.waits.fetch_add(1, Ordering::Relaxed);
        self.poll_guarded()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_timeout_text() {
        assert_eq!(parse_wait_timeout(None).unwrap(), DEFAULT_WAIT_TIMEOUT);
        assert_eq!(parse_wait_timeout(Some("")).unwrap(), DEFAULT_WAIT_TIMEOUT);
        assert_eq!(
            parse_wait_timeout(Some("  ")).unwrap(),
            DEFAULT_WAIT_TIMEOUT
        );
        assert_eq!(
            parse_wait_timeout(Some(" 2.5 ")).unwrap(),
            Duration::from_millis(2500)
        );
        // Extremes of the positive range: a tiny bound is 1 ns, not 0; a huge one saturates.
        assert_eq!(
            parse_wait_timeout(Some("1e-12")).unwrap(),
            Duration::from_nanos(1)
        );
        assert_eq!(parse_wait_timeout(Some("1e30")).unwrap(), Duration::MAX);
        // A number too large for an f64 is still a positive number of seconds.
        assert_eq!(parse_wait_timeout(Some("1e400")).unwrap(), Duration::MAX);
        for bad in ["0", "-1", "soon", "inf", "+Infinity", "-1e400", "NaN"] {
            let e = parse_wait_timeout(Some(bad)).unwrap_err().to_string();
            assert!(e.contains(WAIT_TIMEOUT_ENV), "{bad}: {e}");
        }
    }
}
