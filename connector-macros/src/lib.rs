//! The `connector!` macro.
use proc_macro::TokenStream;

/// Generates a connector from its spec.
#[proc_macro]
pub fn connector(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
