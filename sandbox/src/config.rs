//! Run-time settings of a tenant that the admin API can change: rate limit, throttle
//! style and injected faults. They serialize to the admin API's JSON.

use serde::{Deserialize, Serialize};

/// A request budget: `requests` per `period_ms`, up to `burst` at once (a token bucket).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Requests allowed per period; at least 1.
    pub requests: u32,
    /// The period, in milliseconds; at least 1.
    pub period_ms: u64,
    /// Requests allowed at once; at least 1.
    pub burst: u32,
}

impl From<connector_sdk::manifest::RateLimit> for Limits {
    fn from(limit: connector_sdk::manifest::RateLimit) -> Self {
        Self {
            requests: limit.requests,
            period_ms: limit.period_ms,
            burst: limit.burst,
        }
    }
}

/// Where a tenant's rate limit comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateLimitMode {
    /// The manifest's documented `rate_limit` (none for the generic tenant).
    #[default]
    Manifest,
    /// The [`RateLimitConfig::limits`] given.
    Custom,
    /// No limit.
    Off,
}

/// How a tenant answers a request over its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThrottleStyle {
    /// HTTP 429 with `Retry-After` (whole seconds) and a SCIM error body.
    #[default]
    Scim429,
    /// HTTP 403 with Google's `{"error":{"code":403,"errors":[{"reason":"userRateLimitExceeded"}]}}`.
    Google403,
    /// HTTP 403 with GitHub's secondary-rate-limit message and `retry-after`.
    #[serde(rename = "github403")]
    GitHub403,
}

/// A tenant's rate limit.
///
/// JSON: `{"mode":"custom","limits":{"requests":5,"period_ms":1000,"burst":2},"style":"scim429"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Where the limit comes from.
    #[serde(default)]
    pub mode: RateLimitMode,
    /// The limit, for [`RateLimitMode::Custom`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Limits>,
    /// How a request over the limit is answered.
    #[serde(default)]
    pub style: ThrottleStyle,
}

impl RateLimitConfig {
    /// The manifest's limit, answered with 429.
    pub fn manifest() -> Self {
        Self::default()
    }

    /// No limit.
    pub fn off() -> Self {
        Self {
            mode: RateLimitMode::Off,
            ..Self::default()
        }
    }

    /// `requests` per `period_ms`, `burst` at once, answered with 429.
    pub fn custom(requests: u32, period_ms: u64, burst: u32) -> Self {
        Self {
            mode: RateLimitMode::Custom,
            limits: Some(Limits {
                requests,
                period_ms,
                burst,
            }),
            style: ThrottleStyle::Scim429,
        }
    }

    /// The same limit, answered the way `style` says.
    pub fn with_style(mut self, style: ThrottleStyle) -> Self {
        self.style = style;
        self
    }

    /// Checks the numbers; the error says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        match (self.mode, self.limits) {
            (RateLimitMode::Custom, None) => Err("mode `custom` needs `limits`".to_owned()),
            (RateLimitMode::Custom, Some(l))
                if l.requests == 0 || l.period_ms == 0 || l.burst == 0 =>
            {
                Err("`requests`, `period_ms` and `burst` must be at least 1".to_owned())
            }
            _ => Ok(()),
        }
    }
}

/// Faults injected into a tenant's SCIM answers, drawn from a seeded generator so a run
/// is reproducible.
///
/// JSON: `{"error_rate":0.2,"drop_rate":0.0,"latency_ms":10,"seed":7}`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// The share (0.0 to 1.0) of requests answered with a 5xx (500, 502, 503 or 504).
    pub error_rate: f64,
    /// The share (0.0 to 1.0) of requests whose connection is closed without an answer.
    pub drop_rate: f64,
    /// Latency added to every SCIM request, in milliseconds.
    pub latency_ms: u64,
    /// The seed of the generator that draws the faults.
    pub seed: u64,
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Self::default()
    }

    /// Sets the share of 5xx answers.
    pub fn error_rate(mut self, share: f64) -> Self {
        self.error_rate = share;
        self
    }

    /// Sets the share of dropped connections.
    pub fn drop_rate(mut self, share: f64) -> Self {
        self.drop_rate = share;
        self
    }

    /// Sets the added latency.
    pub fn latency_ms(mut self, millis: u64) -> Self {
        self.latency_ms = millis;
        self
    }

    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Checks the shares (0.0 to 1.0, together at most 1.0) and the latency (at most a
    /// minute); the error says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let share = |name: &str, value: f64| {
            if (0.0..=1.0).contains(&value) {
                Ok(())
            } else {
                Err(format!("`{name}` must be between 0.0 and 1.0, not {value}"))
            }
        };
        share("error_rate", self.error_rate)?;
        share("drop_rate", self.drop_rate)?;
        if self.error_rate + self.drop_rate > 1.0 {
            return Err("`error_rate` and `drop_rate` add up to more than 1.0".to_owned());
        }
        if self.latency_ms > 60_000 {
            return Err("`latency_ms` must be at most 60000".to_owned());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_and_round_trips() {
        assert!(
            Faults::none()
                .error_rate(0.2)
                .drop_rate(0.1)
                .validate()
                .is_ok()
        );
        assert!(Faults::none().error_rate(1.5).validate().is_err());
        assert!(Faults::none().error_rate(f64::NAN).validate().is_err());
        assert!(
            Faults::none()
                .error_rate(0.6)
                .drop_rate(0.6)
                .validate()
                .is_err()
        );
        let limit = RateLimitConfig::custom(5, 1000, 2).with_style(ThrottleStyle::Google403);
        let json = serde_json::to_string(&limit).unwrap();
        assert_eq!(
            serde_json::from_str::<RateLimitConfig>(&json).unwrap(),
            limit
        );
        let off: RateLimitConfig = serde_json::from_str(r#"{"mode":"off"}"#).unwrap();
        assert_eq!(off, RateLimitConfig::off());
        assert!(
            serde_json::from_str::<RateLimitConfig>(r#"{"mode":"custom"}"#)
                .unwrap()
                .validate()
                .is_err()
        );
        assert!(RateLimitConfig::custom(0, 1000, 1).validate().is_err());
    }
}

/// What a tenant does with attributes of a schema it does not declare in `/Schemas`
/// (the enterprise extension on a server that lists only the core schemas).
///
/// JSON: `"invalid"`, `"refuse"` or `"drop"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UndeclaredAttributes {
    /// 400 `invalidValue` naming the schema (RFC-strict; the default).
    #[default]
    Invalid,
    /// 400 `invalidPath` whose `detail` names each such attribute
    /// (`urn:…:enterprise:2.0:User:department`) a POST, PUT or PATCH carries.
    Refuse,
    /// Accepted without them: they are not stored, so no GET returns them.
    Drop,
}
