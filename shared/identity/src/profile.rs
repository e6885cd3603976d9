//! Profile edits: the profile's own attributes, and the copy of the first name the identity
//! keeps to greet its owner by email.

use crate::account::{Profile, ProfileEdit};
use crate::signup::IdentityDeps;
use tessera_kernel::email::Email;
use tessera_kernel::person::Name;
use tessera_kernel::ports::StoreError;
use tessera_kernel::race::landed;

/// Applies `edit` to the profile of `account`; the profile as it is after, or `None` if it is
/// gone. A new first name is copied onto the identity too (a cosmetic copy: if that second write
/// fails, emails greet by the old name until the next edit, and the answer is still the edit's).
pub async fn edit(
    deps: &IdentityDeps,
    account: &Profile,
    edit: &ProfileEdit,
) -> Result<Option<Profile>, StoreError> {
    let updated = deps.store.edit_profile(&account.account_id, edit).await?;
    if let (Some(_), Some(name)) = (&updated, &edit.first_name) {
        if let Err(error) = refresh_greeting(deps, &account.email, name).await {
            tracing::warn!(error = %error, "greeting name not refreshed");
        }
    }
    Ok(updated)
}

async fn refresh_greeting(
    deps: &IdentityDeps,
    email: &Email,
    name: &Name,
) -> Result<(), StoreError> {
    tessera_kernel::settle!(
        async {
            let Some(mut identity) = deps.store.identity(email).await? else {
                return Ok(Some(()));
            };
            if identity.greeting_name.as_ref() == Some(name) {
                return Ok(Some(()));
            }
            identity.greeting_name = Some(name.clone());
            Ok(landed(deps.store.update_identity(&identity).await)?.then_some(()))
        }
        .await
    )
}
