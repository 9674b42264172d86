//! What the device context keeps of failures: the standing error of a failed batch, the error
//! of a lost device, and the bound of a blocking wait for the GPU.

use std::time::Duration;

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
