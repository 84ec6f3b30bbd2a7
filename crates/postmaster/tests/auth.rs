//! Client authentication and TLS, in every launch mode: pg_hba.conf
//! matching and reload, the password, md5 and scram-sha-256 methods with
//! psql and tokio-postgres, roles with passwords, TLS with psql's sslmode
//! variants and tokio-postgres-rustls, channel binding, direct TLS (ALPN).

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::{read_message, startup_packet, Server, MODES, STARTUP_TIMEOUT};
use nix::sys::signal::{kill, Signal};

/// Replaces pg_hba.conf and makes the server re-read it.
fn set_hba(server: &Server, text: &str) {
    fs::write(server.data_dir().join("pg_hba.conf"), text).unwrap();
    reload(server);
}

fn reload(server: &Server) {
    let before = server.log().matches("received SIGHUP").count();
    kill(server.pid(), Signal::SIGHUP).unwrap();
    common::wait_until("the reload", STARTUP_TIMEOUT, || {
        server.log().matches("received SIGHUP").count() > before
    });
    // The rules are swapped right after that line.
    std::thread::sleep(Duration::from_millis(200));
}

/// psql over TCP with a conninfo string; (success, stdout, stderr).
fn psql_tcp(
    server: &Server,
    user: &str,
    password: Option<&str>,
    extra: &str,
    sql: &str,
) -> (bool, String, String) {
    let conninfo = format!(
        "host=127.0.0.1 port={} user={user} dbname=postgres connect_timeout=10 {extra}",
        server.port
    );
    let mut cmd = Command::new("psql");
    cmd.args(["-X", "-At", "-c", sql, &conninfo])
        .env_remove("PGPASSWORD")
        .env_remove("PGSSLMODE")
        .env_remove("PGCHANNELBINDING")
        .stdin(Stdio::null());
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.output().expect("run psql");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn run_sql(server: &Server, sql: &str) {
    let (status, _, err) = server.psql(&["-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql]);
    assert!(status.success(), "{}: {sql}: {err}", server.mode);
}

const HBA_METHODS: &str = "\
local   all  all                     trust
host    all  alice   127.0.0.1/32    scram-sha-256
host    all  bob     127.0.0.1/32    password
host    all  carol   127.0.0.1/32    md5
host    all  dave    127.0.0.1/32    md5
host    all  erin    127.0.0.1/32    md5
host    all  ghost   127.0.0.1/32    scram-sha-256
host    all  frank   127.0.0.1/32    scram-sha-256
host    all  grace   127.0.0.1/32    scram-sha-256
host    all  all     127.0.0.1/32    trust
";

#[tokio::test]
async fn password_methods_accept_the_right_password_and_refuse_a_wrong_one() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        run_sql(
            &server,
            "CREATE USER alice PASSWORD 'wonder'; CREATE ROLE bob LOGIN PASSWORD 'builder'; \
             CREATE USER erin WITH PASSWORD 'e''s pw'; SET password_encryption = 'md5'; \
             CREATE USER carol ENCRYPTED PASSWORD 'cpw'; CREATE USER dave; \
             RESET password_encryption; \
             CREATE USER frank PASSWORD 'fpw' VALID UNTIL '2001-01-01 00:00:00+00'; \
             CREATE USER grace PASSWORD 'gpw' VALID UNTIL 'infinity';",
        );
        set_hba(&server, HBA_METHODS);
        let failed =
            |user: &str| format!("FATAL:  password authentication failed for user \"{user}\"");
        for (user, password, ok) in [
            ("alice", "wonder", true),
            ("alice", "Wonder", false),
            ("bob", "builder", true),
            ("bob", "nope", false),
            ("carol", "cpw", true),
            ("carol", "cpw ", false),
            // md5 for a role with a SCRAM secret runs SCRAM.
            ("erin", "e's pw", true),
            ("erin", "e pw", false),
            ("dave", "anything", false),
            ("ghost", "anything", false),
            // VALID UNTIL passed: the right password no longer logs in.
            ("frank", "fpw", false),
            ("grace", "gpw", true),
        ] {
            let (success, out, err) =
                psql_tcp(&server, user, Some(password), "", "SELECT current_user");
            if ok {
                assert!(
                    success && out == user,
                    "{mode} {user}/{password}: {out} {err}"
                );
            } else {
                assert!(
                    !success && err.contains(&failed(user)),
                    "{mode} {user}/{password}: {err}"
                );
                // The client is not told why; the log is.
                assert!(
                    !err.contains("does not exist") && !err.contains("DETAIL"),
                    "{err}"
                );
            }
        }
        let log = server.log();
        assert!(
            log.contains("DETAIL:  Role \"ghost\" does not exist."),
            "{log}"
        );
        assert!(
            log.contains("DETAIL:  User \"dave\" has no password assigned."),
            "{log}"
        );
        assert!(
            log.contains("DETAIL:  Password does not match for user \"alice\"."),
            "{log}"
        );
        assert!(
            log.contains("line 2: \"host    all  alice   127.0.0.1/32    scram-sha-256\""),
            "{log}"
        );

        // tokio-postgres: SCRAM and md5 from a second client implementation.
        for (user, password) in [("alice", "wonder"), ("carol", "cpw"), ("bob", "builder")] {
            let mut config = server.tcp_config("postgres");
            config.user(user).password(password);
            let c = server
                .try_connect_with(config)
                .await
                .unwrap_or_else(|e| panic!("{mode} {user}: {e}"));
            let who: String = c
                .query_one("SELECT current_user", &[])
                .await
                .unwrap()
                .get(0);
            assert_eq!(who, user);
        }
        let mut config = server.tcp_config("postgres");
        config.user("alice").password("wrong");
        let e = server
            .try_connect_with(config)
            .await
            .err()
            .unwrap_or_else(|| panic!("wrong password accepted"));
        assert_eq!(common::sqlstate(&e), "28P01", "{mode}: {e}");

        // A role changes its own password; the old one stops working.
        let mut config = server.tcp_config("postgres");
        config.user("alice").password("wonder");
        let alice = server.try_connect_with(config).await.unwrap();
        alice
            .batch_execute("ALTER ROLE alice PASSWORD 'looking-glass'")
            .await
            .unwrap();
        let e = alice
            .batch_execute("ALTER ROLE bob PASSWORD 'x'")
            .await
            .unwrap_err();
        assert_eq!(common::sqlstate(&e), "42501", "{mode}");
        let e = alice
            .batch_execute("ALTER ROLE alice SUPERUSER")
            .await
            .unwrap_err();
        assert_eq!(common::sqlstate(&e), "42501", "{mode}");
        assert!(
            !psql_tcp(&server, "alice", Some("wonder"), "", "SELECT 1").0,
            "{mode}"
        );
        assert!(
            psql_tcp(&server, "alice", Some("looking-glass"), "", "SELECT 1").0,
            "{mode}"
        );
        // PASSWORD NULL clears it.
        run_sql(&server, "ALTER USER alice PASSWORD NULL");
        assert!(
            !psql_tcp(&server, "alice", Some("looking-glass"), "", "SELECT 1").0,
            "{mode}"
        );
        let e = server
            .connect()
            .await
            .batch_execute("ALTER ROLE nobody PASSWORD 'x'")
            .await
            .unwrap_err();
        assert_eq!(common::sqlstate(&e), "42704", "{mode}");
    }
}

#[tokio::test]
async fn stored_passwords_are_verifiers_never_cleartext() {
    let server = Server::start("fork", &[]);
    run_sql(&server, "CREATE USER alice PASSWORD 'wonder'; SET password_encryption = 'md5'; CREATE USER bob PASSWORD 'builder'");
    let catalog = rusqlite_dump(&server.data_dir().join("global/catalog.db"));
    assert!(
        !catalog.contains("wonder") && !catalog.contains("builder"),
        "{catalog}"
    );
    assert!(catalog.contains("SCRAM-SHA-256$4096:"), "{catalog}");
    assert!(
        catalog.contains(&postgres_protocol::password::md5(b"builder", "bob")),
        "{catalog}"
    );
    // A verifier given as the password is stored as is, and works.
    let verifier = postgres_protocol::password::scram_sha_256(b"pre-hashed");
    run_sql(&server, &format!("CREATE USER carol PASSWORD '{verifier}'"));
    set_hba(
        &server,
        "local all all trust\nhost all carol 127.0.0.1/32 scram-sha-256\n",
    );
    assert!(psql_tcp(&server, "carol", Some("pre-hashed"), "", "SELECT 1").0);
}

/// The rows of pg_authid as text, read with the sqlite3-free route the
/// server itself uses: through the server's own SQL is not possible (no
/// pg_authid view), so read the file's bytes.
fn rusqlite_dump(path: &Path) -> String {
    let mut bytes = fs::read(path).unwrap_or_default();
    if let Ok(wal) = fs::read(path.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test]
async fn hba_lines_match_in_order_by_type_database_user_and_address() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        run_sql(&server, "CREATE ROLE blocked LOGIN");
        run_sql(&server, "CREATE DATABASE other");
        set_hba(
            &server,
            "local all all trust\n\
             host all blocked 127.0.0.1/32 reject\n\
             host other all 127.0.0.0/8 reject\n\
             host all all 10.0.0.0/8 trust\n\
             host \"postgres\" all 127.0.0.1 255.255.255.255 trust\n",
        );
        let (ok, _, err) = psql_tcp(&server, "blocked", None, "", "SELECT 1");
        assert!(!ok, "{mode}");
        assert!(
            err.contains("FATAL:  pg_hba.conf rejects connection for host \"127.0.0.1\", user \"blocked\", database \"postgres\", no encryption"),
            "{mode}: {err}"
        );
        let (ok, _, err) = psql_tcp(&server, "postgres", None, "", "SELECT 1");
        assert!(ok, "{mode}: {err}");
        let mut config = server.tcp_config("other");
        config.user("postgres");
        let e = server.try_connect_with(config).await.err().unwrap();
        assert_eq!(common::sqlstate(&e), "28000", "{mode}: {e}");
        // Nothing matches: refused with PostgreSQL's message.
        set_hba(
            &server,
            "local all all trust\nhost all all 10.0.0.0/8 trust\n",
        );
        let (ok, _, err) = psql_tcp(&server, "postgres", None, "", "SELECT 1");
        assert!(!ok, "{mode}");
        assert!(
            err.contains("FATAL:  no pg_hba.conf entry for host \"127.0.0.1\", user \"postgres\", database \"postgres\", no encryption"),
            "{mode}: {err}"
        );
        // The Unix socket has its own line.
        server.assert_serving().await;
    }
}

