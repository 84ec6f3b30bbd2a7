//! Role and privilege statements from PostgreSQL's parse tree: CREATE /
//! ALTER / DROP ROLE with all of PostgreSQL's options, GRANT / REVOKE of
//! roles and of privileges on tables, sequences and schemas, SET ROLE and
//! SET SESSION AUTHORIZATION. What they do is in `session/privileges.rs`.

use pg_query::protobuf::{self as pb, node::Node as N};
use pm_elog::{sqlstate as code, PgError};

use crate::acl::ObjectKind;
use crate::dialect::{Command, Tag, Translated};

/// What CREATE/ALTER ROLE sets; None leaves an attribute alone. The
/// password is the cleartext (or pre-hashed text) the statement gave;
/// `Some(None)` is PASSWORD NULL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleOptions {
    pub superuser: Option<bool>,
    pub login: Option<bool>,
    pub password: Option<Option<String>>,
    pub inherit: Option<bool>,
    pub create_role: Option<bool>,
    pub create_db: Option<bool>,
    pub replication: Option<bool>,
    pub bypass_rls: Option<bool>,
    pub connection_limit: Option<i64>,
    pub valid_until: Option<Option<String>>,
    /// IN ROLE r: the new role becomes a member of r.
    pub in_roles: Vec<RoleRef>,
    /// ROLE r: r becomes a member of the new role.
    pub members: Vec<RoleRef>,
    /// ADMIN r: r becomes a member WITH ADMIN OPTION.
    pub admins: Vec<RoleRef>,
}

/// A role as a statement names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleRef {
    Name(String),
    CurrentUser,
    SessionUser,
    Public,
}

/// GRANT / REVOKE of privileges on objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub is_grant: bool,
    pub kind: ObjectKind,
    /// The objects, or every one of `kind` in the schema (ON ALL TABLES
    /// IN SCHEMA public).
    pub objects: Vec<String>,
    pub all_in_schema: bool,
    /// None: ALL [PRIVILEGES]; else each privilege's keyword (`ALL` for
    /// `ALL (cols)`) and the columns it is for (empty: the object).
    pub privileges: Option<Vec<(String, Vec<String>)>>,
    pub grantees: Vec<RoleRef>,
    /// WITH GRANT OPTION, or REVOKE GRANT OPTION FOR.
    pub grant_option: bool,
    pub grantor: Option<RoleRef>,
    pub cascade: bool,
}

/// ALTER DEFAULT PRIVILEGES [FOR ROLE r, ...] [IN SCHEMA public] GRANT /
/// REVOKE ... ON TABLES | SEQUENCES.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultPrivileges {
    /// Empty: the current role.
    pub roles: Vec<RoleRef>,
    /// IN SCHEMA public (else every schema).
    pub in_schema: bool,
    /// The GRANT / REVOKE (its objects are empty).
    pub grant: Grant,
}

/// ALTER ... OWNER TO: the object and its new owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlterOwner {
    pub target: OwnerTarget,
    pub name: String,
    pub owner: RoleRef,
    /// ALTER TABLE IF EXISTS.
    pub missing_ok: bool,
}

/// What ALTER ... OWNER TO names: a relation as the statement's keyword
/// says (TABLE takes any), a schema or a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerTarget {
    Relation(ObjectKind),
    Schema,
    Database,
}

/// GRANT role TO role / REVOKE role FROM role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRole {
    pub is_grant: bool,
    pub roles: Vec<RoleRef>,
    pub grantees: Vec<RoleRef>,
    /// WITH ADMIN OPTION, or REVOKE ADMIN OPTION FOR.
    pub admin: bool,
}

/// SET [LOCAL] ROLE / SESSION AUTHORIZATION, RESET of either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetRole {
    pub session_authorization: bool,
    /// None: NONE / DEFAULT / RESET.
    pub role: Option<String>,
    pub local: bool,
}

fn not_supported(what: &str) -> PgError {
    PgError::error(
        code::FEATURE_NOT_SUPPORTED,
        format!("{what} is not supported"),
    )
}

fn role_ref(spec: &pb::RoleSpec) -> RoleRef {
    use pb::RoleSpecType as T;
    match spec.roletype {
        x if x == T::RolespecCurrentUser as i32 || x == T::RolespecCurrentRole as i32 => {
            RoleRef::CurrentUser
        }
        x if x == T::RolespecSessionUser as i32 => RoleRef::SessionUser,
        x if x == T::RolespecPublic as i32 => RoleRef::Public,
        _ => RoleRef::Name(spec.rolename.clone()),
    }
}

