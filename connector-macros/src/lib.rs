//! # connector-macros
//!
//! `connector!("connector.toml")` reads a connector spec at compile time and expands to
//! the typed connector: the service's SCIM User struct, the mapping from the directory
//! profile, the manifest and an implementation of `connector_sdk::scim::ScimApp`.
//!
//! A thin shell over the `connector-codegen` library: it resolves the path, reads the
//! file, and turns every spec problem into a compile error that names the spec file, line
//! and column. Use it through `connector_sdk::connector!`.

use std::path::{Path, PathBuf};

use proc_macro::TokenStream;
use quote::quote;
use syn::LitStr;

/// Generates a connector from the spec at the given path.
///
/// A relative path is resolved against the crate root (`CARGO_MANIFEST_DIR`), or, when no
/// such file is there, against the folder of the file that invokes the macro.
///
/// ```ignore
/// connector_sdk::connector!("connector.toml");
/// ```
#[proc_macro]
pub fn connector(input: TokenStream) -> TokenStream {
    let literal = syn::parse_macro_input!(input as LitStr);
    expand(&literal)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn expand(literal: &LitStr) -> syn::Result<proc_macro2::TokenStream> {
    let path =
        resolve(&literal.value()).map_err(|message| syn::Error::new(literal.span(), message))?;
    let shown = display_path(&path);
    let source = std::fs::read_to_string(&path).map_err(|e| {
        syn::Error::new(
            literal.span(),
            format!("cannot read connector spec {shown}: {e}"),
        )
    })?;
    let tokens = connector_codegen::generate(&source, &shown).map_err(|errors| {
        let mut rendered = errors.rendered().into_iter();
        let first = rendered
            .next()
            .unwrap_or_else(|| format!("{shown}: invalid spec"));
        let mut combined = syn::Error::new(literal.span(), first);
        for message in rendered {
            combined.combine(syn::Error::new(literal.span(), message));
        }
        combined
    })?;
    let tracked = path.to_string_lossy().into_owned();
    Ok(quote! {
        // Makes cargo rebuild the crate when the spec changes.
        const _: &[u8] = ::core::include_bytes!(#tracked);
        #tokens
    })
}

/// Finds the spec: as given when absolute; else under `CARGO_MANIFEST_DIR`; else next to
/// the invoking file.
fn resolve(given: &str) -> Result<PathBuf, String> {
    let given_path = Path::new(given);
    if given_path.is_absolute() {
        return Ok(given_path.to_owned());
    }
    let mut tried = Vec::new();
    if let Some(root) = std::env::var_os("CARGO_MANIFEST_DIR") {
        let candidate = Path::new(&root).join(given_path);
        if candidate.is_file() {
            return Ok(candidate);
        }
        tried.push(candidate);
    }
    if let Some(dir) = proc_macro::Span::call_site().local_file().and_then(|f| {
        let file = if f.is_absolute() {
            f
        } else {
            std::env::current_dir().ok()?.join(f)
        };
        file.parent().map(Path::to_owned)
    }) {
        let candidate = dir.join(given_path);
        if candidate.is_file() {
            return Ok(candidate);
        }
        tried.push(candidate);
    }
    let tried: Vec<String> = tried.iter().map(|p| display_path(p)).collect();
    Err(format!(
        "cannot find connector spec `{given}` (looked for {})",
        tried.join(" and ")
    ))
}

/// The path relative to the compiler's working directory (the workspace root under
/// cargo) when it lies below it, so messages read `connectors/zoom/connector.toml`.
fn display_path(path: &Path) -> String {
    let clean: PathBuf = path.components().collect();
    std::env::current_dir()
        .ok()
        .and_then(|cwd| clean.strip_prefix(&cwd).ok().map(Path::to_owned))
        .unwrap_or(clean)
        .display()
        .to_string()
}
