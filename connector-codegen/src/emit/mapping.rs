//! `map_identity`: the directory profile to the typed User, as straight-line Rust.

use proc_macro2::TokenStream;
use quote::quote;

use super::expr::template_expr;
use super::names::{Names, field_ident, ident};
use super::user::all_targets;
use crate::catalog::Target;
use crate::ir::{AttributeModel, Model, ValueModel};

/// The body of `ScimApp::map_identity`.
pub(super) fn map_identity_body(model: &Model, names: &Names) -> TokenStream {
    let user = &names.user;
    let mut simple = Vec::new();
    let mut name_parts = Vec::new();
    let mut enterprise = Vec::new();
    let mut multi: Vec<(&'static str, Vec<(String, TokenStream)>)> = Vec::new();
    let mut user_name = quote!(::std::string::String::new());
    let mut ext_values: std::collections::BTreeMap<&str, Vec<(String, TokenStream)>> =
        Default::default();

    for attribute in &model.attributes {
        let value = value_expr(attribute);
        match &attribute.target {
            Target::Simple {
                scim: "userName", ..
            } => {
                let mapping = &attribute.source_text;
                user_name = quote!(::connector_sdk::mapping::required(#value, "userName", #mapping, &who.id)?);
            }
            Target::Simple { field, .. } => {
                let f = ident(field);
                simple.push(quote!(#f: #value,));
            }
            Target::Name { field, .. } => {
                let f = ident(field);
                name_parts.push(quote!(#f: #value,));
            }
            Target::Enterprise {
                field: "manager", ..
            } => {
                enterprise.push(
                    quote!(manager: (#value).map(|value| ::connector_sdk::scim::Manager {
                    value: ::std::option::Option::Some(value),
                    display_name: ::std::option::Option::None,
                }),),
                );
            }
            Target::Enterprise { field, .. } => {
                let f = ident(field);
                enterprise.push(quote!(#f: #value,));
            }
            Target::Multi { field, kind, .. } => match multi.iter_mut().find(|(f, _)| f == field) {
                Some((_, values)) => values.push((kind.clone(), value)),
                None => multi.push((field, vec![(kind.clone(), value)])),
            },
            Target::Rest { .. } => {}
            Target::Extension { alias, scim, .. } => {
                ext_values
                    .entry(alias.as_str())
                    .or_default()
                    .push((scim.clone(), value));
            }
        }
    }
    for target in &model.license_only_targets {
        if let Target::Simple { field, .. } = target {
            let f = ident(field);
            simple.push(quote!(#f: ::std::option::Option::None,));
        }
    }

    let mut fields = vec![
        quote!(schemas: <Self as ::connector_sdk::scim::ScimApp>::USER_SCHEMAS.iter().map(|s| ::std::string::String::from(*s)).collect(),),
        quote!(id: ::std::option::Option::None,),
        quote!(user_name: #user_name,),
        quote!(active: ::std::option::Option::Some(true),),
        quote!(meta: ::std::option::Option::None,),
    ];
    fields.extend(simple);
    if !name_parts.is_empty() {
        fields.push(quote! {
            name: {
                let name = ::connector_sdk::scim::Name { #(#name_parts)* ..::std::default::Default::default() };
                (!name.is_empty()).then_some(name)
            },
        });
    }
    for (field, values) in multi {
        let f = ident(field);
        let pushes = values.iter().map(|(kind, value)| {
            quote! {
                if let ::std::option::Option::Some(value) = #value {
                    let primary = values.is_empty();
                    values.push(::connector_sdk::scim::MultiValue {
                        value,
                        kind: ::std::option::Option::Some(::std::string::String::from(#kind)),
                        primary: ::std::option::Option::Some(primary),
                    });
                }
            }
        });
        fields.push(quote!(#f: { let mut values = ::std::vec::Vec::new(); #(#pushes)* values },));
    }
    let has_enterprise = all_targets(model)
        .iter()
        .any(|t| matches!(t, Target::Enterprise { .. }));
    if has_enterprise {
        fields.push(quote! {
            enterprise: {
                let enterprise = ::connector_sdk::scim::EnterpriseUser { #(#enterprise)* ..::std::default::Default::default() };
                (!enterprise.is_empty()).then_some(enterprise)
            },
        });
    }
    for ext in &model.extensions {
        let f = ident(&ext.alias);
        let ty = names.extension(&ext.alias);
        let values = ext_values.remove(ext.alias.as_str()).unwrap_or_default();
        let assigns = values.iter().map(|(scim, value)| {
            let field = field_ident(scim);
            quote!(#field: #value,)
        });
        let rest = (values.len() < ext.attributes.len())
            .then(|| quote!(..::std::default::Default::default()));
        fields.push(quote! {
            #f: {
                let extension = #ty { #(#assigns)* #rest };
                (extension != #ty::default()).then_some(extension)
            },
        });
    }
    quote!(::std::result::Result::Ok(#user { #(#fields)* }))
}

/// The `Option<T>` expression of one mapped attribute.
pub(super) fn value_expr(attribute: &AttributeModel) -> TokenStream {
    match &attribute.value {
        ValueModel::Template(template) => template_expr(template),
        ValueModel::Boolean(b) => quote!(::std::option::Option::Some(#b)),
        ValueModel::Integer(i) => quote!(::std::option::Option::Some(#i)),
    }
}