fn str_of(n: &pb::Node) -> Option<String> {
    match n.node.as_ref() {
        Some(N::String(s)) => Some(s.sval.clone()),
        _ => None,
    }
}

fn role_refs(nodes: &[pb::Node]) -> Vec<RoleRef> {
    nodes
        .iter()
        .filter_map(|n| match n.node.as_ref() {
            Some(N::RoleSpec(r)) => Some(role_ref(r)),
            Some(N::AccessPriv(p)) => Some(RoleRef::Name(p.priv_name.clone())),
            _ => None,
        })
        .collect()
}

fn bool_arg(arg: Option<&N>) -> bool {
    match arg {
        Some(N::Boolean(b)) => b.boolval,
        Some(N::Integer(i)) => i.ival != 0,
        _ => true,
    }
}

/// The options of CREATE / ALTER ROLE (DefElems as gram.y makes them).
fn role_options(options: &[pb::Node], create: bool, is_user: bool) -> Result<RoleOptions, PgError> {
    let mut out = RoleOptions {
        login: (create && is_user).then_some(true),
        ..Default::default()
    };
    for o in options {
        let Some(N::DefElem(d)) = o.node.as_ref() else {
            continue;
        };
        let arg = d.arg.as_deref().and_then(|a| a.node.as_ref());
        match d.defname.as_str() {
            "superuser" => out.superuser = Some(bool_arg(arg)),
            "canlogin" => out.login = Some(bool_arg(arg)),
            "inherit" => out.inherit = Some(bool_arg(arg)),
            "createrole" => out.create_role = Some(bool_arg(arg)),
            "createdb" => out.create_db = Some(bool_arg(arg)),
            "isreplication" => out.replication = Some(bool_arg(arg)),
            "bypassrls" => out.bypass_rls = Some(bool_arg(arg)),
            "connectionlimit" => {
                let limit = match arg {
                    Some(N::Integer(i)) => i64::from(i.ival),
                    _ => -1,
                };
                if limit < -1 {
                    return Err(PgError::error(
                        code::INVALID_PARAMETER_VALUE,
                        format!("invalid connection limit: {limit}"),
                    ));
                }
                out.connection_limit = Some(limit);
            }
            "password" => {
                out.password = Some(match arg {
                    Some(N::String(s)) => Some(s.sval.clone()),
                    _ => None,
                })
            }
            "validUntil" => {
                out.valid_until = Some(match arg {
                    Some(N::String(s)) => Some(s.sval.clone()),
                    _ => None,
                })
            }
            "addroleto" => out.in_roles = role_list(arg),
            "rolemembers" => out.members = role_list(arg),
            "adminmembers" => out.admins = role_list(arg),
            "sysid" => {}
            other => return Err(not_supported(&format!("role option \"{other}\""))),
        }
    }
    Ok(out)
}

fn role_list(arg: Option<&N>) -> Vec<RoleRef> {
    match arg {
        Some(N::List(l)) => role_refs(&l.items),
        _ => Vec::new(),
    }
}

fn fixed(command: Command, tag: &str) -> Translated {
    Translated {
        needs: Default::default(),
        command,
        tag: Tag::Fixed(tag.to_string()),
        inferred: Default::default(),
        param_types: Some(Vec::new()),
        literals: Vec::new(),
    }
}

