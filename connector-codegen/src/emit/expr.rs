//! Templates to Rust expressions of type `Option<String>` over `who: &Identity`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::profile::FieldKind;
use crate::spec::model::CustomKind;
use crate::template::{Expr, Func, Part, Template};

/// The expression computing `template` for `who`.
pub fn template_expr(template: &Template) -> TokenStream {
    let parts: Vec<TokenStream> = template
        .parts
        .iter()
        .map(|part| match part {
            Part::Literal(text) => {
                quote!(::std::option::Option::Some(::std::string::String::from(#text)))
            }
            Part::Expr(expr) => text_expr(expr),
        })
        .collect();
    match parts.as_slice() {
        [] => quote!(::std::option::Option::None::<::std::string::String>),
        [single] => single.clone(),
        many => quote!(::connector_sdk::mapping::concat([#(#many),*])),
    }
}

/// A text-typed expression (`Option<String>`).
fn text_expr(expr: &Expr) -> TokenStream {
    match expr {
        Expr::Field(field) => {
            let ident = format_ident!("{}", field.name);
            match field.kind {
                FieldKind::Text => quote!(::std::option::Option::Some(who.#ident.clone())),
                FieldKind::OptionalText => quote!(who.#ident.clone()),
                FieldKind::Status => quote!(::std::option::Option::Some(
                    ::std::string::String::from(who.status.as_str())
                )),
                FieldKind::List => unreachable_list(),
            }
        }
        Expr::Custom {
            name,
            kind: CustomKind::Text,
        } => {
            quote!(who.custom_text(#name).map(::std::string::String::from))
        }
        Expr::Custom {
            kind: CustomKind::List,
            ..
        }
        | Expr::Str(_) => unreachable_list(),
        Expr::Call { func, args } => {
            let name = format_ident!("{}", func.name());
            match func {
                Func::Join => {
                    let list = list_expr(&args[0]);
                    let sep = literal(&args[1]);
                    quote!(::connector_sdk::mapping::join(#list, #sep))
                }
                Func::RandomSecret => quote!(::std::option::Option::Some(
                    ::connector_sdk::mapping::random_secret()
                )),
                Func::Default => {
                    let value = text_expr(&args[0]);
                    let fallback = literal(&args[1]);
                    quote!(::connector_sdk::mapping::default(#value, #fallback))
                }
                _ => {
                    let value = text_expr(&args[0]);
                    quote!(::connector_sdk::mapping::#name(#value))
                }
            }
        }
    }
}

/// A list-typed expression (`&[String]`).
fn list_expr(expr: &Expr) -> TokenStream {
    match expr {
        Expr::Field(field) => {
            let ident = format_ident!("{}", field.name);
            quote!(&who.#ident)
        }
        Expr::Custom { name, .. } => quote!(who.custom_list(#name)),
        _ => unreachable_list(),
    }
}

fn literal(expr: &Expr) -> TokenStream {
    match expr {
        Expr::Str(text) => quote!(#text),
        _ => unreachable_list(),
    }
}

/// The checker guarantees types; an impossible shape still generates code that fails to
/// compile with a clear message rather than panicking in the macro.
fn unreachable_list() -> TokenStream {
    quote!(::core::compile_error!(
        "connector-codegen: ill-typed template expression (please report this)"
    ))
}
