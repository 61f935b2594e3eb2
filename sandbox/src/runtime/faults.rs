//! Drawing injected faults from a seeded generator, and the counters of what a tenant
//! answered.

use axum::http::StatusCode;
use serde::Serialize;

use crate::config::Faults;

/// The 5xx statuses injected, all of which clients retry.
const ERROR_STATUSES: [StatusCode; 4] = [
    StatusCode::INTERNAL_SERVER_ERROR,
    StatusCode::BAD_GATEWAY,
    StatusCode::SERVICE_UNAVAILABLE,
    StatusCode::GATEWAY_TIMEOUT,
];

/// What to do to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Injected {
    /// Serve it.
    Nothing,
    /// Close the connection without answering.
    Drop,
    /// Answer this 5xx.
    Error(StatusCode),
}

/// The faults in force and their generator.
#[derive(Debug)]
pub(crate) struct FaultState {
    /// The settings.
    faults: Faults,
    /// The generator, seeded from `faults.seed`.
    rng: SplitMix64,
}

impl FaultState {
    /// Faults per `faults`, with a generator seeded from its seed.
    pub(crate) fn new(faults: Faults) -> Self {
        Self {
            rng: SplitMix64(faults.seed),
            faults,
        }
    }

    /// The settings.
    pub(crate) fn faults(&self) -> Faults {
        self.faults
    }

    /// Draws the fate of the next request.
    pub(crate) fn draw(&mut self) -> Injected {
        if self.faults.drop_rate <= 0.0 && self.faults.error_rate <= 0.0 {
            return Injected::Nothing;
        }
        let roll = self.rng.next_f64();
        if roll < self.faults.drop_rate {
            Injected::Drop
        } else if roll < self.faults.drop_rate + self.faults.error_rate {
            let pick = (self.rng.next_u64() % ERROR_STATUSES.len() as u64) as usize;
            Injected::Error(ERROR_STATUSES[pick])
        } else {
            Injected::Nothing
        }
    }
}

/// SplitMix64: small, fast, and the same sequence for the same seed everywhere.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `[0, 1)`.
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What a tenant answered since it started (or was reset).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Stats {
    /// SCIM requests received.
    pub requests: u64,
    /// Answered 401 (no or a wrong token).
    pub unauthorized: u64,
    /// Answered 429 or Google's 403 (over the rate limit).
    pub throttled: u64,
    /// Answered an injected 5xx.
    pub injected_errors: u64,
    /// Closed without an answer.
    pub dropped: u64,
    /// Served by the SCIM handlers (whatever their status).
    pub served: u64,
    /// Access tokens issued by the OAuth token endpoint.
    pub tokens_issued: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_reproducible_and_near_the_rates() {
        let faults = Faults::none().error_rate(0.2).drop_rate(0.1).seed(42);
        let draws = |n| {
            let mut state = FaultState::new(faults);
            (0..n).map(|_| state.draw()).collect::<Vec<_>>()
        };
        let first = draws(10_000);
        assert_eq!(first, draws(10_000));
        let drops = first.iter().filter(|d| **d == Injected::Drop).count();
        let errors = first
            .iter()
            .filter(|d| matches!(d, Injected::Error(_)))
            .count();
        assert!((800..1200).contains(&drops), "{drops}");
        assert!((1700..2300).contains(&errors), "{errors}");
        let mut quiet = FaultState::new(Faults::none());
        assert!((0..100).all(|_| quiet.draw() == Injected::Nothing));
    }
}
