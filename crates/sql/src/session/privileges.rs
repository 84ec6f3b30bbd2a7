//! Roles and privileges in a session: who runs its statements (the
//! session user and SET ROLE's current user, SET SESSION AUTHORIZATION),
//! the checks of [`crate::acl`] before a statement touches storage,
//! ownership of what it creates, CREATE / ALTER / DROP ROLE, GRANT and
//! REVOKE (of roles and of privileges on relations and the public schema).

use std::sync::Arc;

use pm_elog::{sqlstate as code, PgError, Severity};

use super::{
    is_hashed_password, Interrupts, ResultSink, SchemaCatalog, Session, TransactionStatus,
};
use crate::acl::{self, Entry, Needs, ObjectKind, Who};
use crate::datadir::{self, CatalogSnapshot};
use crate::dialect::{Command, Translated};
use crate::roles::{
    AlterOwner, DefaultPrivileges, Grant, GrantRole, OwnerTarget, RoleOptions, RoleRef, SetRole,
};

/// The session user and the role SET ROLE chose (None: the session user).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Identity {
    pub session: (i64, String),
    pub role: Option<(i64, String)>,
}

impl Identity {
    fn current(&self) -> &(i64, String) {
        self.role.as_ref().unwrap_or(&self.session)
    }
}

/// Who runs statements now, and what that becomes when the transaction
/// ends (SET LOCAL lasts to its end, SET to its commit).
#[derive(Debug, Default)]
pub(super) struct IdentityState {
    pub now: Identity,
    /// The identity a commit leaves (None: `now`).
    pub at_commit: Option<Identity>,
    /// The identity a rollback restores (None: `now`, nothing changed).
    pub at_start: Option<Identity>,
}

fn undefined_role(name: &str) -> PgError {
    PgError::error(
        code::UNDEFINED_OBJECT,
        format!("role \"{name}\" does not exist"),
    )
}

fn denied(message: &str, detail: &str) -> PgError {
    let e = PgError::error(code::INSUFFICIENT_PRIVILEGE, message.to_string());
    if detail.is_empty() {
        e
    } else {
        e.with_detail(detail.to_string())
    }
}

impl Session {
    /// The login catalog: the copy read last, unless some session changed
    /// the catalog since.
    pub(super) fn catalog(&self) -> Result<Arc<CatalogSnapshot>, PgError> {
        let generation = self.interrupts.catalog_generation();
        if let Some((g, c)) = &*self.catalog_cache.borrow() {
            if *g == generation {
                return Ok(c.clone());
            }
        }
        let c = Arc::new(CatalogSnapshot::load(&self.data_dir, generation)?);
        *self.catalog_cache.borrow_mut() = Some((generation, c.clone()));
        Ok(c)
    }

    /// This session changed the global catalog.
    fn catalog_changed_here(&self) {
        *self.catalog_cache.borrow_mut() = None;
        self.who_key.set(None);
        self.interrupts.catalog_changed();
    }

    /// Brings the privilege state up to date for the next statement:
    /// who runs it, and (for a role that is not a superuser) the
    /// database's ACLs.
    pub(super) fn prepare_privileges(&mut self, entries: bool) -> Result<(), PgError> {
        let identity = self.identity.borrow().now.clone();
        let current = identity.current().clone();
        let key = (
            self.interrupts.catalog_generation(),
            identity.session.0,
            current.0,
        );
        if self.who_key.get() != Some(key) {
            let catalog = self.catalog()?;
            let who = Who::new(
                &catalog,
                (identity.session.0, &identity.session.1),
                (current.0, &current.1),
                self.database_oid,
            );
            self.is_superuser = who.superuser;
            let shown = if who.superuser { "on" } else { "off" };
            self.store_setting("is_superuser", shown.to_string());
            self.privileges_state().who = who;
            self.who_key.set(Some(key));
        }
        // The ACLs are read outside a transaction block (at BEGIN too), or
        // once this block wrote them: a read inside a block would start
        // its SQLite snapshot early (see ARCHITECTURE.md, Invariants), so a
        // block uses the ones read at its start. (Only a block that
        // switched from a superuser to another role reads them inside.)
        let readable = self.status == TransactionStatus::Idle
            || self.acl_written.get()
            || !self.acl_loaded.get();
        if entries && !self.is_superuser && readable {
            let loaded = acl::load(&self.conn)?;
            self.privileges_state().entries = loaded;
            self.acl_loaded.set(true);
        }
        Ok(())
    }

