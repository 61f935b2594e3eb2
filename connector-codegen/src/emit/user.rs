//! The service's typed SCIM User and its vendor extension structs.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::names::Names;
use crate::catalog::{ENTERPRISE_URN, Target};
use crate::ir::Model;
use crate::spec::model::ScimType;

/// `#[derive]` and crate-path attributes every generated type carries.
pub(super) fn derives(extra_default: bool) -> TokenStream {
    let default = extra_default.then(|| quote!(::std::default::Default,));
    quote! {
        #[derive(
            ::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, #default
            ::connector_sdk::__private::serde::Serialize,
            ::connector_sdk::__private::serde::Deserialize,
            ::connector_sdk::__private::schemars::JsonSchema
        )]
        #[serde(crate = "::connector_sdk::__private::serde")]
        #[schemars(crate = "::connector_sdk::__private::schemars")]
    }
}

/// Every target the typed User holds: mapped attributes, then licence-only ones.
pub(super) fn all_targets(model: &Model) -> Vec<&Target> {
    model
        .attributes
        .iter()
        .map(|a| &a.target)
        .chain(model.license_only_targets.iter())
        .collect()
}

/// The User struct and one struct per vendor extension.
pub(super) fn user_types(model: &Model, names: &Names) -> TokenStream {
    let targets = all_targets(model);
    let user = &names.user;
    let derive = derives(false);
    let opt = quote!(#[serde(default, skip_serializing_if = "::std::option::Option::is_none")]);
    let vec = quote!(#[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]);

    let mut fields = Vec::new();
    fields.push(quote! {
        /// The schemas the resource carries.
        #vec
        pub schemas: ::std::vec::Vec<::std::string::String>,
        /// The service's id (absent before creation).
        #opt
        pub id: ::std::option::Option<::std::string::String>,
        /// SCIM `userName`: the unique sign-in name.
        #[serde(rename = "userName")]
        pub user_name: ::std::string::String,
    });
    let mut seen = std::collections::BTreeSet::new();
    for target in &targets {
        match target {
            Target::Simple { scim, field } if *scim != "userName" && seen.insert(*field) => {
                let ident = format_ident!("{}", field);
                let doc = format!("SCIM `{scim}`.");
                fields.push(quote! { #[doc = #doc] #opt #[serde(rename = #scim)] pub #ident: ::std::option::Option<::std::string::String>, });
            }
            Target::Name { .. } if seen.insert("name") => {
                fields.push(quote! { /// SCIM `name`.
                    #opt pub name: ::std::option::Option<::connector_sdk::scim::Name>, });
            }
            Target::Multi { scim, field, .. } if seen.insert(field) => {
                let ident = format_ident!("{}", field);
                let doc = format!("SCIM `{scim}`.");
                fields.push(quote! { #[doc = #doc] #vec #[serde(rename = #scim)] pub #ident: ::std::vec::Vec<::connector_sdk::scim::MultiValue>, });
            }
            _ => {}
        }
    }
    fields.push(quote! {
        /// Whether the account can sign in.
        #opt
        pub active: ::std::option::Option<bool>,
    });
    if targets
        .iter()
        .any(|t| matches!(t, Target::Enterprise { .. }))
    {
        fields.push(quote! {
            /// The enterprise extension.
            #opt
            #[serde(rename = #ENTERPRISE_URN)]
            pub enterprise: ::std::option::Option<::connector_sdk::scim::EnterpriseUser>,
        });
    }
    let mut extension_structs = Vec::new();
    for ext in &model.extensions {
        let ident = format_ident!("{}", ext.alias);
        let ty = names.extension(&ext.alias);
        let urn = &ext.urn;
        let doc = format!("The `{urn}` extension: {}", ext.description);
        fields.push(quote! { #[doc = #doc] #opt #[serde(rename = #urn)] pub #ident: ::std::option::Option<#ty>, });
        let ext_fields = ext.attributes.iter().map(|(name, kind, description)| {
            let field = super::names::field_ident(name);
            let rust_ty = match kind {
                ScimType::String | ScimType::DateTime => quote!(::std::string::String),
                ScimType::Boolean => quote!(bool),
                ScimType::Integer => quote!(i64),
            };
            quote! { #[doc = #description] #opt #[serde(rename = #name)] pub #field: ::std::option::Option<#rust_ty>, }
        });
        let ext_derive = derives(true);
        let struct_doc = format!("{} (`{urn}`).", ext.name);
        extension_structs.push(quote! {
            #[doc = #struct_doc]
            #ext_derive
            pub struct #ty { #(#ext_fields)* }
        });
    }
    fields.push(quote! {
        /// Metadata the server maintains.
        #opt
        pub meta: ::std::option::Option<::connector_sdk::scim::Meta>,
    });
    let doc = format!(
        "A {} account as its SCIM API holds it (generated from the spec).",
        model.display_name
    );
    quote! {
        #[doc = #doc]
        #derive
        pub struct #user { #(#fields)* }
        #(#extension_structs)*
    }
}