/// The statement as a role or privilege command, None when it is not one.
pub fn plan(node: &N) -> Result<Option<Translated>, PgError> {
    Ok(Some(match node {
        N::CreateRoleStmt(s) => {
            let is_user = s.stmt_type == pb::RoleStmtType::RolestmtUser as i32;
            let options = role_options(&s.options, true, is_user)?;
            fixed(
                Command::CreateRole {
                    name: s.role.clone(),
                    options,
                },
                "CREATE ROLE",
            )
        }
        N::AlterRoleStmt(s) => {
            let Some(role) = s.role.as_ref() else {
                return Ok(None);
            };
            let options = role_options(&s.options, false, false)?;
            // ALTER GROUP g ADD / DROP USER u, ...: the grammar's
            // AlterRoleStmt with action +1 / -1 and the users as
            // `rolemembers`; a GRANT / REVOKE of g (AlterRole's
            // AddRoleMems / DelRoleMems).
            if !options.members.is_empty() {
                return Ok(Some(fixed(
                    Command::GrantRole(GrantRole {
                        is_grant: s.action == 1,
                        roles: vec![role_ref(role)],
                        grantees: options.members,
                        admin: false,
                    }),
                    "ALTER ROLE",
                )));
            }
            fixed(
                Command::AlterRole {
                    role: role_ref(role),
                    options,
                },
                "ALTER ROLE",
            )
        }
        N::DropRoleStmt(s) => fixed(
            Command::DropRole {
                names: role_refs(&s.roles),
                missing_ok: s.missing_ok,
            },
            "DROP ROLE",
        ),
        N::RenameStmt(r) if r.rename_type == pb::ObjectType::ObjectRole as i32 => fixed(
            Command::RenameRole {
                name: r.subname.clone(),
                new_name: r.newname.clone(),
            },
            "ALTER ROLE",
        ),
        N::GrantRoleStmt(s) => {
            let admin = s.opt.iter().any(|o| match o.node.as_ref() {
                Some(N::DefElem(d)) => {
                    d.defname == "admin" && bool_arg(d.arg.as_deref().and_then(|a| a.node.as_ref()))
                }
                _ => false,
            });
            if s.opt
                .iter()
                .any(|o| matches!(o.node.as_ref(), Some(N::DefElem(d)) if d.defname != "admin"))
            {
                return Err(not_supported("this option of GRANT role"));
            }
            fixed(
                Command::GrantRole(GrantRole {
                    is_grant: s.is_grant,
                    roles: role_refs(&s.granted_roles),
                    grantees: role_refs(&s.grantee_roles),
                    admin,
                }),
                if s.is_grant {
                    "GRANT ROLE"
                } else {
                    "REVOKE ROLE"
                },
            )
        }
        N::AlterTableStmt(a)
            if a.cmds.len() == 1
                && matches!(a.cmds[0].node.as_ref(), Some(N::AlterTableCmd(c))
                    if c.subtype == pb::AlterTableType::AtChangeOwner as i32) =>
        {
            use pb::ObjectType as O;
            let Some(N::AlterTableCmd(cmd)) = a.cmds[0].node.as_ref() else {
                return Ok(None);
            };
            let (kind, tag) = match a.objtype {
                x if x == O::ObjectTable as i32 => (ObjectKind::Table, "ALTER TABLE"),
                x if x == O::ObjectView as i32 => (ObjectKind::View, "ALTER VIEW"),
                x if x == O::ObjectSequence as i32 => (ObjectKind::Sequence, "ALTER SEQUENCE"),
                _ => return Err(not_supported("this form of ALTER ... OWNER TO")),
            };
            let Some(rv) = a.relation.as_ref() else {
                return Ok(None);
            };
            if !rv.schemaname.is_empty() && rv.schemaname != "public" {
                return Err(PgError::error(
                    code::INVALID_SCHEMA_NAME,
                    format!("schema \"{}\" does not exist", rv.schemaname),
                ));
            }
            let Some(owner) = cmd.newowner.as_ref().map(role_ref) else {
                return Ok(None);
            };
            fixed(
                Command::AlterOwner(AlterOwner {
                    target: OwnerTarget::Relation(kind),
                    name: rv.relname.clone(),
                    owner,
                    missing_ok: a.missing_ok,
                }),
                tag,
            )
        }
        N::AlterOwnerStmt(o)
            if o.object_type == pb::ObjectType::ObjectSchema as i32
                || o.object_type == pb::ObjectType::ObjectDatabase as i32 =>
        {
            let schema = o.object_type == pb::ObjectType::ObjectSchema as i32;
            let (Some(name), Some(owner)) = (
                o.object.as_deref().and_then(str_of),
                o.newowner.as_ref().map(role_ref),
            ) else {
                return Ok(None);
            };
            fixed(
                Command::AlterOwner(AlterOwner {
                    target: if schema {
                        OwnerTarget::Schema
                    } else {
                        OwnerTarget::Database
                    },
                    name,
                    owner,
                    missing_ok: false,
                }),
                if schema {
                    "ALTER SCHEMA"
                } else {
                    "ALTER DATABASE"
                },
            )
        }
        N::AlterDefaultPrivilegesStmt(a) => {
            let mut roles = Vec::new();
            let mut in_schema = false;
            for o in &a.options {
                let Some(N::DefElem(d)) = o.node.as_ref() else {
                    continue;
                };
                let list = match d.arg.as_deref().and_then(|x| x.node.as_ref()) {
                    Some(N::List(l)) => l.items.clone(),
                    _ => Vec::new(),
                };
                match d.defname.as_str() {
                    "roles" => roles = role_refs(&list),
                    "schemas" => {
                        for name in list.iter().filter_map(str_of) {
                            if name != "public" {
                                return Err(PgError::error(
                                    code::INVALID_SCHEMA_NAME,
                                    format!("schema \"{name}\" does not exist"),
                                ));
                            }
                        }
                        in_schema = true;
                    }
                    _ => return Err(not_supported("this option of ALTER DEFAULT PRIVILEGES")),
                }
            }
            let Some(action) = a.action.as_ref() else {
                return Ok(None);
            };
            use pb::ObjectType as O;
            if action.objtype != O::ObjectTable as i32 && action.objtype != O::ObjectSequence as i32
            {
                return Err(not_supported(
                    "ALTER DEFAULT PRIVILEGES on other objects than tables and sequences",
                ));
            }
            let mut plain = action.clone();
            plain.targtype = pb::GrantTargetType::AclTargetObject as i32;
            fixed(
                Command::DefaultPrivileges(Box::new(DefaultPrivileges {
                    roles,
                    in_schema,
                    grant: grant(&plain)?,
                })),
                "ALTER DEFAULT PRIVILEGES",
            )
        }
        N::ReassignOwnedStmt(r) => fixed(
            Command::Owned {
                roles: role_refs(&r.roles),
                to: r.newrole.as_ref().map(role_ref),
                cascade: false,
            },
            "REASSIGN OWNED",
        ),
        N::DropOwnedStmt(d) => fixed(
            Command::Owned {
                roles: role_refs(&d.roles),
                to: None,
                cascade: d.behavior == pb::DropBehavior::DropCascade as i32,
            },
            "DROP OWNED",
        ),
        N::GrantStmt(s) => {
            let tag = if s.is_grant { "GRANT" } else { "REVOKE" };
            fixed(Command::Grant(Box::new(grant(s)?)), tag)
        }
        N::VariableSetStmt(v) if v.name == "role" || v.name == "session_authorization" => {
            use pb::VariableSetKind as K;
            let value = match v.args.first().and_then(|a| a.node.as_ref()) {
                Some(N::AConst(c)) => match c.val.as_ref() {
                    Some(pb::a_const::Val::Sval(s)) => Some(s.sval.clone()),
                    _ => None,
                },
                _ => None,
            };
            let role = if v.kind == K::VarSetValue as i32 {
                value.filter(|r| !(v.name == "role" && r.eq_ignore_ascii_case("none")))
            } else {
                None
            };
            let tag = if v.kind == K::VarReset as i32 {
                "RESET"
            } else {
                "SET"
            };
            fixed(
                Command::SetRole(SetRole {
                    session_authorization: v.name == "session_authorization",
                    role,
                    local: v.is_local,
                }),
                tag,
            )
        }
        _ => return Ok(None),
    }))
}