#[tokio::test]
async fn a_reload_applies_to_new_connections_and_a_bad_file_keeps_the_old_rules() {
    for mode in MODES {
        let mut server = Server::start(mode, &[]);
        let existing = server
            .try_connect_with(server.tcp_config("postgres"))
            .await
            .unwrap();
        set_hba(
            &server,
            "local all all trust\nhost all all 127.0.0.1/32 reject\n",
        );
        let e = server
            .try_connect_with(server.tcp_config("postgres"))
            .await
            .err()
            .unwrap();
        assert_eq!(common::sqlstate(&e), "28000", "{mode}");
        // The session that logged in before the reload goes on.
        let one: i32 = existing.query_one("SELECT 1", &[]).await.unwrap().get(0);
        assert_eq!(one, 1);
        // A file with an error: logged with its line; the old rules stay.
        set_hba(
            &server,
            "local all all trust\nhost all all 127.0.0.1/32 trusted\n",
        );
        server.wait_for_log("invalid authentication method \"trusted\"");
        server.wait_for_log("line 2 of configuration file");
        server.wait_for_log("pg_hba.conf was not reloaded");
        let e = server
            .try_connect_with(server.tcp_config("postgres"))
            .await
            .err()
            .unwrap();
        assert_eq!(
            common::sqlstate(&e),
            "28000",
            "{mode}: still the reject rule"
        );
        server.assert_serving().await;
        // At start, the same file stops the server.
        drop(existing);
        server.stop();
        let (status, err) = server.run_to_exit(&[]);
        assert!(!status.success(), "{mode}");
        assert!(
            err.contains("invalid authentication method \"trusted\""),
            "{mode}: {err}"
        );
        assert!(
            err.contains("FATAL:  could not load pg_hba.conf"),
            "{mode}: {err}"
        );
    }
}

