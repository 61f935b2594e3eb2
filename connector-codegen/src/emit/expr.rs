//! Templates to Rust expressions of type `Option<String>` over `who: &Identity`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::spec::model::CustomKind;
use crate::template::{Expr, Func, Part, Template};
use connector_model::FieldKind;

/// The expression computing `template` for `who`.
pub(super) fn template_expr(template: &Template) -> TokenStream {
    let parts: Vec<TokenStream> = template
        .parts
        .iter()
        .map(|part| match part {
            Part::Text(text) => {
                let text = text.as_ref();
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
            let ident = format_ident!("{}", field.name());
            match field.kind() {
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
            let name = name.as_ref();
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
            let ident = format_ident!("{}", field.name());
            quote!(&who.#ident)
        }
        Expr::Custom { name, .. } => {
            let name = name.as_ref();
            quote!(who.custom_list(#name))
        }
        _ => unreachable_list(),
    }
}

fn literal(expr: &Expr) -> TokenStream {
    match expr {
        Expr::Str(text) => {
            let text = text.as_ref();
            quote!(#text)
        }
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

/// `template` as a constant `::connector_sdk::template::Template` (the typed AST the
/// runtime reads instead of parsing the text).
pub(super) fn template_const(template: &Template) -> TokenStream {
    let t = quote!(::connector_sdk::template);
    let cow = quote!(::std::borrow::Cow::Borrowed);
    let source = template.source.as_ref();
    let parts = template.parts.iter().map(|part| match part {
        Part::Text(text) => {
            let text = text.as_ref();
            quote!(#t::Part::Text(#cow(#text)))
        }
        Part::Expr(expr) => {
            let expr = expr_const(expr);
            quote!(#t::Part::Expr(#expr))
        }
    });
    quote!(#t::Template { source: #cow(#source), parts: #cow(&[#(#parts),*]) })
}

fn expr_const(expr: &Expr) -> TokenStream {
    let t = quote!(::connector_sdk::template);
    let cow = quote!(::std::borrow::Cow::Borrowed);
    match expr {
        Expr::Field(field) => {
            let variant = format_ident!("{field:?}");
            quote!(#t::Expr::Field(::connector_sdk::profile::Field::#variant))
        }
        Expr::Custom { name, kind } => {
            let (name, kind) = (name.as_ref(), format_ident!("{kind:?}"));
            quote!(#t::Expr::Custom { name: #cow(#name), kind: ::connector_sdk::manifest::CustomKind::#kind })
        }
        Expr::Str(text) => {
            let text = text.as_ref();
            quote!(#t::Expr::Str(#cow(#text)))
        }
        Expr::Call { func, args } => {
            let func = format_ident!("{func:?}");
            let args = args.iter().map(expr_const);
            quote!(#t::Expr::Call { func: #t::Func::#func, args: #cow(&[#(#args),*]) })
        }
    }
}
