//! SCIM 2.0 (RFC 7643/7644): the service description generated code implements and the shared value types.

mod app;

pub use app::*;
