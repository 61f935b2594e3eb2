//! The spec format: its model and its parser.

pub mod bounds;
pub mod model;
mod parse;
pub mod rest_model;
mod spanned;

pub use parse::parse_spec;
pub use spanned::Sp;
