//! TLS with rustls: the server configuration built from `ssl_cert_file`
//! and `ssl_key_file`, and the `tls-server-end-point` channel-binding data
//! SCRAM-SHA-256-PLUS needs.
//!
//! The supervisor builds the configuration at start (a bad file stops the
//! start) and children share it (fork: inherited, thread: the same `Arc`);
//! a child started by exec builds its own from the same files.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use sha2::{Digest, Sha256};

/// ALPN protocol name of PostgreSQL 17's direct TLS negotiation.
pub const ALPN_POSTGRESQL: &[u8] = b"postgresql";

/// The server's TLS configuration and its certificate's channel-binding
/// hash.
pub struct TlsServer {
    pub config: Arc<ServerConfig>,
    /// `tls-server-end-point`: SHA-256 of the server certificate (RFC 5929;
    /// the hash of the certificate's signature algorithm, SHA-256 for the
    /// usual SHA-256 and for MD5/SHA-1 signatures).
    pub end_point_hash: Vec<u8>,
}

/// Loads the certificate chain and key named by the settings (relative to
/// the data directory). The error is PostgreSQL's wording.
pub fn load(data_dir: &Path, settings: &pm_settings::Settings) -> Result<Arc<TlsServer>, String> {
    let cert_path = data_dir.join(&settings.ssl_cert_file);
    let key_path = data_dir.join(&settings.ssl_key_file);
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            format!(
                "could not load server certificate file \"{}\": {e}",
                cert_path.display()
            )
        })?;
    let Some(leaf) = certs.first() else {
        return Err(format!(
            "could not load server certificate file \"{}\": no certificate found",
            cert_path.display()
        ));
    };
    let end_point_hash = Sha256::digest(leaf.as_ref()).to_vec();
    let key = PrivateKeyDer::from_pem_file(&key_path).map_err(|e| {
        format!(
            "could not load private key file \"{}\": {e}",
            key_path.display()
        )
    })?;
    rustls::crypto::ring::sign::any_supported_type(&key).map_err(|e| {
        format!(
            "could not load private key file \"{}\": {e}",
            key_path.display()
        )
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("could not set up TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            format!(
                "private key file \"{}\" does not match server certificate \"{}\": {e}",
                key_path.display(),
                cert_path.display()
            )
        })?;
    config.alpn_protocols = vec![ALPN_POSTGRESQL.to_vec()];
    Ok(Arc::new(TlsServer {
        config: Arc::new(config),
        end_point_hash,
    }))
}
