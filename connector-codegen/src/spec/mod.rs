//! The spec format: its model and its parser.

pub mod model;
mod parse;
mod spanned;

pub use parse::parse_spec;
pub use spanned::Sp;
