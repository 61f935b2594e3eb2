//! Files derived from the specs: written by `cargo xtask gen`, checked by
//! `cargo xtask check` (and by tests), in the rust-analyzer "sourcegen" style.

use std::fs;
use std::path::Path;

/// Writes `contents` to `root/relative`, or with `check` fails naming the file when the
/// committed copy differs. Returns whether the file changed (or would change).
pub(crate) fn ensure_file(
    root: &Path,
    relative: &str,
    contents: &str,
    check: bool,
) -> Result<bool, String> {
    let path = root.join(relative);
    let current = fs::read_to_string(&path).ok();
    if current.as_deref() == Some(contents) {
        println!("gen: {relative} is up to date");
        return Ok(false);
    }
    if check {
        return Err(format!(
            "{relative} is {}; run `cargo xtask gen` and commit it",
            if current.is_some() {
                "stale"
            } else {
                "missing"
            }
        ));
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    fs::write(&path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("gen: wrote {relative}");
    Ok(true)
}

/// What `connector <args>` prints: the CLI renders what needs every connector's
/// manifest (the xtask itself stays free of the connector crates).
fn cli_output(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = crate::cargo_env::cargo()
        .current_dir(root)
        .args(["run", "--quiet", "--package", "connector-toolkit", "--"])
        .args(args)
        .output()
        .map_err(|e| format!("cannot run the connector CLI: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`connector {}` failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout)
        .map_err(|e| format!("`connector {}` printed non-UTF-8: {e}", args.join(" ")))
}

/// `cargo xtask gen [--check]` and `cargo xtask check`.
pub(crate) fn run(root: &Path, args: &[String], check_only: bool) -> Result<i32, String> {
    let check = check_only
        || match args {
            [] => false,
            [flag] if flag == "--check" => true,
            [other, ..] => return Err(format!("`gen` takes only `--check` (got `{other}`)")),
        };
    ensure_file(
        root,
        crate::schema::SCHEMA_PATH,
        &connector_codegen::spec_json_schema(),
        check,
    )?;
    crate::connector_list::run(root, check)?;
    crate::cards::run(root, &cli_output(root, &["cards", "--json"])?, check)?;
    crate::readmes::run(root, check)?;
    crate::readmes::manifests(root, &cli_output(root, &["list", "--json"])?, check)?;
    ensure_file(
        root,
        "docs/SUPPORT.md",
        &cli_output(root, &["list", "--markdown"])?,
        check,
    )?;
    Ok(0)
}