fn grant(s: &pb::GrantStmt) -> Result<Grant, PgError> {
    use pb::ObjectType as O;
    let kind = match s.objtype {
        x if x == O::ObjectTable as i32 => ObjectKind::Table,
        x if x == O::ObjectSequence as i32 => ObjectKind::Sequence,
        x if x == O::ObjectSchema as i32 => ObjectKind::Schema,
        x if x == O::ObjectDatabase as i32 => ObjectKind::Database,
        _ => return Err(not_supported("GRANT / REVOKE on this kind of object")),
    };
    let all_in_schema = s.targtype == pb::GrantTargetType::AclTargetAllInSchema as i32;
    if s.targtype == pb::GrantTargetType::AclTargetDefaults as i32 {
        return Err(not_supported("ALTER DEFAULT PRIVILEGES"));
    }
    let mut objects = Vec::new();
    for o in &s.objects {
        match o.node.as_ref() {
            Some(N::RangeVar(rv)) => {
                if !rv.schemaname.is_empty() && rv.schemaname != "public" {
                    return Err(PgError::error(
                        code::INVALID_SCHEMA_NAME,
                        format!("schema \"{}\" does not exist", rv.schemaname),
                    ));
                }
                objects.push(rv.relname.clone());
            }
            Some(N::String(name)) => objects.push(name.sval.clone()),
            _ => return Err(not_supported("GRANT / REVOKE on this object")),
        }
    }
    let privileges = if s.privileges.is_empty() {
        None
    } else {
        let mut names = Vec::new();
        for p in &s.privileges {
            if let Some(N::AccessPriv(ap)) = p.node.as_ref() {
                let columns = ap.cols.iter().filter_map(str_of).collect();
                let name = if ap.priv_name.is_empty() {
                    "ALL".to_string()
                } else {
                    ap.priv_name.clone()
                };
                names.push((name, columns));
            }
        }
        Some(names)
    };
    Ok(Grant {
        is_grant: s.is_grant,
        kind,
        objects,
        all_in_schema,
        privileges,
        grantees: role_refs(&s.grantees),
        grant_option: s.grant_option,
        grantor: s.grantor.as_ref().map(role_ref),
        cascade: s.behavior == pb::DropBehavior::DropCascade as i32,
    })
}

