//! `onemap user`: the users who sign in to the server, their roles and passwords.

use crate::store_cmds::StoreArg;
use crate::{OutputFormat, UsageError};
use onemap_store::{os_user, Role};

/// Arguments of `onemap user`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

/// How a password is given: on stdin (first line) or in $ONEMAP_PASSWORD, never as an
/// argument (it would show in the process list and the shell history).
#[derive(clap::Args)]
struct PasswordArg {
    /// Read the password from the first line of stdin (else $ONEMAP_PASSWORD).
    #[arg(long)]
    password_stdin: bool,
}

impl PasswordArg {
    fn get(&self) -> anyhow::Result<String> {
        if self.password_stdin {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            return Ok(line.trim_end_matches(['\r', '\n']).to_string());
        }
        std::env::var("ONEMAP_PASSWORD").map_err(|_| {
            UsageError(
                "give the password on stdin with --password-stdin, or in ONEMAP_PASSWORD".into(),
            )
            .into()
        })
    }
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Add a user: admin, city, approver or county:<XZQDM>.
    Add {
        /// User name.
        name: String,
        /// Role: admin, city, approver, county:150502 ….
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[command(flatten)]
        password: PasswordArg,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Set a user's password (also unlocks a locked account).
    Passwd {
        /// User name.
        name: String,
        #[command(flatten)]
        password: PasswordArg,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Change a user's role.
    Role {
        /// User name.
        name: String,
        /// The new role.
        #[arg(value_parser = parse_role)]
        role: Role,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Remove a user.
    Remove {
        /// User name.
        name: String,
        #[command(flatten)]
        store: StoreArg,
    },
    /// The users: name, role, added when and by whom, locked or not.
    List {
        #[command(flatten)]
        store: StoreArg,
        /// Output format (table or json).
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s)
        .ok_or_else(|| format!("{s:?}: a role is admin, city, approver or county:<6-digit XZQDM>"))
}

/// A county role must name a county of the store's 行政区 layer (when it holds one): a
/// mistyped code would give a user who sees nothing.
fn known_county(store: &dyn onemap_store::Store, role: &Role) -> anyhow::Result<()> {
    let Role::County(code) = role else {
        return Ok(());
    };
    let snap = onemap_overlay::Snapshot::load(
        store,
        &onemap_overlay::SnapshotRequest {
            survey_years: vec![],
            kinds: vec![onemap_survey::Kind::Xzq],
            as_of: None,
        },
        &mut |_, _| {},
    );
    let Ok(snap) = snap else { return Ok(()) };
    let counties = onemap_server::auth::counties_of(snap.layer(onemap_survey::Kind::Xzq));
    if counties.is_empty() || counties.iter().any(|(c, _)| c == code) {
        return Ok(());
    }
    Err(UsageError(format!(
        "--role county:{code}: the store's 行政区 layer has no county {code}; its counties are {}",
        counties
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .into())
}

/// Run `onemap user`.
pub fn run(a: Args) -> anyhow::Result<()> {
    let by = os_user();
    match a.cmd {
        Cmd::Add {
            name,
            role,
            password,
            store,
        } => {
            let p = password.get()?;
            let mut st = store.open_or_create()?;
            known_county(&*st, &role)?;
            let u = st.user_add(&name, &role, &p, &by)?;
            println!("user {} added ({})", u.name, u.role.id());
        }
        Cmd::Passwd {
            name,
            password,
            store,
        } => {
            let p = password.get()?;
            store
                .open_store()?
                .user_change(&name, Some(&p), None, false, &by)?;
            println!("password of {name} set; its sessions ended");
        }
        Cmd::Role { name, role, store } => {
            let mut st = store.open_store()?;
            known_county(&*st, &role)?;
            st.user_change(&name, None, Some(&role), false, &by)?;
            println!("{name} is now {}; its sessions ended", role.id());
        }
        Cmd::Remove { name, store } => {
            store
                .open_store()?
                .user_change(&name, None, None, true, &by)?;
            println!("user {name} removed");
        }
        Cmd::List { store, format } => {
            let users = store.open_store()?.users()?;
            match format {
                OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&users)?),
                _ => {
                    for u in &users {
                        println!(
                            "{:<16} {:<16} added {} by {}{}",
                            u.name,
                            u.role.id(),
                            u.created_at,
                            u.created_by,
                            u.locked_until
                                .as_deref()
                                .map(|t| format!("  locked until {t}"))
                                .unwrap_or_default()
                        );
                    }
                }
            }
        }
    }
    Ok(())
}
