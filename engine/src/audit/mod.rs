//! Audit events: one OCSF Account Change (class 3001) JSON line per change and per
//! decision not to act (`decisions`), stored in the state and written to a file,
//! standard output or an HTTP collector (`deliver`, through an on-disk `spool`). Events never carry a secret: they are
//! built only from plan data, account ids and connector error messages (which never hold
//! credentials).

pub mod cards;
pub mod decisions;
mod deliver;
mod groups;
mod ocsf;
mod sink;
mod spool;

pub use deliver::{Flushed, HttpDelivery};
pub use groups::{GroupRecord, group_activity, group_event};
pub use ocsf::{ChangeRecord, ChangeStatus, activity, event};
pub use sink::AuditSink;
pub use spool::Spool;