/// A CA and a server certificate for localhost/127.0.0.1 signed by it:
/// server.crt and server.key in the data directory, the CA's certificate
/// returned (PEM) and written to `dir/root.crt`.
fn make_certs(data_dir: &Path, dir: &Path) -> (PathBuf, String) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "postmaster test CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    let cert = params.signed_by(&key, &ca).unwrap();
    fs::write(data_dir.join("server.crt"), cert.pem()).unwrap();
    fs::write(data_dir.join("server.key"), key.serialize_pem()).unwrap();
    let root = dir.join("root.crt");
    fs::write(&root, ca.pem()).unwrap();
    (root, ca.pem())
}

/// Restarts the server with `ssl = on` (and the given hba file).
fn restart_with_tls(server: &mut Server, hba: &str) -> (PathBuf, String) {
    let (root, pem) = make_certs(&server.data_dir(), &server.dir);
    fs::write(server.data_dir().join("pg_hba.conf"), hba).unwrap();
    server.stop();
    server.add_setting("ssl=on");
    server.spawn();
    (root, pem)
}

const HBA_TLS: &str = "\
local      all  all                    trust
hostssl    all  alice  127.0.0.1/32    scram-sha-256
hostnossl  all  alice  127.0.0.1/32    reject
host       all  all    127.0.0.1/32    trust
";

