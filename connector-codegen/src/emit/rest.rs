//! The REST side: the `RestDescription` in the manifest, the typed REST account and its
//! nested structs.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::names::{Names, field_ident, ident};
use super::user::derives;
use crate::catalog::Target;
use crate::ir::{Model, OperationModel};
use crate::spec::model::ScimType;

fn opt_str(value: &Option<String>) -> TokenStream {
    match value {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

/// `Option<RestDescription>` for the manifest.
pub(super) fn rest_description(model: &Model) -> TokenStream {
    let m = quote!(::connector_sdk::manifest);
    let Some(rest) = &model.rest else {
        return quote!(::std::option::Option::None);
    };
    let account = match &rest.account {
        Some(a) => {
            let (id, user_name, active, equals) =
                (&a.id, &a.user_name, &a.active, &a.active_equals);
            let (email, display_name) = (opt_str(&a.email), opt_str(&a.display_name));
            quote!(::std::option::Option::Some(#m::AccountPointers {
                id: #id, user_name: #user_name, email: #email, display_name: #display_name,
                active: #active, active_equals: #equals,
            }))
        }
        None => quote!(::std::option::Option::None),
    };
    let group = match &rest.group {
        Some(g) => {
            let (id, name, member_id) = (&g.id, &g.name, &g.member_id);
            let external_id = opt_str(&g.external_id);
            quote!(::std::option::Option::Some(#m::GroupPointers {
                id: #id, name: #name, external_id: #external_id, member_id: #member_id,
            }))
        }
        None => quote!(::std::option::Option::None),
    };
    let operations = rest.operations.iter().map(operation);
    quote!(::std::option::Option::Some(#m::RestDescription {
        account: #account,
        group: #group,
        operations: &[#(#operations),*],
    }))
}

