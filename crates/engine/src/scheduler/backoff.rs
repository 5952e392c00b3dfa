//! Retry delays: exponential from the configured base, capped, with jitter so a burst of
//! failures does not retry in lockstep; never sooner than the platform asked.

use std::time::Duration;

use rand::Rng;

/// The delay before the retry following attempt number `attempt` (1-based).
pub fn retry_delay(
    attempt: u32,
    base: Duration,
    max: Duration,
    platform_asked: Option<Duration>,
) -> Duration {
    let exponent = attempt.saturating_sub(1).min(20);
    let delay = base.saturating_mul(1 << exponent).min(max);
    let jitter = rand::rng().random_range(0.8..=1.2);
    let delay = delay.mul_f64(jitter).min(max);
    match platform_asked {
        Some(asked) => delay.max(asked),
        None => delay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_and_caps() {
        let base = Duration::from_secs(10);
        let max = Duration::from_secs(100);
        let first = retry_delay(1, base, max, None);
        assert!(first >= Duration::from_secs(8) && first <= Duration::from_secs(12));
        let third = retry_delay(3, base, max, None);
        assert!(third >= Duration::from_secs(32) && third <= Duration::from_secs(48));
        assert!(retry_delay(30, base, max, None) <= max);
    }

    #[test]
    fn never_sooner_than_retry_after() {
        let asked = Duration::from_secs(120);
        let delay = retry_delay(1, Duration::from_secs(1), Duration::from_secs(60), Some(asked));
        assert_eq!(delay, asked);
    }
}
