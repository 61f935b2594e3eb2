//! Line edits of the root `Cargo.toml`: a new connector joins `[workspace] members` and
//! `[workspace.dependencies]`, next to the other connectors. The edits keep every other
//! line (comments, order, formatting) as it is, so the xtask needs no TOML editor.

/// The workspace members, as listed in `members = [...]` (one quoted path a line, or
/// several on one line).
pub(super) fn members(manifest: &str) -> Result<Vec<String>, String> {
    let (start, end) = members_lines(manifest)?;
    let lines: Vec<&str> = manifest.lines().collect();
    let mut found = Vec::new();
    for line in &lines[start..=end] {
        let mut rest = line.split('#').next().unwrap_or_default();
        while let Some(open) = rest.find('"') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('"') else { break };
            found.push(after[..close].to_owned());
            rest = &after[close + 1..];
        }
    }
    Ok(found)
}

/// `manifest` with `connectors/<app>` added to the members and `package` to the
/// workspace dependencies, each after the last connector already there.
pub(super) fn add_connector(manifest: &str, app: &str, package: &str) -> Result<String, String> {
    let dir = format!("connectors/{app}");
    if members(manifest)?.contains(&dir) {
        return Err(format!(
            "Cargo.toml already lists `{dir}` among the members"
        ));
    }
    let mut lines: Vec<String> = manifest.lines().map(str::to_owned).collect();
    if lines.iter().any(|l| declares(l, package)) {
        return Err(format!(
            "Cargo.toml already declares the dependency `{package}`"
        ));
    }

    // [workspace.dependencies] first (it is below the members, so indexes stay valid).
    let section = lines
        .iter()
        .position(|l| l.trim() == "[workspace.dependencies]")
        .ok_or("Cargo.toml has no [workspace.dependencies] table")?;
    let section_end = lines[section + 1..]
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .map_or(lines.len(), |i| section + 1 + i);
    let last_connector = (section + 1..section_end)
        .rev()
        .find(|&i| lines[i].contains("path = \"connectors/"));
    let version = last_connector
        .and_then(|i| quoted_after(&lines[i], "version = "))
        .or_else(|| package_version(manifest))
        .ok_or(
            "cannot tell the version for the new dependency: no connector dependency \
                with a `version` and no [workspace.package] version in Cargo.toml",
        )?;
    let dependency = format!("{package} = {{ path = \"{dir}\", version = \"{version}\" }}");
    lines.insert(last_connector.unwrap_or(section) + 1, dependency);

    let (start, end) = members_lines(manifest)?;
    let last_member = (start..=end)
        .rev()
        .find(|&i| lines[i].trim_start().starts_with("\"connectors/"));
    match last_member {
        Some(i) => {
            let indent: String = lines[i].chars().take_while(|c| c.is_whitespace()).collect();
            lines.insert(i + 1, format!("{indent}\"{dir}\","));
        }
        None if start == end => {
            return Err(
                "Cargo.toml lists its members on one line; list one a line and try again"
                    .to_owned(),
            );
        }
        None => lines.insert(end, format!("    \"{dir}\",")),
    }

    let mut out = lines.join("\n");
    out.push('\n');
    Ok(out)
}

/// Whether `line` declares the dependency `package` (`name = ...` or `name.workspace`).
fn declares(line: &str, package: &str) -> bool {
    line.trim_start()
        .strip_prefix(package)
        .is_some_and(|rest| rest.starts_with([' ', '=', '.']))
}

/// The first and last line index of `members = [...]`.
fn members_lines(manifest: &str) -> Result<(usize, usize), String> {
    let lines: Vec<&str> = manifest.lines().collect();
    let start = lines
        .iter()
        .position(|l| {
            let l = l.trim_start();
            l.starts_with("members") && l.contains('[')
        })
        .ok_or("Cargo.toml has no `members = [` in its [workspace] table")?;
    let end = (start..lines.len())
        .find(|&i| lines[i].split('#').next().unwrap_or_default().contains(']'))
        .ok_or("Cargo.toml: the `members` list is not closed with `]`")?;
    Ok((start, end))
}

/// The first quoted value after `key` on `line`.
fn quoted_after(line: &str, key: &str) -> Option<String> {
    let rest = &line[line.find(key)? + key.len()..];
    let rest = rest.strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_owned())
}

/// `version` of `[workspace.package]`.
fn package_version(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[workspace.package]";
        } else if in_package && line.starts_with("version") {
            return quoted_after(line, "= ").or_else(|| quoted_after(line, "="));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"[workspace]
resolver = "3"
members = [
    "connector-sdk",
    "connectors/chatgpt",
    "connectors/box",
    "sandbox",
]

[workspace.package]
version = "0.1.0"

[workspace.dependencies]
# Internal crates.
connector-sdk = { path = "connector-sdk", version = "0.1.0" }
connector-chatgpt = { path = "connectors/chatgpt", version = "0.2.0" }
connector-box = { path = "connectors/box", version = "0.2.0" }
connector-sandbox = { path = "sandbox", version = "0.1.0" }

# Runtime.
serde = "1"
"#;

    #[test]
    fn a_connector_joins_the_members_and_the_dependencies_after_the_last_one() {
        let updated = add_connector(MANIFEST, "acme", "connector-acme").unwrap();
        assert!(
            updated
                .contains("    \"connectors/box\",\n    \"connectors/acme\",\n    \"sandbox\",\n")
        );
        assert!(updated.contains(
            "connector-box = { path = \"connectors/box\", version = \"0.2.0\" }\n\
             connector-acme = { path = \"connectors/acme\", version = \"0.2.0\" }\n\
             connector-sandbox"
        ));
        assert_eq!(updated.lines().count(), MANIFEST.lines().count() + 2);
        assert!(
            members(&updated)
                .unwrap()
                .contains(&"connectors/acme".to_owned())
        );
    }

    #[test]
    fn the_first_connector_goes_at_the_end_of_each_list() {
        let manifest = "[workspace]\nmembers = [\n    \"cli\",\n]\n\n[workspace.package]\nversion = \"0.3.0\"\n\n[workspace.dependencies]\nserde = \"1\"\n";
        let updated = add_connector(manifest, "acme", "connector-acme").unwrap();
        assert!(
            updated.contains("    \"cli\",\n    \"connectors/acme\",\n]"),
            "{updated}"
        );
        assert!(updated.contains(
            "[workspace.dependencies]\nconnector-acme = { path = \"connectors/acme\", version = \"0.3.0\" }\nserde"
        ), "{updated}");
    }

    #[test]
    fn a_connector_that_is_already_there_is_refused() {
        let error = add_connector(MANIFEST, "box", "connector-box").unwrap_err();
        assert_eq!(
            error,
            "Cargo.toml already lists `connectors/box` among the members"
        );
        let manifest = MANIFEST.replace("    \"connectors/box\",\n", "");
        let error = add_connector(&manifest, "box", "connector-box").unwrap_err();
        assert_eq!(
            error,
            "Cargo.toml already declares the dependency `connector-box`"
        );
        assert!(add_connector("[package]\n", "acme", "connector-acme").is_err());
    }
}
