//! The `MANIFEST` static: everything the spec declares, as `connector_sdk::manifest` values.

use std::fmt::Debug;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::expr::template_const;
use crate::ir::{Model, ValueModel};
use crate::spec::model::{AuthKind, ScimType};

/// `::connector_sdk::manifest::<Enum>::<Variant>` for a vocabulary value (the SDK
/// re-exports the same enums codegen deserialized the spec into).
fn variant(value: impl Debug) -> TokenStream {
    let name = std::any::type_name_of_val(&value)
        .rsplit("::")
        .next()
        .unwrap_or_default();
    let (ty, variant) = (format_ident!("{name}"), format_ident!("{value:?}"));
    quote!(::connector_sdk::manifest::#ty::#variant)
}

fn opt_str(value: &Option<String>) -> TokenStream {
    match value {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

/// The manifest expression.
pub(super) fn manifest_expr(model: &Model) -> TokenStream {
    let m = quote!(::connector_sdk::manifest);
    let (name, display_name, vendor, product, docs_url) = (
        &model.name,
        &model.display_name,
        &model.vendor,
        &model.product,
        &model.docs_url,
    );
    let (plan_sso, plan_provisioning) = (&model.plan_sso, &model.plan_provisioning);
    let variables = model.variables.iter().map(|(n, d, e, default)| {
        let default = opt_str(default);
        quote!(#m::Variable { name: #n, description: #d, example: #e, default: #default })
    });
    let auth = match model.auth.kind {
        AuthKind::Bearer => {
            let env = &model.auth.token_env;
            quote!(#m::Auth::Bearer { token_env: #env })
        }
        AuthKind::ServiceAccountJwt => {
            let a = &model.auth;
            let (url, key_env, scopes) = (&a.token_url, &a.key_env, &a.scopes);
            let subject = opt_str(&a.subject);
            quote!(#m::Auth::ServiceAccountJwt {
                token_url: #url, key_env: #key_env, subject: #subject, scopes: &[#(#scopes),*],
            })
        }
        AuthKind::OAuth2ClientCredentials => {
            let a = &model.auth;
            let (url, grant, id, secret) = (
                &a.token_url,
                &a.grant_type,
                &a.client_id_env,
                &a.client_secret_env,
            );
            let scopes = &a.scopes;
            let params = a.params.iter().map(|(k, v)| quote!((#k, #v)));
            quote!(#m::Auth::OAuth2ClientCredentials {
                token_url: #url, grant_type: #grant, client_id_env: #id, client_secret_env: #secret,
                scopes: &[#(#scopes),*], params: &[#(#params),*],
            })
        }
    };
    let protocol = variant(model.protocol);
    let base_url = &model.base_url;
    let capabilities = model.capabilities.iter().map(|c| variant(*c));
    let d = &model.dialect;
    let (update, deactivate) = (variant(d.update), variant(d.deactivate));
    let patch_style = variant(d.patch_style);
    let filter = opt_str(&d.filter);
    let page_size = d.page_size;
    let group_members_per_request = d.group_members_per_request;
    let group_members_listed = d.group_members_listed;
    let user_agent = opt_str(&d.user_agent);
    let rate_limit = match &model.rate_limit {
        Some(r) => {
            let (requests, period_ms, burst) = (r.requests, r.period_ms, r.burst);
            quote!(::std::option::Option::Some(#m::RateLimit { requests: #requests, period_ms: #period_ms, burst: #burst }))
        }
        None => quote!(::std::option::Option::None),
    };
    let attributes = model.attributes.iter().map(|a| {
        let path = a.target.display_path();
        let scim_type = match (&a.value, a.target.kind()) {
            (_, ScimType::Boolean) | (ValueModel::Boolean(_), _) => "boolean",
            (_, ScimType::Integer) | (ValueModel::Integer(_), _) => "integer",
            (_, ScimType::DateTime) => "dateTime",
            _ => "string",
        };
        let (mapping, reads) = match &a.value {
            ValueModel::Template(template) => (template_const(template), template.reads()),
            _ => (template_const(&constant(&a.source_text)), Vec::new()),
        };
        let (create_only, sensitive) = (a.create_only, a.sensitive);
        quote!(#m::Attribute {
            path: #path, scim_type: #scim_type, mapping: #mapping, reads: &[#(#reads),*],
            create_only: #create_only, sensitive: #sensitive,
        })
    });
    let licenses = model.licenses.iter().map(|sku| {
        let (sku_name, sku_display) = (&sku.name, &sku.display_name);
        let mode = variant(sku.mode);
        let attribute = match &sku.attribute {
            Some((target, assign, revoke)) => {
                let path = target.patch_path();
                quote!(::std::option::Option::Some(#m::LicenseAttribute { path: #path, assign: #assign, revoke: #revoke }))
            }
            None => quote!(::std::option::Option::None),
        };
        let group = opt_str(&sku.group);
        let instructions = opt_str(&sku.instructions);
        let console_url = opt_str(&sku.console_url);
        let params = sku.params.iter().map(|(k, v)| quote!((#k, #v)));
        quote!(#m::LicenseSku {
            name: #sku_name, display_name: #sku_display, mode: #mode, attribute: #attribute,
            group: #group, instructions: #instructions, console_url: #console_url,
            params: &[#(#params),*],
        })
    });
    let throttle = model
        .throttle
        .iter()
        .map(|(status, text)| quote!(#m::ThrottleRule { status: #status, body_contains: #text }));
    let rest = super::rest::rest_description(model);
    let s = &model.sso;
    let protocols = s.protocols.iter().map(|p| variant(*p));
    let sp_only = s.sp_initiated_only;
    let (login_url, acs_url, entity_id) = (
        opt_str(&s.login_url),
        opt_str(&s.acs_url),
        opt_str(&s.entity_id),
    );
    let name_id = s.name_id_format.urn();
    let sso_attributes = s.attributes.iter().map(|(k, v)| {
        let v = template_const(v);
        quote!((#k, #v))
    });
    let federation = match &s.federation {
        Some(crate::ir::FederationModel {
            via,
            plan,
            settings,
        }) => {
            let via = variant(*via);
            let settings = settings.iter().map(|(k, v)| quote!((#k, #v)));
            quote!(::std::option::Option::Some(#m::Federation { via: #via, plan: #plan, settings: &[#(#settings),*] }))
        }
        None => quote!(::std::option::Option::None),
    };
    let sources = model
        .sources
        .iter()
        .map(|(about, url)| quote!(#m::Source { about: #about, url: #url }));
    quote! {
        #m::Manifest {
            name: #name,
            display_name: #display_name,
            vendor: #vendor,
            product: #product,
            docs_url: #docs_url,
            plan: #m::Plan { sso: #plan_sso, provisioning: #plan_provisioning },
            variables: &[#(#variables),*],
            auth: #auth,
            provisioning: #m::Provisioning {
                protocol: #protocol,
                base_url: #base_url,
                capabilities: &[#(#capabilities),*],
                dialect: #m::ScimDialect {
                    update: #update,
                    deactivate: #deactivate,
                    patch_style: #patch_style,
                    filter_attribute: #filter,
                    page_size: #page_size,
                    user_agent: #user_agent,
                    group_members_per_request: #group_members_per_request,
                    group_members_listed: #group_members_listed,
                },
                rate_limit: #rate_limit,
                throttle: &[#(#throttle),*],
                rest: #rest,
            },
            attributes: &[#(#attributes),*],
            licenses: &[#(#licenses),*],
            sso: #m::Sso {
                protocols: &[#(#protocols),*],
                sp_initiated_only: #sp_only,
                login_url: #login_url,
                acs_url: #acs_url,
                entity_id: #entity_id,
                name_id_format: #name_id,
                attributes: &[#(#sso_attributes),*],
                federation: #federation,
            },
            sources: &[#(#sources),*],
        }
    }
}

/// A constant (`true`, `42`) as a template of one literal.
fn constant(text: &str) -> crate::template::Template {
    crate::template::Template {
        source: text.to_owned().into(),
        parts: vec![crate::template::Part::Text(text.to_owned().into())].into(),
    }
}
