//! The signing key of an emulated SAML app: an RSA-2048 key and a self-signed SHA-256
//! certificate made by `openssl` when the app is created (as Okta gives each SAML app a
//! certificate of its own), and XML signatures made with Debian's `xmlsec1`.
//!
//! Both programs are found as the tests find them: `$OPENSSL_BIN` / `$XMLSEC1_BIN`, else
//! `openssl` / `xmlsec1` on `PATH`; a missing one is a clear error naming the package.
//! Keys live in memory; files exist only for the duration of one call, in a private
//! temporary folder that is removed afterwards.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

/// Days the certificate is valid.
const CERTIFICATE_DAYS: &str = "3650";

/// An app's key pair and certificate (PEM).
#[derive(Clone)]
pub(crate) struct AppKey {
    /// The private key (PKCS#8 PEM).
    key_pem: String,
    /// The certificate (PEM).
    cert_pem: String,
}

impl std::fmt::Debug for AppKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppKey").finish_non_exhaustive()
    }
}

impl AppKey {
    /// A fresh key with a certificate for `subject` (the app's id).
    pub(crate) fn generate(subject: &str) -> Result<Self, String> {
        let dir = Scratch::new()?;
        let key = dir.path().join("app.key");
        let cert = dir.path().join("app.crt");
        let cn: String = subject
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        run(Command::new(tool("OPENSSL_BIN", "openssl"))
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .args(["-subj", &format!("/O=Okta sandbox/CN={cn}")])
            .args(["-days", CERTIFICATE_DAYS, "-sha256"]))
        .map_err(|e| format!("cannot make the app's signing key: {e}"))?;
        let read = |path: &Path| {
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        Ok(Self {
            key_pem: read(&key)?,
            cert_pem: read(&cert)?,
        })
    }

    /// The certificate's DER in base64, as metadata carries it.
    pub(crate) fn cert_b64(&self) -> String {
        self.cert_pem
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect()
    }

    /// Signs the empty `ds:Signature` templates of `xml` selected by `xpaths`, in order,
    /// with `xmlsec1` (IDs on SAML `Assertion` and `Response` elements).
    pub(crate) fn sign(&self, xml: &str, xpaths: &[&str]) -> Result<String, String> {
        let dir = Scratch::new()?;
        let key = dir.path().join("app.key");
        let cert = dir.path().join("app.crt");
        write(&key, &self.key_pem)?;
        write(&cert, &self.cert_pem)?;
        let mut current = xml.to_owned();
        for (index, xpath) in xpaths.iter().enumerate() {
            let input = dir.path().join(format!("unsigned-{index}.xml"));
            let output = dir.path().join(format!("signed-{index}.xml"));
            write(&input, &current)?;
            run(Command::new(tool("XMLSEC1_BIN", "xmlsec1"))
                .arg("--sign")
                .arg("--privkey-pem")
                .arg(format!("{},{}", key.display(), cert.display()))
                .args([
                    "--id-attr:ID",
                    "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
                ])
                .args([
                    "--id-attr:ID",
                    "urn:oasis:names:tc:SAML:2.0:protocol:Response",
                ])
                .args(["--node-xpath", xpath])
                .arg("--output")
                .arg(&output)
                .arg(&input))
            .map_err(|e| format!("cannot sign the SAML Response: {e}"))?;
            current = std::fs::read_to_string(&output)
                .map_err(|e| format!("cannot read the signed Response: {e}"))?;
        }
        Ok(current)
    }
}

/// The program in `$variable`, else `name` on `PATH`.
fn tool(variable: &str, name: &str) -> PathBuf {
    std::env::var_os(variable).map_or_else(|| PathBuf::from(name), PathBuf::from)
}

/// Runs `command`; a missing program or a failure is an error that says which.
fn run(command: &mut Command) -> Result<(), String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!(
                "`{program}` is not installed (Debian: apt-get install openssl xmlsec1; or set \
                 OPENSSL_BIN / XMLSEC1_BIN)"
            ),
            _ => format!("cannot run `{program}`: {e}"),
        })?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(format!(
            "`{program}` failed ({}): {}",
            output.status,
            stderr.chars().take(400).collect::<String>().trim()
        ))
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A private temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Self, String> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("connector-sandbox-okta-{}-{n}", std::process::id()));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt as _;
            builder.mode(0o700);
        }
        builder
            .create(&path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(Self(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_program_is_named() {
        let error = run(&mut Command::new("/nonexistent/openssl-sbx")).unwrap_err();
        assert!(error.contains("is not installed"), "{error}");
        assert!(error.contains("/nonexistent/openssl-sbx"), "{error}");
    }
}