    /// Before a statement that calls has_*_privilege: every entry, the
    /// catalog and the kinds of the relations, for the functions to read.
    pub(super) fn prepare_inquiry(&mut self) -> Result<(), PgError> {
        let catalog = self.catalog()?;
        let entries = acl::load(&self.conn)?;
        let mut kinds = std::collections::HashMap::new();
        for (name, kind) in self.all_relations(ObjectKind::Table)? {
            kinds.insert(name, kind);
        }
        for (name, kind) in self.all_relations(ObjectKind::Sequence)? {
            kinds.insert(name, kind);
        }
        let mut columns = std::collections::HashMap::new();
        let schema = SchemaCatalog(&self.conn);
        for (name, kind) in &kinds {
            if *kind != ObjectKind::Sequence {
                let names = analyze::Schema::relation(&schema, name)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| c.name)
                    .collect();
                columns.insert(name.clone(), names);
            }
        }
        let mut state = self.privileges_state();
        state.entries = entries;
        state.inquiry = Some(acl::Inquiry {
            catalog,
            database: self.database_oid,
            kinds,
            columns,
        });
        Ok(())
    }

    pub(super) fn privileges_state(&self) -> std::sync::MutexGuard<'_, acl::State> {
        self.privileges.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The kind of relation `name` (None: there is none).
    fn relation_kind(&self, name: &str) -> Option<ObjectKind> {
        let schema = SchemaCatalog(&self.conn);
        if analyze::Schema::relation(&schema, name).is_some() {
            return Some(
                if analyze::Schema::is_view(&schema, name)
                    && !analyze::Schema::partitioned(&schema, name)
                {
                    ObjectKind::View
                } else {
                    ObjectKind::Table
                },
            );
        }
        self.sequences()
            .exists(name)
            .ok()
            .filter(|e| *e)
            .map(|_| ObjectKind::Sequence)
    }

    /// A relation's owner and ACL.
    fn relation_entry(&self, name: &str, kind: ObjectKind) -> Entry {
        let mut entry = self.privileges_state().entry(name, kind);
        entry.kind = kind;
        entry
    }

    /// What the statement needs, checked for the current role before it
    /// runs (superusers pass, as in PostgreSQL).
    pub(super) fn check_needs(&self, needs: &Needs) -> Result<(), PgError> {
        if self.is_superuser {
            return Ok(());
        }
        let state = self.privileges_state();
        if !needs.creates.is_empty() {
            let schema = state.entry("public", ObjectKind::Schema);
            if state.who.mask(&schema) & acl::CREATE == 0 {
                return Err(acl::denied(ObjectKind::Schema, "public"));
            }
        }
        drop(state);
        for name in &needs.owns {
            if let Some(kind) = self.relation_kind(name) {
                let entry = self.relation_entry(name, kind);
                if !self.privileges_state().who.owns(&entry) {
                    return Err(acl::not_owner(kind, name));
                }
            }
        }
        let who = self.privileges_state().who.clone();
        for access in &needs.access {
            self.check_access(&who, access, 0)?;
        }
        Ok(())
    }

    /// One relation's privileges for `who`; a view's own reads are then
    /// checked as its owner (ExecCheckPermissions over the rewritten
    /// query: a view runs with its owner's rights).
    fn check_access(
        &self,
        who: &acl::Who,
        access: &acl::Access,
        depth: usize,
    ) -> Result<(), PgError> {
        let Some(kind) = self.relation_kind(&access.relation) else {
            return Ok(());
        };
        let entry = self.relation_entry(&access.relation, kind);
        let mask = who.mask(&entry);
        // A sequence read as a relation needs SELECT.
        let wanted = access.privileges & kind.all_rights();
        if wanted == 0 {
            return Err(acl::denied(kind, &access.relation));
        }
        let missing = wanted & !mask;
        if missing != 0 && !self.column_privileges_cover(who, access, kind, missing) {
            return Err(acl::denied(kind, &access.relation));
        }
        if kind != ObjectKind::View || depth > 32 {
            return Ok(());
        }
        let catalog = self.catalog()?;
        let owner_who = acl::Who::of_role(&catalog, entry.owner, self.database_oid);
        if owner_who.superuser {
            return Ok(());
        }
        // A view an earlier version made, owned by a role that is not a
        // superuser: what it reads is not known, so it is not run.
        let Some(reads) = acl::view_reads(&self.conn, &access.relation)? else {
            return Err(PgError::error(
                code::OBJECT_NOT_IN_PREREQUISITE_STATE,
                format!(
                    "view \"{}\" was created by an earlier version of this server",
                    access.relation
                ),
            )
            .with_detail("The relations it reads were not recorded, so its owner's privileges on them cannot be checked.")
            .with_hint(format!(
                "Recreate it with CREATE OR REPLACE VIEW {} AS ...",
                access.relation
            )));
        };
        // Writing through the view writes its table (its first relation):
        // the owner needs those privileges on the table itself (column
        // privileges are not counted there: a view's columns are not
        // mapped to its table's here, so PostgreSQL's column-level
        // credit would need that mapping; this is stricter, never looser).
        let writes = wanted & (acl::INSERT | acl::UPDATE | acl::DELETE);
        if let (Some(first), true) = (reads.first(), writes != 0) {
            if let Some(base_kind) = self.relation_kind(&first.relation) {
                let base = self.relation_entry(&first.relation, base_kind);
                if owner_who.mask(&base) & writes != writes {
                    return Err(acl::denied(base_kind, &first.relation));
                }
            }
        }
        for read in &reads {
            self.check_access(&owner_who, read, depth + 1)?;
        }
        Ok(())
    }

    /// Whether column privileges make up for `missing` table-level ones
    /// (SELECT, INSERT, UPDATE only): each column the statement names
    /// for a privilege has it, or some column does when it names none.
    fn column_privileges_cover(
        &self,
        who: &acl::Who,
        access: &acl::Access,
        kind: ObjectKind,
        missing: u16,
    ) -> bool {
        if kind == ObjectKind::Sequence || missing & !(acl::SELECT | acl::INSERT | acl::UPDATE) != 0
        {
            return false;
        }
        let state = self.privileges_state();
        let relation = &access.relation;
        let column_mask = |column: &str| -> u16 {
            state
                .entries
                .get(&acl::column_key(relation, column))
                .map_or(0, |e| {
                    let mut e = e.clone();
                    e.kind = ObjectKind::Column;
                    who.mask(&e)
                })
        };
        let all_columns = || -> Vec<String> {
            analyze::Schema::relation(&SchemaCatalog(&self.conn), relation)
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.name)
                .collect()
        };
        for bit in [acl::SELECT, acl::INSERT, acl::UPDATE] {
            if missing & bit == 0 {
                continue;
            }
            let mut named: Vec<String> = Vec::new();
            for (column, wanted) in &access.columns {
                if wanted & bit == 0 {
                    continue;
                }
                if column == "*" {
                    named.extend(all_columns());
                } else {
                    named.push(column.clone());
                }
            }
            let ok = if named.is_empty() {
                all_columns().iter().any(|c| column_mask(c) & bit != 0)
            } else {
                named.iter().all(|c| column_mask(c) & bit != 0)
            };
            if !ok {
                return false;
            }
        }
        true
    }

    /// Which of a statement's creations did not exist before it (those
    /// are the ones it makes, and owns).
    pub(super) fn new_relations(&self, needs: &Needs) -> Vec<(String, ObjectKind)> {
        needs
            .creates
            .iter()
            .filter(|(name, _)| self.relation_kind(name).is_none())
            .cloned()
            .collect()
    }

    /// After a statement succeeded: the owners of what it created, the
    /// entries of what it dropped or renamed.
    pub(super) fn record_needs(
        &self,
        needs: &Needs,
        created: &[(String, ObjectKind)],
    ) -> Result<(), PgError> {
        let owner = self.identity.borrow().now.current().0;
        for (name, kind) in created {
            if self.relation_kind(name).is_none() {
                continue;
            }
            acl::record_owner(&self.conn, name, *kind, owner)?;
            self.acl_written.set(true);
            if *kind == ObjectKind::Table {
                let owned = self.sequences().owned_by(name)?;
                for (seq, _) in owned {
                    acl::record_owner(&self.conn, &seq, ObjectKind::Sequence, owner)?;
                }
            }
        }
        for name in &needs.drops {
            if self.relation_kind(name).is_none() {
                acl::forget(&self.conn, name)?;
            }
        }
        // The sequences a dropped table owned went with it.
        if !needs.drops.is_empty() {
            let gone: Vec<String> = acl::load(&self.conn)?
                .into_iter()
                .filter(|(name, e)| {
                    e.kind == ObjectKind::Sequence && !self.sequences().exists(name).unwrap_or(true)
                })
                .map(|(name, _)| name)
                .collect();
            for name in gone {
                acl::forget(&self.conn, &name)?;
            }
        }
        if let Some((old, new)) = &needs.rename {
            if self.relation_kind(old).is_none() {
                acl::rename(&self.conn, old, new)?;
            }
        }
        Ok(())
    }

    /// A transaction ended: SET LOCAL's identity goes, and a rollback
    /// undoes SET's too.
    pub(super) fn identity_transaction_over(&self, committed: bool) {
        let mut state = self.identity.borrow_mut();
        let restored = if committed {
            state.at_commit.take()
        } else {
            state.at_start.take()
        };
        state.at_commit = None;
        state.at_start = None;
        if let Some(identity) = restored {
            if identity != state.now {
                state.now = identity;
                self.identity_restored.set(true);
            }
        }
    }

    /// The role a statement names.
    fn role_oid(&self, catalog: &CatalogSnapshot, r: &RoleRef) -> Result<(i64, String), PgError> {
        let identity = self.identity.borrow().now.clone();
        match r {
            RoleRef::Name(n) => catalog
                .role(n)
                .map(|role| (role.oid, role.name.clone()))
                .ok_or_else(|| undefined_role(n)),
            RoleRef::CurrentUser => Ok(identity.current().clone()),
            RoleRef::SessionUser => Ok(identity.session.clone()),
            RoleRef::Public => Ok((acl::PUBLIC, "public".to_string())),
        }
    }

    /// The catalog attributes of CREATE/ALTER ROLE options: a cleartext
    /// password is stored hashed as `password_encryption` says (a text
    /// that already is a SCRAM verifier or md5 hash is stored as given).
    fn role_attributes(
        &self,
        role: &str,
        options: &RoleOptions,
        sink: &mut dyn ResultSink,
    ) -> Result<datadir::RoleAttributes, PgError> {
        let password = options.password.clone().map(|p| match p {
            Some(p) if p.is_empty() => {
                sink.notice(PgError::new(
                    Severity::Notice,
                    code::SUCCESSFUL_COMPLETION,
                    "empty string is not a valid password, clearing password",
                ));
                None
            }
            Some(p) if is_hashed_password(&p) => Some(p),
            Some(p) => Some(match self.setting("password_encryption") {
                Some("md5") => postgres_protocol::password::md5(p.as_bytes(), role),
                _ => postgres_protocol::password::scram_sha_256(p.as_bytes()),
            }),
            None => None,
        });
        let valid_until = match &options.valid_until {
            Some(Some(text)) => Some(Some(crate::datefmt::timestamptz_out(
                &crate::datefmt::timestamptz_in(text)?,
            ))),
            other => other.clone(),
        };
        Ok(datadir::RoleAttributes {
            superuser: options.superuser,
            login: options.login,
            password,
            inherit: options.inherit,
            create_role: options.create_role,
            create_db: options.create_db,
            replication: options.replication,
            bypass_rls: options.bypass_rls,
            connection_limit: options.connection_limit,
            valid_until,
        })
    }

    /// CREATE / ALTER / DROP ROLE, GRANT / REVOKE, SET ROLE.
    pub(super) fn run_role_command(
        &mut self,
        t: &Translated,
        sink: &mut dyn ResultSink,
    ) -> Result<String, PgError> {
        self.prepare_privileges(matches!(t.command, Command::Grant(_)))?;
        match &t.command {
            Command::CreateRole { name, options } => self.create_role(name, options, sink)?,
            Command::AlterRole { role, options } => self.alter_role(role, options, sink)?,
            Command::DropRole { names, missing_ok } => self.drop_roles(names, *missing_ok, sink)?,
            Command::RenameRole { name, new_name } => self.rename_role(name, new_name)?,
            Command::GrantRole(g) => self.grant_role(g, sink)?,
            Command::Grant(g) => self.grant(g, sink)?,
            Command::AlterOwner(o) => self.alter_owner(o, sink)?,
            Command::DefaultPrivileges(d) => self.default_privileges(d)?,
            Command::Owned { roles, to, cascade } => {
                self.owned(roles, to.as_ref(), *cascade, sink)?
            }
            Command::SetRole(s) => self.set_role(s, sink)?,
            _ => unreachable!("run_role_command is only called for role commands"),
        }
        Ok(t.tag.render(0))
    }

    fn create_role(
        &mut self,
        name: &str,
        options: &RoleOptions,
        sink: &mut dyn ResultSink,
    ) -> Result<(), PgError> {
        let catalog = self.catalog()?;
        let me = self.identity.borrow().now.current().0;
        let my_role = catalog.role_by_oid(me).cloned();
        let superuser = my_role.as_ref().is_some_and(|r| r.is_superuser);
        let create_role = my_role.as_ref().is_some_and(|r| r.create_role);
        // PostgreSQL 15's rules: CREATEROLE may create any role but a
        // superuser, replication or bypassrls one.
        if !superuser {
            for (set, message) in [
                (options.superuser, "must be superuser to create superusers"),
                (
                    options.replication,
                    "must be superuser to create replication users",
                ),
                (
                    options.bypass_rls,
                    "must be superuser to create bypassrls users",
                ),
            ] {
                if set == Some(true) {
                    return Err(denied(message, ""));
                }
            }
            if !create_role {
                return Err(denied("permission denied to create role", ""));
            }
        }
        if name.starts_with("pg_") {
            return Err(PgError::error(
                code::RESERVED_NAME,
                format!("role name \"{name}\" is reserved"),
            )
            .with_detail("Role names starting with \"pg_\" are reserved."));
        }
        if matches!(name, "public" | "none") {
            return Err(PgError::error(
                code::RESERVED_NAME,
                format!("role name \"{name}\" is reserved"),
            ));
        }
        // Roles named in IN ROLE / ROLE / ADMIN must exist first.
        let mut links = Vec::new();
        for (list, as_member_of, admin) in [
            (&options.in_roles, true, false),
            (&options.members, false, false),
            (&options.admins, false, true),
        ] {
            for r in list {
                links.push((self.role_oid(&catalog, r)?.0, as_member_of, admin));
            }
        }
        let attrs = self.role_attributes(name, options, sink)?;
        let oid = datadir::create_role(&self.data_dir, name, &attrs)?;
        for (other, as_member_of, admin) in links {
            let (role, member) = if as_member_of {
                (other, oid)
            } else {
                (oid, other)
            };
            datadir::grant_membership(&self.data_dir, role, member, me, admin)?;
        }
        self.catalog_changed_here();
        Ok(())
    }

    fn alter_role(
        &mut self,
        role: &RoleRef,
        options: &RoleOptions,
        sink: &mut dyn ResultSink,
    ) -> Result<(), PgError> {
        let catalog = self.catalog()?;
        let (oid, name) = self.role_oid(&catalog, role)?;
        let target = catalog
            .role_by_oid(oid)
            .cloned()
            .ok_or_else(|| undefined_role(&name))?;
        let me = self.identity.borrow().now.current().0;
        let mine = catalog.role_by_oid(me).cloned();
        let superuser = mine.as_ref().is_some_and(|r| r.is_superuser);
        // PostgreSQL 15's rules (AlterRole): superuser roles and the
        // SUPERUSER / REPLICATION / BYPASSRLS attributes are for superusers;
        // CREATEROLE may alter other roles; anyone may change their own
        // password.
        if !superuser {
            let only_password = options
                == &RoleOptions {
                    password: options.password.clone(),
                    ..Default::default()
                };
            if target.is_superuser || options.superuser.is_some() {
                return Err(denied(
                    "must be superuser to alter superuser roles or change superuser attribute",
                    "",
                ));
            }
            if target.replication || options.replication.is_some() {
                return Err(denied(
                    "must be superuser to alter replication roles or change replication attribute",
                    "",
                ));
            }
            if options.bypass_rls.is_some() {
                return Err(denied(
                    "must be superuser to change bypassrls attribute",
                    "",
                ));
            }
            let create_role = mine.as_ref().is_some_and(|r| r.create_role);
            let own_password = oid == me && only_password;
            if !(create_role || own_password) {
                return Err(denied("permission denied", ""));
            }
        }
        if !options.in_roles.is_empty() || !options.members.is_empty() || !options.admins.is_empty()
        {
            return Err(PgError::error(
                code::FEATURE_NOT_SUPPORTED,
                "ALTER ROLE with role memberships is not supported",
            ));
        }
        let attrs = self.role_attributes(&name, options, sink)?;
        if !datadir::alter_role(&self.data_dir, &name, &attrs)? {
            return Err(undefined_role(&name));
        }
        self.catalog_changed_here();
        Ok(())
    }

    fn drop_roles(
        &mut self,
        names: &[RoleRef],
        missing_ok: bool,
        sink: &mut dyn ResultSink,
    ) -> Result<(), PgError> {
        let catalog = self.catalog()?;
        let me = self.identity.borrow().now.current().0;
        let session = self.identity.borrow().now.session.0;
        let mine = catalog.role_by_oid(me).cloned();
        let superuser = mine.as_ref().is_some_and(|r| r.is_superuser);
        if !superuser && !mine.as_ref().is_some_and(|r| r.create_role) {
            return Err(denied("permission denied to drop role", ""));
        }
        for r in names {
            let RoleRef::Name(name) = r else {
                return Err(PgError::error(
                    code::FEATURE_NOT_SUPPORTED,
                    "cannot use special role specifier in DROP ROLE",
                ));
            };
            let Some(role) = catalog.role(name).cloned() else {
                if missing_ok {
                    sink.notice(PgError::new(
                        Severity::Notice,
                        code::SUCCESSFUL_COMPLETION,
                        format!("role \"{name}\" does not exist, skipping"),
                    ));
                    continue;
                }
                return Err(undefined_role(name));
            };
            if role.oid == me {
                return Err(PgError::error(
                    code::OBJECT_IN_USE,
                    "current user cannot be dropped",
                ));
            }
            if role.oid == session {
                return Err(PgError::error(
                    code::OBJECT_IN_USE,
                    "session user cannot be dropped",
                ));
            }
            if role.oid == datadir::BOOTSTRAP_SUPERUSER_OID {
                return Err(PgError::error(
                    code::DEPENDENT_OBJECTS_STILL_EXIST,
                    format!(
                        "cannot drop role {name} because it is required by the database system"
                    ),
                ));
            }
            if !superuser && role.is_superuser {
                return Err(denied("must be superuser to drop superusers", ""));
            }
            self.check_no_dependents(&catalog, &role)?;
            datadir::drop_role(&self.data_dir, name)?;
        }
        self.catalog_changed_here();
        Ok(())
    }

    /// DROP ROLE of a role that owns or has privileges on objects of
    /// this database: 2BP01 with PostgreSQL's DETAIL lines.
    fn check_no_dependents(
        &self,
        catalog: &CatalogSnapshot,
        role: &datadir::Role,
    ) -> Result<(), PgError> {
        let mut lines = Vec::new();
        if catalog.database_owner(self.database_oid) == role.oid {
            lines.push(format!("owner of database {}", self.database));
        }
        let mut entries: Vec<(String, Entry)> = acl::load(&self.conn)?.into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, entry) in &entries {
            let kind = entry.kind.word();
            let granted = entry.items().iter().any(|i| i.grantee == role.oid);
            if entry.kind == ObjectKind::Column {
                if let (Some((table, column)), true) = (name.split_once('\u{1f}'), granted) {
                    lines.push(format!("privileges for column {column} of table {table}"));
                }
            } else if entry.owner == role.oid {
                lines.push(format!("owner of {kind} {name}"));
            } else if granted {
                lines.push(format!("privileges for {kind} {name}"));
            }
        }
        // The other databases: how many of their objects depend on it.
        for (database, oid) in &catalog.databases {
            if *oid == self.database_oid {
                continue;
            }
            let mut count = usize::from(catalog.database_owner(*oid) == role.oid);
            let path = datadir::database_path(&self.data_dir, *oid);
            let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
            if let Ok(conn) = rusqlite::Connection::open_with_flags(&path, flags) {
                let _ = conn.busy_timeout(std::time::Duration::from_secs(5));
                for entry in acl::load(&conn)?.values() {
                    let granted = entry.items().iter().any(|i| i.grantee == role.oid);
                    if granted || entry.kind != ObjectKind::Column && entry.owner == role.oid {
                        count += 1;
                    }
                }
            }
            if count > 0 {
                lines.push(format!(
                    "{count} object{} in database {database}",
                    if count == 1 { "" } else { "s" }
                ));
            }
        }
        if lines.is_empty() {
            return Ok(());
        }
        Err(PgError::error(
            code::DEPENDENT_OBJECTS_STILL_EXIST,
            format!(
                "role \"{}\" cannot be dropped because some objects depend on it",
                role.name
            ),
        )
        .with_detail(lines.join("\n")))
    }

    fn rename_role(&mut self, name: &str, new_name: &str) -> Result<(), PgError> {
        let catalog = self.catalog()?;
        let role = catalog
            .role(name)
            .cloned()
            .ok_or_else(|| undefined_role(name))?;
        let identity = self.identity.borrow().now.clone();
        if role.oid == identity.session.0 {
            return Err(PgError::error(
                code::FEATURE_NOT_SUPPORTED,
                "session user cannot be renamed",
            ));
        }
        if role.oid == identity.current().0 {
            return Err(PgError::error(
                code::FEATURE_NOT_SUPPORTED,
                "current user cannot be renamed",
            ));
        }
        if !self.is_superuser {
            let me = identity.current().0;
            if role.is_superuser {
                return Err(denied("must be superuser to rename superusers", ""));
            }
            if !catalog.role_by_oid(me).is_some_and(|r| r.create_role) {
                return Err(denied("permission denied to rename role", ""));
            }
        }
        if new_name.starts_with("pg_") {
            return Err(PgError::error(
                code::RESERVED_NAME,
                format!("role name \"{new_name}\" is reserved"),
            )
            .with_detail("Role names starting with \"pg_\" are reserved."));
        }
        if !datadir::rename_role(&self.data_dir, name, new_name)? {
            return Err(undefined_role(name));
        }
        self.catalog_changed_here();
        Ok(())
    }

    fn grant_role(&mut self, g: &GrantRole, sink: &mut dyn ResultSink) -> Result<(), PgError> {
        let catalog = self.catalog()?;
        let me = self.identity.borrow().now.current().0;
        for r in &g.roles {
            let (role, role_name) = self.role_oid(&catalog, r)?;
            // PostgreSQL 15 (check_role_grantor): superuser roles need a
            // superuser; others ADMIN OPTION or CREATEROLE.
            if !self.is_superuser {
                let target = catalog.role_by_oid(role);
                if target.is_some_and(|t| t.is_superuser) {
                    return Err(denied("must be superuser to alter superusers", ""));
                }
                let create_role = catalog.role_by_oid(me).is_some_and(|r| r.create_role);
                if !create_role && !catalog.has_admin(me, role) {
                    return Err(denied(
                        &format!("must have admin option on role \"{role_name}\""),
                        "",
                    ));
                }
            }
            for grantee in &g.grantees {
                let (member, member_name) = self.role_oid(&catalog, grantee)?;
                // pg_database_owner's membership is implicit only.
                if g.is_grant && role == acl::DATABASE_OWNER {
                    return Err(PgError::error(
                        code::INVALID_GRANT_OPERATION,
                        format!("role \"{role_name}\" cannot have explicit members"),
                    ));
                }
                if g.is_grant && member == acl::DATABASE_OWNER {
                    return Err(PgError::error(
                        code::INVALID_GRANT_OPERATION,
                        format!("role \"{member_name}\" cannot be a member of any role"),
                    ));
                }
                if g.is_grant {
                    // A membership loop (the role already is a member of
                    // the grantee) is refused.
                    if catalog.roles_of(role, true).contains(&member) {
                        return Err(PgError::error(
                            code::INVALID_GRANT_OPERATION,
                            format!("role \"{member_name}\" is a member of role \"{role_name}\""),
                        ));
                    }
                    if !datadir::grant_membership(&self.data_dir, role, member, me, g.admin)? {
                        sink.notice(PgError::new(
                            Severity::Notice,
                            code::SUCCESSFUL_COMPLETION,
                            format!("role \"{member_name}\" is already a member of role \"{role_name}\""),
                        ));
                    }
                } else if !datadir::revoke_membership(&self.data_dir, role, member, g.admin)? {
                    sink.notice(PgError::new(
                        Severity::Warning,
                        code::WARNING,
                        format!("role \"{member_name}\" is not a member of role \"{role_name}\""),
                    ));
                }
            }
        }
        self.catalog_changed_here();
        Ok(())
    }

    /// SET [LOCAL] ROLE / SESSION AUTHORIZATION (SetSessionAuthorization,
    /// check_role).
    fn set_role(&mut self, s: &SetRole, sink: &mut dyn ResultSink) -> Result<(), PgError> {
        let catalog = self.catalog()?;
        let in_block = self.status != TransactionStatus::Idle && !self.implicit;
        if s.local && !in_block {
            sink.notice(PgError::new(
                Severity::Warning,
                code::NO_ACTIVE_SQL_TRANSACTION,
                "SET LOCAL can only be used in transaction blocks",
            ));
            return Ok(());
        }
        let now = self.identity.borrow().now.clone();
        let target = match &s.role {
            None => None,
            Some(name) => {
                let role = catalog.role(name).ok_or_else(|| {
                    PgError::error(
                        code::INVALID_PARAMETER_VALUE,
                        format!("role \"{name}\" does not exist"),
                    )
                })?;
                Some((role.oid, role.name.clone()))
            }
        };
        let next = if s.session_authorization {
            let login = self.login.clone();
            let login_super = catalog.role_by_oid(login.0).is_some_and(|r| r.is_superuser);
            let session = target.unwrap_or(login.clone());
            if session.0 != login.0 && !login_super {
                return Err(denied("permission denied to set session authorization", ""));
            }
            Identity {
                session,
                role: None,
            }
        } else {
            let role = match target {
                None => None,
                Some(role) => {
                    let session = &now.session;
                    let session_super = catalog
                        .role_by_oid(session.0)
                        .is_some_and(|r| r.is_superuser);
                    if !session_super && !catalog.roles_of(session.0, true).contains(&role.0) {
                        return Err(denied(
                            &format!("permission denied to set role \"{}\"", role.1),
                            "",
                        ));
                    }
                    Some(role)
                }
            };
            Identity {
                session: now.session.clone(),
                role,
            }
        };
        {
            let mut state = self.identity.borrow_mut();
            if in_block && state.at_start.is_none() {
                state.at_start = Some(now.clone());
            }
            if s.local {
                if state.at_commit.is_none() {
                    state.at_commit = Some(now);
                }
            } else {
                state.at_commit = None;
            }
            state.now = next;
        }
        self.identity_settings();
        Ok(())
    }

    /// The settings that show the identity (SHOW role,
    /// session_authorization, is_superuser, reported to the client).
    pub(super) fn identity_settings(&mut self) {
        let identity = self.identity.borrow().now.clone();
        let role = identity
            .role
            .as_ref()
            .map_or("none".to_string(), |r| r.1.clone());
        self.store_setting("role", role);
        self.store_setting("session_authorization", identity.session.1.clone());
        self.who_key.set(None);
        if self.prepare_privileges(false).is_err() {
            self.who_key.set(None);
        }
    }

    /// GRANT / REVOKE privileges on relations or the public schema
    /// (ExecGrant_Relation, merge_acl_with_grant, restrict_and_check_grant).
    fn grant(&mut self, g: &Grant, sink: &mut dyn ResultSink) -> Result<(), PgError> {
        let catalog = self.catalog()?;
        let mut grantees = Vec::new();
        for r in &g.grantees {
            let (oid, _) = self.role_oid(&catalog, r)?;
            if oid == acl::PUBLIC && g.grant_option && g.is_grant {
                return Err(PgError::error(
                    code::INVALID_GRANT_OPERATION,
                    "grant options can only be granted to roles",
                ));
            }
            grantees.push(oid);
        }
        let objects: Vec<(String, ObjectKind)> = if g.all_in_schema {
            if g.objects.iter().any(|s| s != "public") {
                let other = g
                    .objects
                    .iter()
                    .find(|s| *s != "public")
                    .cloned()
                    .unwrap_or_default();
                return Err(PgError::error(
                    code::INVALID_SCHEMA_NAME,
                    format!("schema \"{other}\" does not exist"),
                ));
            }
            self.all_relations(g.kind)?
        } else {
            let mut out = Vec::new();
            for name in &g.objects {
                let kind = if g.kind == ObjectKind::Database {
                    if catalog.database_oid(name).is_none() {
                        return Err(PgError::error(
                            code::INVALID_CATALOG_NAME,
                            format!("database \"{name}\" does not exist"),
                        ));
                    }
                    ObjectKind::Database
                } else if g.kind == ObjectKind::Schema {
                    if name != "public" {
                        return Err(PgError::error(
                            code::INVALID_SCHEMA_NAME,
                            format!("schema \"{name}\" does not exist"),
                        ));
                    }
                    ObjectKind::Schema
                } else {
                    let kind = self.relation_kind(name).ok_or_else(|| {
                        PgError::error(
                            code::UNDEFINED_TABLE,
                            format!("relation \"{name}\" does not exist"),
                        )
                    })?;
                    if g.kind == ObjectKind::Sequence && kind != ObjectKind::Sequence {
                        return Err(PgError::error(
                            code::WRONG_OBJECT_TYPE,
                            format!("\"{name}\" is not a sequence"),
                        ));
                    }
                    kind
                };
                out.push((name.clone(), kind));
            }
            out
        };
        // Table-level privileges (None: ALL) and column-level ones.
        let mut requested: Option<u16> = None;
        let mut column_specs: Vec<(String, u16)> = Vec::new();
        if let Some(list) = &g.privileges {
            let mut bits = 0;
            for (n, columns) in list {
                let bit = if n == "ALL" {
                    ObjectKind::Column.all_rights()
                } else {
                    acl::privilege_bits(n).ok_or_else(|| {
                        PgError::error(
                            code::SYNTAX_ERROR,
                            format!("unrecognized privilege type \"{n}\""),
                        )
                    })?
                };
                if columns.is_empty() {
                    bits |= bit;
                }
                for c in columns {
                    match column_specs.iter_mut().find(|(name, _)| name == c) {
                        Some((_, b)) => *b |= bit,
                        None => column_specs.push((c.clone(), bit)),
                    }
                }
            }
            requested = Some(bits);
        }
        let who = self.privileges_state().who.clone();
        for (name, kind) in objects {
            let all = kind.all_rights();
            let mut privileges = requested.unwrap_or(all);
            if privileges & !all != 0 {
                let bad = first_bit(privileges & !all);
                if kind == ObjectKind::Sequence && g.kind != ObjectKind::Sequence {
                    sink.notice(PgError::new(
                        Severity::Warning,
                        code::WARNING,
                        format!("sequence \"{name}\" only supports USAGE, SELECT, and UPDATE privileges"),
                    ));
                    privileges &= all;
                } else {
                    return Err(invalid_privilege(bad, kind));
                }
            }
            let mut entry = if kind == ObjectKind::Schema {
                self.privileges_state().entry("public", ObjectKind::Schema)
            } else {
                self.relation_entry(&name, kind)
            };
            // (Superusers' state holds no entries: read this one's.)
            let stored = if self.is_superuser {
                Some(acl::load(&self.conn)?)
            } else {
                None
            };
            if let Some(e) = stored.as_ref().and_then(|s| s.get(&name)) {
                entry = e.clone();
                entry.kind = kind;
            }
            let database = (kind == ObjectKind::Database)
                .then(|| catalog.database_oid(&name))
                .flatten();
            if let Some(oid) = database {
                entry = catalog.database_entry(oid);
            }
            let column_entry = |column: &str| -> Entry {
                let key = acl::column_key(&name, column);
                let found = match &stored {
                    Some(s) => s.get(&key).cloned(),
                    None => self.privileges_state().entries.get(&key).cloned(),
                };
                let mut e = found.unwrap_or_else(|| acl::default_entry(ObjectKind::Column));
                e.kind = ObjectKind::Column;
                e.owner = entry.owner;
                e
            };
            if !column_specs.is_empty() {
                if kind == ObjectKind::Sequence {
                    return Err(invalid_privilege(
                        first_bit(column_specs[0].1),
                        ObjectKind::Column,
                    ));
                }
                let columns = analyze::Schema::relation(&SchemaCatalog(&self.conn), &name)
                    .unwrap_or_default();
                for (column, bits) in &column_specs {
                    if bits & !ObjectKind::Column.all_rights() != 0 {
                        return Err(invalid_privilege(
                            first_bit(bits & !ObjectKind::Column.all_rights()),
                            ObjectKind::Column,
                        ));
                    }
                    if !columns.iter().any(|c| &c.name == column) {
                        return Err(PgError::error(
                            code::UNDEFINED_COLUMN,
                            format!("column \"{column}\" of relation \"{name}\" does not exist"),
                        ));
                    }
                    let mut col = column_entry(column);
                    let label = format!("column \"{column}\" of relation \"{name}\"");
                    self.grant_on(
                        g, &who, &grantees, &label, &name, kind, &entry, &mut col, *bits, sink,
                    )?;
                    acl::store(&self.conn, &acl::column_key(&name, column), &col)?;
                }
            }
            if requested == Some(0) {
                self.acl_written.set(true);
                continue;
            }
            // REVOKE of table privileges takes them from every column too.
            if !g.is_grant && kind != ObjectKind::Schema && kind != ObjectKind::Database {
                let keys: Vec<String> = match &stored {
                    Some(s) => s.keys().cloned().collect(),
                    None => self.privileges_state().entries.keys().cloned().collect(),
                };
                let prefix = acl::column_key(&name, "");
                let grantor = if who.owns(&entry) {
                    entry.owner
                } else {
                    who.current
                };
                for key in keys.iter().filter(|k| k.starts_with(&prefix)) {
                    let mut col = column_entry(&key[prefix.len()..]);
                    let mut items = col.items();
                    for &grantee in &grantees {
                        acl::apply(
                            &mut items,
                            grantee,
                            grantor,
                            privileges & ObjectKind::Column.all_rights(),
                            false,
                            false,
                            g.grant_option,
                        );
                    }
                    col.acl = Some(items);
                    acl::store(&self.conn, key, &col)?;
                }
            }
            let quoted = format!("\"{name}\"");
            let owner_entry = entry.clone();
            self.grant_on(
                g,
                &who,
                &grantees,
                &quoted,
                &name,
                kind,
                &owner_entry,
                &mut entry,
                privileges,
                sink,
            )?;
            if let Some(oid) = database {
                let items = entry.items();
                datadir::set_database_acl(&self.data_dir, oid, &acl::format_acl(&items))?;
                self.catalog_changed_here();
                continue;
            }
            acl::store(&self.conn, &name, &entry)?;
            self.acl_written.set(true);
        }
        Ok(())
    }

    /// One object's (or column's) part of GRANT / REVOKE: the grantor and
    /// what it may grant (restrict_and_check_grant: the owner of
    /// `owner_entry` grants everything as the owner, others what they hold
    /// with grant option), then merge_acl_with_grant into `entry`.
    #[allow(clippy::too_many_arguments)]
    fn grant_on(
        &self,
        g: &Grant,
        who: &acl::Who,
        grantees: &[i64],
        label: &str,
        relation: &str,
        kind: ObjectKind,
        owner_entry: &Entry,
        entry: &mut Entry,
        privileges: u16,
        sink: &mut dyn ResultSink,
    ) -> Result<(), PgError> {
        let all = entry.kind.all_rights();
        let mut items = entry.items();
        let (grantor, may_grant) = if who.owns(owner_entry) {
            (owner_entry.owner, all)
        } else {
            let options = who.grant_options(owner_entry) | who.grant_options(entry);
            let held = who.mask(owner_entry) | who.mask(entry);
            if options == 0 && held & all == 0 {
                return Err(acl::denied(kind, relation));
            }
            (who.current, options)
        };
        let effective = privileges & may_grant;
        if effective != privileges {
            let message = match (g.is_grant, effective == 0) {
                (true, true) => format!("no privileges were granted for {label}"),
                (true, false) => format!("not all privileges were granted for {label}"),
                (false, true) => format!("no privileges could be revoked for {label}"),
                (false, false) => format!("not all privileges could be revoked for {label}"),
            };
            let state = if g.is_grant {
                code::WARNING_PRIVILEGE_NOT_GRANTED
            } else {
                code::WARNING_PRIVILEGE_NOT_REVOKED
            };
            sink.notice(PgError::new(Severity::Warning, state, message));
        }
        for &grantee in grantees.iter().filter(|_| effective != 0) {
            let options_only = !g.is_grant && g.grant_option;
            acl::apply(
                &mut items,
                grantee,
                grantor,
                effective,
                g.is_grant,
                g.grant_option,
                options_only,
            );
            if !g.is_grant
                && acl::revoke_dependents(&mut items.clone(), grantee, effective, entry.owner)
            {
                if !g.cascade {
                    return Err(PgError::error(
                        code::DEPENDENT_PRIVILEGE_DESCRIPTORS_STILL_EXIST,
                        "dependent privileges exist",
                    )
                    .with_hint("Use CASCADE to revoke them too."));
                }
                acl::revoke_dependents(&mut items, grantee, effective, entry.owner);
            }
        }
        entry.acl = Some(items);
        Ok(())
    }

    /// ALTER ... OWNER TO (ATExecChangeOwner, AlterSchemaOwner,
    /// AlterDatabaseOwner): the owner of the object (or a superuser), a
    /// member of the new owner, which must be able to create such an
    /// object where it is.
    fn alter_owner(&mut self, o: &AlterOwner, sink: &mut dyn ResultSink) -> Result<(), PgError> {
        let catalog = self.catalog()?;
        let (new_owner, new_name) = self.role_oid(&catalog, &o.owner)?;
        let who = self.privileges_state().who.clone();
        let member_check = |catalog: &CatalogSnapshot| -> Result<(), PgError> {
            if !who.superuser && !catalog.roles_of(who.current, true).contains(&new_owner) {
                return Err(denied(
                    &format!("must be member of role \"{new_name}\""),
                    "",
                ));
            }
            Ok(())
        };
        let new_who = acl::Who::new(
            &catalog,
            (new_owner, &new_name),
            (new_owner, &new_name),
            self.database_oid,
        );
        match o.target {
            OwnerTarget::Database => {
                let oid = catalog.database_oid(&o.name).ok_or_else(|| {
                    PgError::error(
                        code::INVALID_CATALOG_NAME,
                        format!("database \"{}\" does not exist", o.name),
                    )
                })?;
                let owner = catalog.database_owner(oid);
                if owner == new_owner {
                    return Ok(());
                }
                if !who.superuser {
                    if !catalog.roles_of(who.current, false).contains(&owner) {
                        return Err(acl::not_owner_of("database", &o.name));
                    }
                    member_check(&catalog)?;
                    if !catalog
                        .role_by_oid(who.current)
                        .is_some_and(|r| r.create_db)
                    {
                        return Err(denied("permission denied to change owner of database", ""));
                    }
                }
                datadir::set_database_owner(&self.data_dir, oid, new_owner)?;
                self.catalog_changed_here();
                Ok(())
            }
            OwnerTarget::Schema => {
                if o.name != "public" {
                    return Err(PgError::error(
                        code::INVALID_SCHEMA_NAME,
                        format!("schema \"{}\" does not exist", o.name),
                    ));
                }
                let mut entry = acl::load(&self.conn)?
                    .remove("public")
                    .filter(|e| e.kind == ObjectKind::Schema)
                    .unwrap_or_else(|| acl::default_entry(ObjectKind::Schema));
                if entry.owner == new_owner {
                    return Ok(());
                }
                if !who.owns(&entry) {
                    return Err(acl::not_owner(ObjectKind::Schema, "public"));
                }
                member_check(&catalog)?;
                // (CREATE on the database: its owner's, without ACLs.)
                if !who.superuser
                    && !new_who.superuser
                    && !new_who
                        .privileges_of
                        .contains(&catalog.database_owner(self.database_oid))
                {
                    return Err(acl::denied_for("database", &self.database));
                }
                entry.acl = Some(acl::new_owner(&entry.items(), entry.owner, new_owner));
                entry.owner = new_owner;
                acl::store(&self.conn, "public", &entry)?;
                self.acl_written.set(true);
                Ok(())
            }
            OwnerTarget::Relation(said) => {
                let Some(kind) = self.relation_kind(&o.name) else {
                    if o.missing_ok {
                        sink.notice(PgError::new(
                            Severity::Notice,
                            code::SUCCESSFUL_COMPLETION,
                            format!("relation \"{}\" does not exist, skipping", o.name),
                        ));
                        return Ok(());
                    }
                    return Err(PgError::error(
                        code::UNDEFINED_TABLE,
                        format!("relation \"{}\" does not exist", o.name),
                    ));
                };
                if said != ObjectKind::Table && said != kind {
                    return Err(PgError::error(
                        code::WRONG_OBJECT_TYPE,
                        format!("\"{}\" is not a {}", o.name, said.word()),
                    ));
                }
                let stored = acl::load(&self.conn)?;
                let mut entry = stored
                    .get(&o.name)
                    .cloned()
                    .unwrap_or_else(|| acl::default_entry(kind));
                entry.kind = kind;
                if entry.owner == new_owner {
                    return Ok(());
                }
                if kind == ObjectKind::Sequence {
                    let owned = self.sequences().owned_table(&o.name)?;
                    if let Some(table) = owned {
                        return Err(PgError::error(
                            code::FEATURE_NOT_SUPPORTED,
                            format!("cannot change owner of sequence \"{}\"", o.name),
                        )
                        .with_detail(format!(
                            "Sequence \"{}\" is linked to table \"{table}\".",
                            o.name
                        )));
                    }
                }
                if !who.owns(&entry) {
                    return Err(acl::not_owner(kind, &o.name));
                }
                member_check(&catalog)?;
                let schema = self.privileges_state().entry("public", ObjectKind::Schema);
                let schema = stored.get("public").cloned().unwrap_or(schema);
                if !who.superuser && !new_who.superuser && new_who.mask(&schema) & acl::CREATE == 0
                {
                    return Err(acl::denied(ObjectKind::Schema, "public"));
                }
                let old_owner = entry.owner;
                let mut changed = vec![(o.name.clone(), entry)];
                // Its columns' entries, and the sequences it owns.
                let prefix = acl::column_key(&o.name, "");
                for (key, e) in stored.iter().filter(|(k, _)| k.starts_with(&prefix)) {
                    changed.push((key.clone(), e.clone()));
                }
                if kind == ObjectKind::Table {
                    for (seq, _) in self.sequences().owned_by(&o.name)? {
                        let e = stored
                            .get(&seq)
                            .cloned()
                            .unwrap_or_else(|| acl::default_entry(ObjectKind::Sequence));
                        changed.push((seq, e));
                    }
                }
                for (name, mut e) in changed {
                    if e.acl.is_some() || e.kind == ObjectKind::Column {
                        e.acl = Some(acl::new_owner(&e.items(), old_owner, new_owner));
                    }
                    e.owner = new_owner;
                    acl::store(&self.conn, &name, &e)?;
                }
                self.acl_written.set(true);
                Ok(())
            }
        }
    }

    /// ALTER DEFAULT PRIVILEGES (SetDefaultACL): per target role, the
    /// ACL its new tables / sequences get, starting from acldefault (every
    /// schema's) or empty (IN SCHEMA's); one equal to that start is not
    /// kept.
    fn default_privileges(&mut self, d: &DefaultPrivileges) -> Result<(), PgError> {
        let catalog = self.catalog()?;
        let who = self.privileges_state().who.clone();
        let mut targets = Vec::new();
        for r in &d.roles {
            let (oid, name) = self.role_oid(&catalog, r)?;
            if !who.superuser && !who.privileges_of.contains(&oid) {
                return Err(denied(&format!("must be member of role \"{name}\""), ""));
            }
            targets.push(oid);
        }
        if targets.is_empty() {
            targets.push(who.current);
        }
        let g = &d.grant;
        let mut grantees = Vec::new();
        for r in &g.grantees {
            let (oid, _) = self.role_oid(&catalog, r)?;
            if oid == acl::PUBLIC && g.grant_option && g.is_grant {
                return Err(PgError::error(
                    code::INVALID_GRANT_OPERATION,
                    "grant options can only be granted to roles",
                ));
            }
            grantees.push(oid);
        }
        let kind = g.kind;
        let all = kind.all_rights();
        let mut privileges = 0;
        match &g.privileges {
            None => privileges = all,
            Some(list) => {
                for (n, columns) in list {
                    if !columns.is_empty() {
                        return Err(PgError::error(
                            code::INVALID_GRANT_OPERATION,
                            "default privileges cannot be set for columns",
                        ));
                    }
                    let bit = acl::privilege_bits(n).ok_or_else(|| {
                        PgError::error(
                            code::SYNTAX_ERROR,
                            format!("unrecognized privilege type \"{n}\""),
                        )
                    })?;
                    if bit & !all != 0 {
                        return Err(invalid_privilege(bit, kind));
                    }
                    privileges |= bit;
                }
            }
        }
        let objtype = if kind == ObjectKind::Sequence {
            "S"
        } else {
            "r"
        };
        let schema = if d.in_schema { "public" } else { "" };
        for role in targets {
            let start = if d.in_schema {
                Vec::new()
            } else {
                Entry {
                    kind,
                    owner: role,
                    acl: None,
                }
                .items()
            };
            let mut items = acl::entry_defaults(&self.conn, role, objtype)?
                .into_iter()
                .find(|(s, _)| s == schema)
                .map_or_else(|| start.clone(), |(_, a)| a);
            for &grantee in &grantees {
                acl::apply(
                    &mut items,
                    grantee,
                    role,
                    privileges,
                    g.is_grant,
                    g.grant_option,
                    !g.is_grant && g.grant_option,
                );
            }
            let keep = (items != start).then_some(items.as_slice());
            acl::store_default(&self.conn, role, schema, objtype, keep)?;
        }
        self.acl_written.set(true);
        Ok(())
    }

    /// REASSIGN OWNED BY old TO new (`to`: Some) and DROP OWNED BY
    /// (shdepReassignOwned, shdepDropOwned) in this database: the role
    /// must have the privileges of each role named (and of the new owner).
    fn owned(
        &mut self,
        roles: &[RoleRef],
        to: Option<&RoleRef>,
        cascade: bool,
        sink: &mut dyn ResultSink,
    ) -> Result<(), PgError> {
        let catalog = self.catalog()?;
        let who = self.privileges_state().who.clone();
        let word = if to.is_some() { "reassign" } else { "drop" };
        let mut olds = Vec::new();
        for r in roles {
            let (oid, _) = self.role_oid(&catalog, r)?;
            if !who.superuser && !who.privileges_of.contains(&oid) {
                return Err(denied(&format!("permission denied to {word} objects"), ""));
            }
            olds.push(oid);
        }
        let entries = acl::load(&self.conn)?;
        if let Some(to) = to {
            let (new, new_name) = self.role_oid(&catalog, to)?;
            if !who.superuser && !who.privileges_of.contains(&new) {
                return Err(denied("permission denied to reassign objects", ""));
            }
            for (name, mut e) in entries {
                if !olds.contains(&e.owner) {
                    continue;
                }
                let old = e.owner;
                if e.acl.is_some() || e.kind == ObjectKind::Column {
                    e.acl = Some(acl::new_owner(&e.items(), old, new));
                }
                e.owner = new;
                acl::store(&self.conn, &name, &e)?;
                self.acl_written.set(true);
            }
            // This database too, when one of them owns it.
            if olds.contains(&catalog.database_owner(self.database_oid)) {
                datadir::set_database_owner(&self.data_dir, self.database_oid, new)?;
                self.catalog_changed_here();
            }
            let _ = new_name;
            return Ok(());
        }
        // DROP OWNED: their relations go (views first), their privileges
        // on the rest are revoked.
        let mut drops: Vec<(u8, String, ObjectKind)> = Vec::new();
        for (name, mut e) in entries {
            if e.kind != ObjectKind::Column
                && e.kind != ObjectKind::Schema
                && olds.contains(&e.owner)
            {
                if let Some(kind) = self.relation_kind(&name) {
                    let order = match kind {
                        ObjectKind::View => 0,
                        ObjectKind::Table => 1,
                        _ => 2,
                    };
                    drops.push((order, name, kind));
                    continue;
                }
            }
            let before = e.items();
            let after: Vec<acl::AclItem> = before
                .iter()
                .filter(|i| !olds.contains(&i.grantee))
                .cloned()
                .collect();
            if after.len() != before.len() {
                e.acl = Some(after);
                acl::store(&self.conn, &name, &e)?;
                self.acl_written.set(true);
            }
        }
        drops.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        for (_, name, kind) in drops {
            // (A table's sequences went with it.)
            if self.relation_kind(&name).is_none() {
                continue;
            }
            let word = match kind {
                ObjectKind::View => "VIEW",
                ObjectKind::Sequence => "SEQUENCE",
                _ => "TABLE",
            };
            let sql = format!(
                "DROP {word} {}{}",
                crate::session::quote_ident(&name),
                if cascade { " CASCADE" } else { "" }
            );
            let translated = self.translate(&sql)?;
            let params = crate::session::Params {
                values: &[],
                types: &[],
            };
            self.execute_inner(&translated, &params, None, sink)?;
        }
        // Their privileges on this database.
        let entry = catalog.database_entry(self.database_oid);
        let items = entry.items();
        let kept: Vec<acl::AclItem> = items
            .iter()
            .filter(|i| !olds.contains(&i.grantee))
            .cloned()
            .collect();
        if kept.len() != items.len() {
            datadir::set_database_acl(&self.data_dir, self.database_oid, &acl::format_acl(&kept))?;
            self.catalog_changed_here();
        }
        Ok(())
    }

    /// The relations of `kind` in the public schema (ON ALL TABLES /
    /// SEQUENCES IN SCHEMA public).
    fn all_relations(&self, kind: ObjectKind) -> Result<Vec<(String, ObjectKind)>, PgError> {
        if kind == ObjectKind::Sequence {
            let names = self.sequences().names()?;
            return Ok(names
                .into_iter()
                .map(|n| (n, ObjectKind::Sequence))
                .collect());
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT name FROM main.sqlite_schema WHERE type IN ('table', 'view') \
                 AND name NOT LIKE 'pm$%' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .map_err(|e| crate::errors::from_sqlite(&e))?;
        let names = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| crate::errors::from_sqlite(&e))?;
        Ok(names
            .into_iter()
            .filter_map(|n| self.relation_kind(&n).map(|k| (n, k)))
            .collect())
    }
}

use crate::analyze;

/// The lowest privilege bit set in `bits`.
fn first_bit(bits: u16) -> u16 {
    bits & bits.wrapping_neg()
}

/// 0LP01 `invalid privilege type DELETE for column`.
fn invalid_privilege(bit: u16, kind: ObjectKind) -> PgError {
    PgError::error(
        code::INVALID_GRANT_OPERATION,
        format!(
            "invalid privilege type {} for {}",
            acl::privilege_name(bit),
            kind.word()
        ),
    )
}