/// What a utility statement needs and changes in the ACL catalog
/// (queries get theirs from the analyzer, [`crate::acl::Access`]).
pub fn needs(node: &N, text: &str) -> crate::acl::Needs {
    use crate::acl::{self, Access, Needs};
    use pb::ObjectType as O;
    let mut out = Needs::default();
    let relname = |rv: &Option<pb::RangeVar>| rv.as_ref().map(|r| r.relname.clone());
    let reads = |out: &mut Needs| {
        if let Ok(parsed) = pg_query::parse(text, 0) {
            for t in parsed.select_tables() {
                out.access
                    .push(Access::new(t.trim_start_matches("public."), acl::SELECT));
            }
        }
    };
    match node {
        N::CreateStmt(c) => {
            if let Some(name) = relname(&c.relation) {
                out.creates.push((name, ObjectKind::Table));
            }
        }
        N::ViewStmt(v) => {
            if let Some(name) = relname(&v.view) {
                out.creates.push((name, ObjectKind::View));
            }
        }
        N::CreateTableAsStmt(c) => {
            let name = c
                .into
                .as_ref()
                .and_then(|i| i.rel.as_ref())
                .map(|r| r.relname.clone());
            if let Some(name) = name {
                out.creates.push((name, ObjectKind::Table));
            }
            reads(&mut out);
        }
        N::SelectStmt(s) => {
            if let Some(name) = s
                .into_clause
                .as_ref()
                .and_then(|i| i.rel.as_ref())
                .map(|r| r.relname.clone())
            {
                out.creates.push((name, ObjectKind::Table));
            }
        }
        N::CreateSeqStmt(s) => {
            if let Some(name) = relname(&s.sequence) {
                out.creates.push((name, ObjectKind::Sequence));
            }
        }
        N::DropStmt(d)
            if [O::ObjectTable, O::ObjectView, O::ObjectSequence]
                .iter()
                .any(|o| *o as i32 == d.remove_type) =>
        {
            for o in &d.objects {
                let Some(N::List(l)) = o.node.as_ref() else {
                    continue;
                };
                let name = l.items.iter().rev().find_map(|i| match i.node.as_ref() {
                    Some(N::String(s)) => Some(s.sval.clone()),
                    _ => None,
                });
                if let Some(name) = name {
                    out.owns.push(name.clone());
                    out.drops.push(name);
                }
            }
        }
        N::AlterTableStmt(a) => out.owns.extend(relname(&a.relation)),
        N::AlterSeqStmt(a) => out.owns.extend(relname(&a.sequence)),
        N::IndexStmt(i) => out.owns.extend(relname(&i.relation)),
        N::RenameStmt(r) => {
            if let Some(name) = relname(&r.relation) {
                out.owns.push(name.clone());
                let relation = [O::ObjectTable, O::ObjectView, O::ObjectSequence]
                    .iter()
                    .any(|o| *o as i32 == r.rename_type);
                if relation {
                    out.rename = Some((name, r.newname.clone()));
                }
            }
        }
        N::TruncateStmt(t) => {
            for r in &t.relations {
                if let Some(N::RangeVar(rv)) = r.node.as_ref() {
                    out.access
                        .push(Access::new(rv.relname.clone(), acl::TRUNCATE));
                }
            }
        }
        N::CopyStmt(c) => {
            if let Some(name) = relname(&c.relation) {
                // Each column copied needs the privilege (all of them
                // without a column list).
                let privilege = if c.is_from { acl::INSERT } else { acl::SELECT };
                let mut access = Access::new(name, privilege);
                let columns: Vec<String> = c.attlist.iter().filter_map(str_of).collect();
                if columns.is_empty() {
                    access.add_column("*", privilege);
                }
                for column in columns {
                    access.add_column(&column, privilege);
                }
                out.access.push(access);
            } else {
                reads(&mut out);
            }
        }
        _ => {}
    }
    out
}
