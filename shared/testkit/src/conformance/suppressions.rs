//! `SuppressionList`: the first entry stands, a lift lands with its audit event or not at all,
//! erasure forgets.

use super::*;
use tessera_kernel::audit::{AuditLog, AuditParty};
use tessera_kernel::ports::Random;
use tessera_kernel::suppression::{Suppression, SuppressionList, SuppressionReason};

pub async fn a_suppression_stands_until_lifted_with_its_event(
    list: &dyn SuppressionList,
    log: &dyn AuditLog,
    random: &dyn Random,
) {
    let address = format!("bounced.{}@example.com", crate::app::unique());
    assert_eq!(list.suppression(&address).await.unwrap(), None);
    let first = Suppression {
        address: address.clone(),
        reason: SuppressionReason::HardBounce,
        since: Timestamp(1_000),
    };
    list.suppress(&first).await.unwrap();
    let later = Suppression {
        reason: SuppressionReason::Complaint,
        since: Timestamp(2_000),
        ..first.clone()
    };
    list.suppress(&later).await.unwrap();
    assert_eq!(
        list.suppression(&address).await.unwrap().as_ref(),
        Some(&first),
        "the first entry stands"
    );

    let subject = format!("lift-{}", crate::app::unique());
    let lifted = super::audit::event(random, 3_000, "support", &subject);
    assert!(list.lift(&address, &lifted).await.unwrap());
    assert_eq!(list.suppression(&address).await.unwrap(), None);
    let again = super::audit::event(random, 3_001, "support", &subject);
    assert!(
        !list.lift(&address, &again).await.unwrap(),
        "nothing to lift"
    );
    assert_eq!(
        events_about(log, AuditParty::new("account", &subject)).await,
        [lifted],
        "one event, for the lift that happened"
    );

    list.suppress(&first).await.unwrap();
    list.forget(&address).await.unwrap();
    list.forget(&address).await.unwrap();
    assert_eq!(list.suppression(&address).await.unwrap(), None, "forgotten");
}
