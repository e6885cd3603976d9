//! Access levels on both backends, through their flows (the routes and pages come next): a
//! number in the registry makes a customer or a partner, an unknown one is counted, a partner
//! sponsors a customer (the partner's approval is the audit event), a code staff issue grants one
//! resource once, and every change is audited.

use tessera_access::flows::{self, AccessError};
use tessera_access::registry::{AgreementKind, AgreementNumber, RegistryEntry};
use tessera_kernel::audit::{Attribution, AuditParty, Reason};
use tessera_kernel::ids::AccountId;
use tessera_kernel::ports::Clock;
use tessera_kernel::time::Seconds;
use tessera_testkit::app::unique;
use tessera_testkit::{Backend, TestApp};
use tessera_tests::on_both_backends;

fn account() -> AccountId {
    AccountId::from_stored(format!("{:032x}", unique()))
}

fn number(prefix: &str) -> AgreementNumber {
    AgreementNumber::parse(&format!("{prefix}-{}", unique())).unwrap()
}

async fn registered(
    app: &TestApp,
    kind: AgreementKind,
    ends_in: Option<Seconds>,
) -> AgreementNumber {
    let number = number(match kind {
        AgreementKind::ServiceContract => "SC",
        AgreementKind::PartnerAgreement => "PA",
    });
    let now = app.clock.now();
    app.access
        .store
        .put_registry_entries(&[RegistryEntry {
            kind,
            number: number.clone(),
            organisation: "Example Corp".into(),
            expires_at: ends_in.map(|d| now + d),
        }])
        .await
        .unwrap();
    number
}

async fn numbers_from_the_registry_make_customers_and_partners(backend: Backend) {
    let app = TestApp::new(backend).await;
    let deps = &app.access;
    let holder = account();
    let contract = registered(
        &app,
        AgreementKind::ServiceContract,
        Some(Seconds::days(365)),
    )
    .await;
    let unknown = flows::claim(deps, &holder, AgreementKind::ServiceContract, &number("SC")).await;
    assert!(matches!(unknown, Err(AccessError::NotRecognised)));
    let as_agreement =
        flows::claim(deps, &holder, AgreementKind::PartnerAgreement, &contract).await;
    assert!(
        matches!(as_agreement, Err(AccessError::NotRecognised)),
        "a contract is no agreement"
    );
    let record = flows::claim(deps, &holder, AgreementKind::ServiceContract, &contract)
        .await
        .unwrap();
    let now = app.clock.now();
    assert_eq!(record.levels(now), ["guest", "customer"]);
    assert_eq!(
        deps.store.access(&holder).await.unwrap(),
        record,
        "stored as answered"
    );
    app.clock.advance(Seconds::days(366));
    assert_eq!(
        deps.store
            .access(&holder)
            .await
            .unwrap()
            .levels(app.clock.now()),
        ["guest"],
        "the contract ended"
    );
    let ended = flows::claim(deps, &holder, AgreementKind::ServiceContract, &contract).await;
    assert!(
        matches!(ended, Err(AccessError::NotRecognised)),
        "an ended contract grants nothing"
    );
    let events = tessera_tests::audit_about(&app, "account", holder.as_str()).await;
    assert_eq!(events.len(), 1, "one change, one event: {events:?}");
    assert_eq!(events[0].action, "access.claim");
}

async fn wrong_numbers_and_codes_are_counted_per_account(backend: Backend) {
    let app = TestApp::new(backend).await;
    let deps = &app.access;
    let holder = account();
    let contract = registered(&app, AgreementKind::ServiceContract, None).await;
    for _ in 0..flows::GUESSES.max {
        let r = flows::redeem_code(deps, &holder, "0000-0000-0000-0000-0000-0000-0000-0000").await;
        assert!(matches!(r, Err(AccessError::NotRecognised)));
    }
    let r = flows::claim(deps, &holder, AgreementKind::ServiceContract, &contract).await;
    assert!(
        matches!(r, Err(AccessError::TooManyAttempts { .. })),
        "even the right number waits"
    );
    app.clock.advance(flows::GUESSES.window);
    flows::claim(deps, &holder, AgreementKind::ServiceContract, &contract)
        .await
        .unwrap();
    // Right answers give their attempt back: the budget is for wrong ones.
    for _ in 0..flows::GUESSES.max + 2 {
        flows::claim(deps, &holder, AgreementKind::ServiceContract, &contract)
            .await
            .unwrap();
    }
}

