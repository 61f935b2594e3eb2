//! `exclude_attributes` of an instance: mapping keys (as the connector's `[mapping]`
//! writes them, or as SCIM paths) resolved to the manifest's attributes.

use connector_sdk::Manifest;
use connector_sdk::attribute_key::{mapping_key, written_path};
use serde_spanned::Spanned;

use super::diag::Diagnostics;
use super::suggest;

/// The manifest attribute paths `keys` name; each unknown key, or a key that would
/// split one written attribute (`emails.work` while `emails.home` is kept), is an
/// error at its span.
pub(super) fn resolve(
    keys: &[Spanned<String>],
    manifest: &Manifest,
    diags: &mut Diagnostics,
) -> Vec<&'static str> {
    let mut paths: Vec<&'static str> = Vec::new();
    for key in keys {
        let wanted = key.get_ref().trim();
        let found: Vec<&'static str> = manifest
            .attributes
            .iter()
            .map(|a| a.path)
            .filter(|path| {
                mapping_key(path) == wanted || *path == wanted || written_path(path) == wanted
            })
            .collect();
        if found.is_empty() {
            diags.error(key.span(), unknown(manifest, wanted));
            continue;
        }
        for path in found {
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
    }
    // The connector writes a multi-valued attribute whole: exclude all of it or none.
    for key in keys {
        let wanted = key.get_ref().trim();
        let Some(path) = paths
            .iter()
            .find(|p| mapping_key(p) == wanted || **p == wanted)
        else {
            continue;
        };
        let written = written_path(path);
        let kept: Vec<String> = manifest
            .attributes
            .iter()
            .filter(|a| written_path(a.path) == written && !paths.contains(&a.path))
            .map(|a| format!("`{}`", mapping_key(a.path)))
            .collect();
        if !kept.is_empty() {
            diags.error(
                key.span(),
                format!(
                    "{} writes `{written}` as one attribute: exclude {} too, or write `{written}`",
                    manifest.name,
                    kept.join(", ")
                ),
            );
        }
    }
    paths
}

/// The message for a key the connector does not map.
fn unknown(manifest: &Manifest, key: &str) -> String {
    let keys: Vec<String> = manifest
        .attributes
        .iter()
        .map(|a| mapping_key(a.path))
        .collect();
    let closest = suggest::closest(key, keys.iter().map(String::as_str))
        .map(|k| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default();
    format!(
        "{} maps no attribute `{key}`{closest}; it maps: {}",
        manifest.name,
        keys.join(", ")
    )
}