fn operation(op: &OperationModel) -> TokenStream {
    let m = quote!(::connector_sdk::manifest);
    let name = ident(&heck::AsUpperCamelCase(&op.name).to_string());
    let method = ident(&heck::AsUpperCamelCase(op.method.to_lowercase()).to_string());
    let path = &op.path;
    let query = op.query.iter().map(|(k, v)| quote!((#k, #v)));
    let body = match &op.body {
        None => quote!(#m::RestBody::None),
        Some(None) => quote!(#m::RestBody::Account),
        Some(Some(json)) => quote!(#m::RestBody::Template(#json)),
    };
    let (success, not_found, conflict, done) =
        (&op.success, &op.not_found, &op.conflict, &op.already_done);
    let (items, next_cursor, next_url, total, identity) = (
        opt_str(&op.items),
        opt_str(&op.next_cursor),
        opt_str(&op.next_url),
        opt_str(&op.total),
        opt_str(&op.identity),
    );
    let done_when = op
        .already_done_when
        .iter()
        .map(|(status, text)| quote!((#status, #text)));
    let lookup = match &op.lookup {
        Some(l) => {
            let (lpath, litems, extract) = (&l.path, &l.items, &l.extract);
            let lquery = l.query.iter().map(|(k, v)| quote!((#k, #v)));
            let select = l.select.iter().map(|(k, v)| quote!((#k, #v)));
            quote!(::std::option::Option::Some(#m::RestLookup {
                path: #lpath, query: &[#(#lquery),*], items: #litems,
                select: &[#(#select),*], extract: #extract,
            }))
        }
        None => quote!(::std::option::Option::None),
    };
    quote!(#m::RestOperation {
        name: ::connector_sdk::Operation::#name,
        method: #m::HttpMethod::#method,
        path: #path,
        query: &[#(#query),*],
        body: #body,
        success: &[#(#success),*],
        not_found: &[#(#not_found),*],
        conflict: &[#(#conflict),*],
        already_done: &[#(#done),*],
        already_done_when: &[#(#done_when),*],
        items: #items,
        next_cursor: #next_cursor,
        next_url: #next_url,
        total: #total,
        lookup: #lookup,
        identity: #identity,
    })
}

/// The REST account struct (`GeminiAccount`) and one struct per nested object.
pub(super) fn account_types(model: &Model, names: &Names) -> TokenStream {
    let opt = quote!(#[serde(default, skip_serializing_if = "::std::option::Option::is_none")]);
    let derive_top = derives(false);
    let mut top = Vec::new();
    let mut nested: BTreeMap<&str, Vec<TokenStream>> = BTreeMap::new();
    for attribute in &model.attributes {
        let Target::Rest { path, kind } = &attribute.target else {
            continue;
        };
        let ty = rust_type(*kind);
        match path.split_once('.') {
            None => {
                let field = field_ident(path);
                let doc = format!("`{path}`.");
                top.push(quote!(#[doc = #doc] #opt #[serde(rename = #path)] pub #field: ::std::option::Option<#ty>,));
            }
            Some((head, tail)) => {
                let field = field_ident(tail);
                let doc = format!("`{path}`.");
                nested.entry(head).or_default().push(quote!(#[doc = #doc] #opt #[serde(rename = #tail)] pub #field: ::std::option::Option<#ty>,));
            }
        }
    }
    let mut structs = Vec::new();
    for (head, fields) in &nested {
        let ty = names.rest_nested(head);
        let field = field_ident(head);
        let doc = format!("`{head}`.");
        top.push(quote!(#[doc = #doc] #opt #[serde(rename = #head)] pub #field: ::std::option::Option<#ty>,));
        let derive = derives(true);
        let struct_doc = format!("The `{head}` object of a {} account.", model.display_name);
        structs.push(quote!(#[doc = #struct_doc] #derive pub struct #ty { #(#fields)* }));
    }
    let account = &names.user;
    let doc = format!(
        "A {} account as its API holds it (generated from the spec).",
        model.display_name
    );
    quote! {
        #[doc = #doc]
        #derive_top
        pub struct #account { #(#top)* }
        #(#structs)*
    }
}

fn rust_type(kind: ScimType) -> TokenStream {
    match kind {
        ScimType::String | ScimType::DateTime => quote!(::std::string::String),
        ScimType::Boolean => quote!(bool),
        ScimType::Integer => quote!(i64),
    }
}

/// The body of `RestApp::map_identity`.
pub(super) fn map_identity_body(
    model: &Model,
    names: &Names,
    value_expr: impl Fn(&crate::ir::AttributeModel) -> TokenStream,
) -> TokenStream {
    let account = &names.user;
    let user_name_path = model
        .rest
        .as_ref()
        .and_then(|r| r.account.as_ref())
        .map(|a| a.user_name.trim_start_matches('/').replace('/', "."))
        .unwrap_or_default();
    let mut top = Vec::new();
    let mut nested: BTreeMap<&str, Vec<TokenStream>> = BTreeMap::new();
    for attribute in &model.attributes {
        let Target::Rest { path, .. } = &attribute.target else {
            continue;
        };
        let mut value = value_expr(attribute);
        if *path == user_name_path {
            let mapping = &attribute.source_text;
            value = quote!(::std::option::Option::Some(::connector_sdk::mapping::required(#value, #path, #mapping, &who.id)?));
        }
        match path.split_once('.') {
            None => {
                let field = field_ident(path);
                top.push(quote!(#field: #value,));
            }
            Some((head, tail)) => {
                let field = field_ident(tail);
                nested
                    .entry(head)
                    .or_default()
                    .push(quote!(#field: #value,));
            }
        }
    }
    for (head, fields) in &nested {
        let ty = names.rest_nested(head);
        let field = field_ident(head);
        top.push(quote! {
            #field: {
                let object = #ty { #(#fields)* };
                (object != #ty::default()).then_some(object)
            },
        });
    }
    quote!(::std::result::Result::Ok(#account { #(#top)* }))
}