async fn a_partner_sponsors_a_customer_and_staff_codes_grant_one_resource(backend: Backend) {
    let app = TestApp::new(backend).await;
    let deps = &app.access;
    let (partner, customer, stranger) = (account(), account(), account());
    let agreement = registered(
        &app,
        AgreementKind::PartnerAgreement,
        Some(Seconds::days(90)),
    )
    .await;
    let refused = flows::sponsor(deps, &stranger, &customer).await;
    assert!(
        matches!(refused, Err(AccessError::NotPartner)),
        "only a partner sponsors"
    );
    flows::claim(deps, &partner, AgreementKind::PartnerAgreement, &agreement)
        .await
        .unwrap();
    let sponsored = flows::sponsor(deps, &partner, &customer).await.unwrap();
    let now = app.clock.now();
    assert_eq!(sponsored.levels(now), ["guest", "customer"]);
    assert_eq!(
        sponsored.entitlements[0].expires_at,
        Some(now + Seconds::days(90)),
        "as long as the agreement"
    );
    let approval = tessera_tests::audit_about(&app, "account", customer.as_str()).await;
    assert_eq!(approval.len(), 1);
    assert_eq!(approval[0].action, "access.sponsor");
    assert_eq!(
        approval[0].actor,
        AuditParty::new("account", partner.as_str()),
        "the partner's approval"
    );

    let staff = account();
    let by = Attribution::new(
        AuditParty::new("account", staff.as_str()),
        Reason::parse("beta access for the pilot").unwrap(),
    );
    let past = flows::issue_code(deps, &by, &staff, "course.networking-201", now).await;
    assert!(matches!(past, Err(flows::IssueError::PastExpiry)));
    let bad = flows::issue_code(deps, &by, &staff, "a course", now + Seconds::days(30)).await;
    assert!(matches!(bad, Err(flows::IssueError::InvalidResource)));
    let code = flows::issue_code(
        deps,
        &by,
        &staff,
        "course.networking-201",
        now + Seconds::days(30),
    )
    .await
    .unwrap();
    let record = flows::redeem_code(deps, &customer, &code.display().to_uppercase())
        .await
        .unwrap();
    let resource = record
        .entitlements
        .iter()
        .find(|e| e.resource.is_some())
        .unwrap();
    assert_eq!(resource.resource.as_deref(), Some("course.networking-201"));
    assert_eq!(resource.expires_at, Some(now + Seconds::days(30)));
    let again = flows::redeem_code(deps, &stranger, &code.display()).await;
    assert!(
        matches!(again, Err(AccessError::NotRecognised)),
        "a code is redeemed once"
    );
    let issued = tessera_tests::audit_about(&app, "resource", "course.networking-201").await;
    assert_eq!(issued.len(), 1, "the code's issue is audited");

    let late = flows::issue_code(deps, &by, &staff, "docs.beta", now + Seconds::days(1))
        .await
        .unwrap();
    app.clock.advance(Seconds::days(2));
    let expired = flows::redeem_code(deps, &stranger, &late.display()).await;
    assert!(
        matches!(expired, Err(AccessError::NotRecognised)),
        "an expired code grants nothing"
    );
}

on_both_backends!(
    numbers_from_the_registry_make_customers_and_partners,
    wrong_numbers_and_codes_are_counted_per_account,
    a_partner_sponsors_a_customer_and_staff_codes_grant_one_resource,
);
