//! What every staff route shares: the caller, admitted by one of the route's roles with a session
//! that passed the authenticator, and the reason each write must carry.

use crate::auth::authenticate_staff;
use crate::body::Fields;
use crate::problem::Problem;
use lambda_http::Request;
use tessera_identity::account::Profile;
use tessera_identity::signup::IdentityDeps;
use tessera_identity::staff::Role;
use tessera_kernel::audit::{Attribution, AuditParty, Reason};

/// A staff member using a route, and the role that admitted them.
pub struct StaffCaller {
    pub profile: Profile,
    pub role: Role,
}

impl StaffCaller {
    /// The caller, if they hold one of `allows` and passed the second step (`authenticate_staff`).
    pub async fn admit(
        request: &Request,
        deps: &IdentityDeps,
        allows: &[Role],
    ) -> Result<StaffCaller, Problem> {
        let (_, profile, role) = authenticate_staff(request, deps, allows).await?;
        Ok(StaffCaller { profile, role })
    }

    /// How the audit log names them: by account, as it names the accounts they act on.
    pub fn actor(&self) -> AuditParty {
        AuditParty::new("account", self.profile.account_id.as_str())
    }

    /// Their word, with `reason`, for an audited write.
    pub fn by(&self, reason: Reason) -> Attribution {
        Attribution::new(self.actor(), reason)
    }
}

/// The body's required `reason`: 1–500 characters of text.
pub fn reason(f: &mut Fields) -> Option<Reason> {
    f.parse("reason", "invalid_reason", |raw| {
        Reason::parse(raw).ok_or("must be 1-500 characters of text, without control characters")
    })
}

/// A body that is one required field and a reason (`{account_id, reason}`, `{from, reason}`):
/// the field parsed by `parse` (its error under `code`) and the reason, or the 4xx.
pub fn field_and_reason<T, E: std::fmt::Display>(
    request: &Request,
    field: &str,
    code: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<(T, Reason), Problem> {
    let mut f = Fields::from_request(request, &[field, "reason"])?;
    let value = f.parse(field, code, parse);
    let reason = reason(&mut f);
    match (value, reason, f.is_valid()) {
        (Some(value), Some(reason), true) => Ok((value, reason)),
        _ => Err(f.into_problem()),
    }
}

/// A body that is only `{reason}` (unlock, disable, refund, unmap …): the reason, or the 4xx.
pub fn reason_only(request: &Request) -> Result<Reason, Problem> {
    let mut f = Fields::from_request(request, &["reason"])?;
    let parsed = reason(&mut f);
    parsed
        .filter(|_| f.is_valid())
        .ok_or_else(|| f.into_problem())
}
