//! `VerificationCodes`: a code keeps the subject it was first registered with, each check counts
//! once, an unknown code answers nothing and is not created by the check, and a kit's code is
//! registered with its order (a reprint, carrying the same code, changes nothing).

use super::*;
use tessera_certification::verification_codes::{
    CodeCarrier, CodeSubject, VerificationCode, VerificationCodes,
};

/// A code no other test uses.
fn fresh_code() -> VerificationCode {
    let n = crate::app::unique() % 1_000_000_000_000;
    VerificationCode::parse(&format!("{n:012}")).unwrap()
}

pub async fn codes_keep_their_subject_and_count_each_check(codes: &dyn VerificationCodes) {
    let n = crate::app::unique() % 1_000_000_000;
    let code = fresh_code();
    let subject = CodeSubject {
        candidate_id: CandidateId::parse(&format!("TSV{n}")).unwrap(),
        certification_id: "infrastructure-associate".into(),
        carrier: CodeCarrier::Certificate,
    };
    assert_eq!(codes.check_code(&code).await.unwrap(), None);
    codes.register_code(&code, &subject).await.unwrap();
    let unchecked = codes.code_checks(&code).await.unwrap().unwrap();
    assert_eq!((&unchecked.subject, unchecked.checks), (&subject, 0));
    let first = codes.check_code(&code).await.unwrap().unwrap();
    assert_eq!((&first.subject, first.checks), (&subject, 1));
    // Registered again (the PDF made again), even naming something else: unchanged.
    let other = CodeSubject {
        certification_id: "networking-technician".into(),
        ..subject.clone()
    };
    codes.register_code(&code, &other).await.unwrap();
    let second = codes.check_code(&code).await.unwrap().unwrap();
    assert_eq!((&second.subject, second.checks), (&subject, 2));
    let read = codes.code_checks(&code).await.unwrap().unwrap();
    assert_eq!(read.checks, 2, "reading the count counts nothing");
    let unknown = fresh_code();
    for _ in 0..2 {
        assert_eq!(
            codes.check_code(&unknown).await.unwrap(),
            None,
            "a check creates nothing"
        );
    }
}

pub async fn kit_codes_are_registered_with_their_order(
    orders: Arc<dyn tessera_fulfillment::ports::OrderStore>,
    codes: &dyn VerificationCodes,
) {
    use tessera_fulfillment::order::Placed;
    let n = crate::app::unique() % 1_000_000_000;
    let candidate = format!("TSK{n}");
    let code = fresh_code();
    let mut kit = order(&candidate, "kit-1", &["infrastructure-associate"], &[]);
    kit.items[0].verification_code = code.grouped();
    assert_eq!(orders.place_order(&kit).await.unwrap(), Placed::New);
    let check = codes.check_code(&code).await.unwrap().unwrap();
    let subject = CodeSubject {
        candidate_id: CandidateId::parse(&candidate).unwrap(),
        certification_id: "infrastructure-associate".into(),
        carrier: CodeCarrier::Kit,
    };
    assert_eq!((&check.subject, check.checks), (&subject, 1));

    let mut reprint = order(&candidate, "reprint-1", &[], &["infrastructure-associate"]);
    reprint.items[0].verification_code = code.grouped();
    reprint.reprint_of = Some(kit.id.clone());
    assert_eq!(orders.place_order(&reprint).await.unwrap(), Placed::New);
    let again = codes.check_code(&code).await.unwrap().unwrap();
    assert_eq!((&again.subject, again.checks), (&subject, 2));
}
