//! The empty- and shrinking-source guard: a run stops before planning anything when the
//! directory came back empty or lost more than a configured share of its people since
//! the last completed run.

use std::fmt;

use serde::Serialize;

/// Why the guard stopped the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceStop {
    /// The source returned no people at all.
    Empty,
    /// The source shrank by more than the allowed share.
    Shrank {
        /// People at the last completed run.
        previous: u64,
        /// People now.
        current: u64,
        /// The largest share (0..1) allowed to disappear between two runs.
        max_shrink: f64,
    },
}

impl fmt::Display for SourceStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str(
                "the directory source returned no people; refusing to plan \
                 (an empty listing usually means a broken source, not that everyone left)",
            ),
            Self::Shrank {
                previous,
                current,
                max_shrink,
            } => write!(
                f,
                "the directory shrank from {previous} to {current} people since the last run \
                 (more than the allowed {:.0}%); refusing to plan. If this is real, rerun with \
                 --accept-source-shrink",
                max_shrink * 100.0
            ),
        }
    }
}

impl std::error::Error for SourceStop {}

/// Checks `current` people against the size at the last completed run.
///
/// An empty source always stops; a source that lost more than `max_shrink` (a share,
/// 0.2 = 20%) of `previous` stops unless `accept_shrink`.
///
/// # Errors
///
/// The [`SourceStop`] saying why.
pub fn check_size(
    previous: Option<u64>,
    current: u64,
    max_shrink: f64,
    accept_shrink: bool,
) -> Result<(), SourceStop> {
    if current == 0 {
        return Err(SourceStop::Empty);
    }
    match previous {
        Some(previous) if !accept_shrink && current < previous => {
            let lost = (previous - current) as f64 / previous as f64;
            if lost > max_shrink {
                return Err(SourceStop::Shrank {
                    previous,
                    current,
                    max_shrink,
                });
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_always_stops_and_shrink_stops_past_the_share() {
        assert_eq!(check_size(None, 0, 0.2, true), Err(SourceStop::Empty));
        assert!(check_size(None, 5, 0.2, false).is_ok());
        assert!(check_size(Some(10), 8, 0.2, false).is_ok());
        assert!(matches!(
            check_size(Some(10), 7, 0.2, false),
            Err(SourceStop::Shrank {
                previous: 10,
                current: 7,
                ..
            })
        ));
        assert!(check_size(Some(10), 7, 0.2, true).is_ok());
        assert!(check_size(Some(10), 30, 0.2, false).is_ok());
    }
}
