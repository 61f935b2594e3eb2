//! Spec parsing and code generation.
