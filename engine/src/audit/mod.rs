//! Audit events: one OCSF Account Change (class 3001) JSON line per change, stored in the
//! state and written to a file or standard output. Events never carry a secret: they are
//! built only from plan data, account ids and connector error messages (which never hold
//! credentials).

mod ocsf;
mod sink;

pub use ocsf::{ChangeRecord, ChangeStatus, activity, event};
pub use sink::AuditSink;
