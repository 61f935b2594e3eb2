//! slack connector.