fn rustls_client(ca_pem: &str, alpn: bool) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    use rustls::pki_types::pem::PemObject;
    for cert in rustls::pki_types::CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    if alpn {
        config.alpn_protocols = vec![b"postgresql".to_vec()];
    }
    config
}

#[tokio::test]
async fn tls_with_sslmode_require_and_verify_full_hostssl_and_channel_binding() {
    for mode in MODES {
        let mut server = Server::start(mode, &[]);
        run_sql(&server, "CREATE USER alice PASSWORD 'wonder'");
        let (root, ca_pem) = restart_with_tls(&mut server, HBA_TLS);
        let root = root.display().to_string();

        // hostnossl rejects alice without TLS; hostssl takes her with it.
        let (ok, _, err) = psql_tcp(
            &server,
            "alice",
            Some("wonder"),
            "sslmode=disable",
            "SELECT 1",
        );
        assert!(!ok, "{mode}");
        assert!(
            err.contains("pg_hba.conf rejects connection for host \"127.0.0.1\", user \"alice\", database \"postgres\", no encryption"),
            "{mode}: {err}"
        );
        let (ok, out, err) = psql_tcp(
            &server,
            "alice",
            Some("wonder"),
            "sslmode=require",
            "\\conninfo",
        );
        assert!(ok, "{mode}: {err}");
        assert!(
            out.contains("SSL connection (protocol: TLSv1.3"),
            "{mode}: {out}"
        );
        let (ok, _, err) = psql_tcp(
            &server,
            "alice",
            Some("nope"),
            "sslmode=require",
            "SELECT 1",
        );
        assert!(
            !ok && err.contains("password authentication failed for user \"alice\""),
            "{mode}: {err}"
        );
        // verify-full: the certificate chains to the test CA and names the host.
        let verify =
            format!("sslmode=verify-full sslrootcert={root} host=localhost hostaddr=127.0.0.1");
        let (ok, out, err) = psql_tcp(
            &server,
            "alice",
            Some("wonder"),
            &verify,
            "SELECT current_user",
        );
        assert!(ok && out == "alice", "{mode}: {err}");
        // SCRAM-SHA-256-PLUS with tls-server-end-point.
        let (ok, _, err) = psql_tcp(
            &server,
            "alice",
            Some("wonder"),
            "sslmode=require channel_binding=require",
            "SELECT 1",
        );
        assert!(ok, "{mode}: {err}");
        // Without TLS there is nothing to bind to: the client refuses.
        let (ok, _, _) = psql_tcp(
            &server,
            "postgres",
            None,
            "sslmode=disable channel_binding=require",
            "SELECT 1",
        );
        assert!(!ok, "{mode}");

        // tokio-postgres over rustls, with channel binding required.
        let tls = tokio_postgres_rustls::MakeRustlsConnect::new(rustls_client(&ca_pem, false));
        let mut config = tokio_postgres::Config::new();
        config
            .port(server.port)
            .dbname("postgres")
            .connect_timeout(Duration::from_secs(10))
            .host("localhost")
            .hostaddr("127.0.0.1".parse().unwrap())
            .user("alice")
            .password("wonder")
            .ssl_mode(tokio_postgres::config::SslMode::Require)
            .channel_binding(tokio_postgres::config::ChannelBinding::Require);
        let (client, conn) = config
            .connect(tls)
            .await
            .unwrap_or_else(|e| panic!("{mode}: tokio-postgres over TLS: {e}"));
        tokio::spawn(conn);
        let who: String = client
            .query_one("SELECT current_user", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(who, "alice", "{mode}");
    }
}

/// PostgreSQL 17's direct TLS: the client starts with a TLS ClientHello
/// (ALPN `postgresql`) instead of SSLRequest.
#[test]
fn direct_tls_needs_alpn_postgresql() {
    for mode in MODES {
        let mut server = Server::start(mode, &[]);
        let (_, ca_pem) = restart_with_tls(&mut server, HBA_TLS);
        for alpn in [true, false] {
            let config = Arc::new(rustls_client(&ca_pem, alpn));
            let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
            let conn = rustls::ClientConnection::new(config, name).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, server.raw_tcp());
            let written = tls.write_all(&startup_packet(&[
                ("user", "postgres"),
                ("database", "postgres"),
            ]));
            let reply = written.ok().and_then(|_| read_message(&mut tls));
            match (alpn, reply) {
                (true, Some((b'R', body))) => {
                    assert_eq!(body, [0, 0, 0, 0], "{mode}: AuthenticationOk")
                }
                (false, Some((b'E', body))) => {
                    let fields = common::error_fields(&body);
                    assert_eq!(common::field(&fields, b'C'), Some("08P01"), "{mode}");
                }
                (false, None) => {} // the handshake itself refused the client
                (_, other) => panic!("{mode} alpn={alpn}: {other:?}"),
            }
        }
        server.assert_serving_sync();
    }
}

#[test]
fn ssl_on_without_usable_certificate_files_stops_the_start() {
    for mode in MODES {
        let mut server = Server::start(mode, &[]);
        server.stop();
        let run = |server: &Server| {
            let (status, err) = server.run_to_exit(&["-c", "ssl=on"]);
            (status.success(), err)
        };
        let (ok, err) = run(&server);
        assert!(!ok, "{mode}");
        assert!(
            err.contains("FATAL:  could not load server certificate file"),
            "{mode}: {err}"
        );
        make_certs(&server.data_dir(), &server.dir);
        fs::write(
            server.data_dir().join("server.key"),
            "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let (ok, err) = run(&server);
        assert!(!ok, "{mode}");
        assert!(
            err.contains("FATAL:  could not load private key file"),
            "{mode}: {err}"
        );
    }
}
