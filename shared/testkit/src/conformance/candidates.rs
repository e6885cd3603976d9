//! `CandidateRecords`: records created, extended and read whole; registrations owned once; mapping; concurrent writes; reminder watches.

use super::*;

pub async fn candidate_records_are_created_extended_and_read_whole(records: &dyn CandidateRecords) {
    let id = format!("TSC{}", crate::app::unique() % 1_000_000_000);
    let first = imported_candidate(&id, None, "VT1");
    let d = time::macros::date!(2021 - 04 - 01);
    let reg_a = format!("{id}-A");
    let reg_b = format!("{id}-B");
    let added = records
        .add_exams(
            &first,
            &[exam(&reg_a, "IA-201", d), exam(&reg_a, "IA-201", d)],
        )
        .await
        .unwrap();
    assert_eq!(
        added,
        [Added::New, Added::Duplicate],
        "one sitting, twice in one file"
    );

    // A second import: a new testing id and an email are merged in; the names stay.
    let mut second = imported_candidate(&id, Some("ada@example.com"), "VT2");
    second.first_name = "Someone else".into();
    let added = records
        .add_exams(
            &second,
            &[exam(&reg_a, "IA-201", d), exam(&reg_b, "EC-301", d)],
        )
        .await
        .unwrap();
    assert_eq!(added, [Added::Duplicate, Added::New]);

    let ce = [
        activity("Partner One", "1", 5),
        activity("partner one ", "1", 5),
        activity("Partner One", "2", 10),
    ];
    let added = records
        .add_activities(&first.candidate_id, &ce)
        .await
        .unwrap()
        .expect("the record exists");
    assert_eq!(added, [Added::New, Added::Duplicate, Added::New]);
    let again = records
        .add_activities(&first.candidate_id, &ce)
        .await
        .unwrap()
        .unwrap();
    assert!(again.iter().all(|a| *a == Added::Duplicate));

    let record = records
        .candidate(&first.candidate_id)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(record.profile.first_name, "Ada");
    assert_eq!(record.profile.testing_ids, ["VT1", "VT2"]);
    assert_eq!(
        record.profile.email.as_ref().map(|e| e.as_str()),
        Some("ada@example.com")
    );
    let mut regs: Vec<_> = record
        .exams
        .iter()
        .map(|e| e.registration_number.clone())
        .collect();
    regs.sort();
    assert_eq!(regs, [reg_a, reg_b]);
    assert_eq!(
        record
            .exams
            .iter()
            .find(|e| e.exam_code.as_str() == "EC-301")
            .unwrap()
            .date,
        d
    );
    let mut points: Vec<u32> = record.activities.iter().map(|a| a.points).collect();
    points.sort();
    assert_eq!(points, [5, 10]);
    assert_eq!(record.activities[0].source_file, "ce.csv");
}

pub async fn a_registration_number_belongs_to_one_candidate(records: &dyn CandidateRecords) {
    let n = crate::app::unique() % 1_000_000_000;
    let one = imported_candidate(&format!("TSC{n}"), None, "VT1");
    let other = imported_candidate(&format!("TSD{n}"), None, "VT9");
    let reg = format!("REG-{n}");
    let d = time::macros::date!(2022 - 02 - 02);
    records
        .add_exams(&one, &[exam(&reg, "IA-201", d)])
        .await
        .unwrap();
    let added = records
        .add_exams(&other, &[exam(&reg, "IA-201", d)])
        .await
        .unwrap();
    assert_eq!(added, [Added::TakenBy(one.candidate_id.clone())]);
    let other_record = records
        .candidate(&other.candidate_id)
        .await
        .unwrap()
        .unwrap();
    assert!(other_record.exams.is_empty());
}

pub async fn activities_need_an_existing_record(records: &dyn CandidateRecords) {
    let nobody =
        CandidateId::parse(&format!("NOBODY{}", crate::app::unique() % 1_000_000)).unwrap();
    assert_eq!(
        records
            .add_activities(&nobody, &[activity("P", "1", 1)])
            .await
            .unwrap(),
        None
    );
    assert_eq!(records.candidate(&nobody).await.unwrap(), None);
}

pub async fn a_record_maps_to_one_account_and_an_account_to_one_record(
    accounts: &dyn AccountStore,
    records: &dyn CandidateRecords,
) {
    let n = crate::app::unique() % 1_000_000_000;
    let d = time::macros::date!(2022 - 02 - 02);
    let email = format!("map.{n}@example.com");
    let first = imported_candidate(&format!("TSM{n}"), Some(&email), "VT1");
    let second = imported_candidate(&format!("TSN{n}"), None, "VT2");
    records
        .add_exams(&first, &[exam(&format!("RM-{n}"), "IA-201", d)])
        .await
        .unwrap();
    records
        .add_exams(&second, &[exam(&format!("RN-{n}"), "IA-201", d)])
        .await
        .unwrap();
    let by_reg = records
        .candidate_with_registration(&format!("RM-{n}"))
        .await
        .unwrap();
    assert_eq!(
        by_reg.map(|p| p.candidate_id),
        Some(first.candidate_id.clone())
    );
    let by_email = records
        .candidates_with_email(&Email::parse(&email).unwrap())
        .await
        .unwrap();
    assert_eq!(by_email.len(), 1);

    let mut account_ids = Vec::new();
    for who in ["a", "b"] {
        let (identity, profile) = pending_account(
            &format!("{who}.{n}@example.com"),
            &format!("acct-{who}-{n}"),
        );
        accounts.create_account(&identity, &profile).await.unwrap();
        account_ids.push(profile.account_id);
    }
    let [ada, bob] = [account_ids[0].clone(), account_ids[1].clone()];
    let mapped_to = |account: AccountId| async move {
        accounts
            .profile(&account)
            .await
            .unwrap()
            .expect("profile")
            .candidate_id
    };

    // An account that does not exist cannot be mapped.
    let ghost = AccountId::from_stored(format!("acct-ghost-{n}"));
    let ghost_state = records.mapping_state(&ghost).await.unwrap();
    let for_ghost = CandidateProfile {
        account_id: Some(ghost.clone()),
        ..first.clone()
    };
    assert!(matches!(
        records
            .map_account(&for_ghost, first.email.as_ref(), &ghost_state)
            .await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        records
            .candidate(&first.candidate_id)
            .await
            .unwrap()
            .unwrap()
            .profile
            .account_id,
        None,
        "nothing written for a refused mapping"
    );

    let state = records.mapping_state(&ada).await.unwrap();
    assert_eq!(state.version, 0);
    let new_email = Email::parse(&format!("new.{n}@example.com")).unwrap();
    let mapped = CandidateProfile {
        account_id: Some(ada.clone()),
        email: Some(new_email.clone()),
        ..first.clone()
    };
    records
        .map_account(&mapped, first.email.as_ref(), &state)
        .await
        .unwrap();
    assert_eq!(
        mapped_to(ada.clone()).await,
        Some(first.candidate_id.clone())
    );
    let record = records
        .candidate(&first.candidate_id)
        .await
        .unwrap()
        .expect("mapped");
    assert_eq!(record.profile.account_id.as_ref(), Some(&ada));
    assert_eq!(record.profile.email.as_ref(), Some(&new_email));
    assert!(records
        .candidates_with_email(&Email::parse(&email).unwrap())
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        records
            .candidates_with_email(&new_email)
            .await
            .unwrap()
            .len(),
        1
    );

    // The record is taken: another account cannot map it.
    let bob_state = records.mapping_state(&bob).await.unwrap();
    let stolen = CandidateProfile {
        account_id: Some(bob.clone()),
        ..first.clone()
    };
    assert!(matches!(
        records
            .map_account(&stolen, first.email.as_ref(), &bob_state)
            .await,
        Err(StoreError::Conflict)
    ));
    // The account is taken: it cannot map a second record.
    let ada_state = records.mapping_state(&ada).await.unwrap();
    assert_eq!(ada_state.version, 1);
    let second_for_ada = CandidateProfile {
        account_id: Some(ada.clone()),
        ..second.clone()
    };
    assert!(matches!(
        records.map_account(&second_for_ada, None, &ada_state).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(mapped_to(bob.clone()).await, None);
    assert_eq!(
        mapped_to(ada.clone()).await,
        Some(first.candidate_id.clone())
    );
    let untouched = records
        .candidate(&second.candidate_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(untouched.profile.account_id, None);

    // Mapping state is version-checked.
    let mut stale = bob_state.clone();
    records.save_mapping_state(&bob, &bob_state).await.unwrap();
    stale.sends.sent_in_window = 9;
    assert!(matches!(
        records.save_mapping_state(&bob, &stale).await,
        Err(StoreError::Conflict)
    ));
}

/// Imports, the candidate's own edit and the mapping, landing on one record at once, each keep
/// what the others wrote: no write replaces the whole record with a stale copy.
pub async fn concurrent_writes_to_a_record_all_hold(
    accounts: &dyn AccountStore,
    records: &dyn CandidateRecords,
) {
    let n = crate::app::unique() % 1_000_000_000;
    let d = time::macros::date!(2022 - 02 - 02);
    let base = imported_candidate(&format!("TSC{n}"), None, "VT0");
    records
        .add_exams(&base, &[exam(&format!("RC0-{n}"), "IA-201", d)])
        .await
        .unwrap();
    let (identity, account) =
        pending_account(&format!("c.{n}@example.com"), &format!("acct-c-{n}"));
    accounts.create_account(&identity, &account).await.unwrap();
    let email = Email::parse(&format!("mapped.{n}@example.com")).unwrap();

    let import = |i: usize| {
        let mut incoming = imported_candidate(
            base.candidate_id.as_str(),
            Some(&format!("other.{n}@example.com")),
            &format!("VT{i}"),
        );
        incoming.first_exam = time::macros::date!(2020 - 01 - 01);
        async move {
            records
                .add_exams(&incoming, &[exam(&format!("RC{i}-{n}"), "IA-201", d)])
                .await
                .unwrap()
        }
    };
    let map = async {
        let mapped = CandidateProfile {
            account_id: Some(account.account_id.clone()),
            email: Some(email.clone()),
            ..base.clone()
        };
        // A transaction may be cancelled by a concurrent write to the same item: retried, as
        // the mapping flow does.
        for _ in 0..10 {
            let state = records.mapping_state(&account.account_id).await.unwrap();
            match records.map_account(&mapped, None, &state).await {
                Err(StoreError::Conflict) => continue,
                other => return other.unwrap(),
            }
        }
        panic!("mapping kept conflicting");
    };
    let edit = async {
        let title = CandidateEdit::JobTitle(Some("Analyst".into()));
        records
            .edit_candidate(&base.candidate_id, &title)
            .await
            .unwrap()
    };
    tokio::join!(import(1), import(2), import(3), map, edit);

    let record = records
        .candidate(&base.candidate_id)
        .await
        .unwrap()
        .unwrap();
    let mut ids = record.profile.testing_ids.clone();
    ids.sort();
    assert_eq!(
        ids,
        ["VT0", "VT1", "VT2", "VT3"],
        "every import's testing ID"
    );
    assert_eq!(record.exams.len(), 4);
    assert_eq!(
        record.profile.account_id.as_ref(),
        Some(&account.account_id)
    );
    assert_eq!(
        record.profile.email.as_ref(),
        Some(&email),
        "the mapping's email"
    );
    assert_eq!(record.profile.job_title.as_deref(), Some("Analyst"));
    assert_eq!(
        record.profile.first_exam,
        time::macros::date!(2020 - 01 - 01)
    );
}

/// A holder's reminders watch: due at once after new evidence, listed until a save moves its
/// next check, saved only at the version read, and made due again with its sent notices kept.
pub async fn reminder_watches_are_due_until_saved_and_version_checked(
    records: &dyn CandidateRecords,
) {
    use tessera_certification::reminders::Watch;
    let n = crate::app::unique() % 1_000_000_000;
    let candidate = CandidateId::parse(&format!("TSW{n}")).unwrap();
    let now = Timestamp(1_767_225_600);
    assert!(records.watches_due(now, 10).await.unwrap().is_empty());

    records.watch_again(&candidate).await.unwrap();
    let due = records.watches_due(now, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    let read = due[0].clone();
    assert_eq!(read.candidate_id, candidate);
    assert!(read.sent.is_empty());

    let mut saved = read.clone();
    saved
        .sent
        .insert("networking-technician@2026-03-02@90".into());
    saved.next_check = Some(Timestamp(now.0 + 30 * 86_400));
    records.save_watch(&saved).await.unwrap();
    assert!(matches!(
        records.save_watch(&saved).await,
        Err(StoreError::Conflict)
    ));
    assert!(records.watches_due(now, 10).await.unwrap().is_empty());
    let later = records
        .watches_due(Timestamp(now.0 + 30 * 86_400), 10)
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].sent, saved.sent);

    // New evidence: due at once again, the notices sent kept, a save at the old version refused.
    records.watch_again(&candidate).await.unwrap();
    let again = records.watches_due(now, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].sent, saved.sent);
    assert!(matches!(
        records.save_watch(&later[0]).await,
        Err(StoreError::Conflict)
    ));
    let nothing_ahead = Watch {
        next_check: None,
        ..again[0].clone()
    };
    records.save_watch(&nothing_ahead).await.unwrap();
    assert!(records
        .watches_due(Timestamp(i64::MAX / 2), 10)
        .await
        .unwrap()
        .is_empty());
}

/// Records are found by last name (any case) and testing ID, through an index that follows the
/// record: an import's new testing ID is found, a renamed record only under its new name, an
/// erased one under neither.
pub async fn records_are_found_by_last_name_and_testing_id(
    accounts: &dyn AccountStore,
    records: &dyn CandidateRecords,
    random: &dyn tessera_kernel::ports::Random,
) {
    use tessera_certification::oversight::RecordDetails;
    use tessera_certification::LookupTerm;
    let n = crate::app::unique() % 1_000_000_000;
    let d = time::macros::date!(2022 - 02 - 02);
    let name = format!("Brontë-{n}");
    let (first_id, second_id) = (format!("TSF{n}"), format!("TSG{n}"));
    let mut first = imported_candidate(&first_id, None, &format!("VTA{n}"));
    first.last_name = name.clone();
    let mut second = imported_candidate(&second_id, None, &format!("VTB{n}"));
    second.last_name = name.to_uppercase();
    for (profile, reg) in [(&first, "RF"), (&second, "RG")] {
        records
            .add_exams(profile, &[exam(&format!("{reg}-{n}"), "IA-201", d)])
            .await
            .unwrap();
    }
    let found = |term: Option<LookupTerm>| async move {
        records
            .candidates_by_term(&term.unwrap(), 50)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.candidate_id.as_str().to_string())
            .collect::<Vec<_>>()
    };
    let by_name = |raw: &str| LookupTerm::last_name(raw);
    assert_eq!(
        found(by_name(&format!(" brontË-{n} "))).await,
        [first_id.as_str(), second_id.as_str()],
        "any case, by candidate ID"
    );
    assert_eq!(
        records
            .candidates_by_term(&by_name(&name).unwrap(), 1)
            .await
            .unwrap()
            .len(),
        1,
        "at most the limit"
    );
    assert_eq!(
        found(LookupTerm::testing_id(&format!("vta{n}"))).await,
        [first_id.as_str()]
    );

    // An import adds a testing ID to the first record: found by it too.
    let mut again = first.clone();
    again.testing_ids = vec![format!("VTC{n}")];
    records
        .add_exams(&again, &[exam(&format!("RF2-{n}"), "IA-201", d)])
        .await
        .unwrap();
    assert_eq!(
        found(LookupTerm::testing_id(&format!("VTC{n}"))).await,
        [first_id.as_str()]
    );

    // Staff rename the second: found under the new name only.
    let stored = records
        .candidate(&second.candidate_id)
        .await
        .unwrap()
        .unwrap()
        .profile;
    let before = RecordDetails::of(&stored);
    let after = RecordDetails {
        last_name: format!("Gaskell-{n}"),
        ..before.clone()
    };
    let event = super::audit::event(random, 5_000, "staff", &second_id);
    records
        .amend_record(&second.candidate_id, &before, &after, &event)
        .await
        .unwrap();
    assert_eq!(found(by_name(&name)).await, [first_id.as_str()]);
    assert_eq!(
        found(by_name(&format!("gaskell-{n}"))).await,
        [second_id.as_str()]
    );

    // The first is erased: found by neither its name nor its testing IDs.
    let (identity, profile) = pending_account(&format!("f.{n}@example.com"), &format!("acct-f{n}"));
    accounts.create_account(&identity, &profile).await.unwrap();
    let state = records.mapping_state(&profile.account_id).await.unwrap();
    let stored = records
        .candidate(&first.candidate_id)
        .await
        .unwrap()
        .unwrap()
        .profile;
    let mapped = CandidateProfile {
        account_id: Some(profile.account_id.clone()),
        ..stored
    };
    records
        .map_account(&mapped, mapped.email.as_ref(), &state)
        .await
        .unwrap();
    let erased = super::audit::event(random, 5_001, "staff", &first_id);
    records
        .erase_person(&profile.account_id, Some((&mapped, &erased)))
        .await
        .unwrap();
    assert!(found(by_name(&name)).await.is_empty());
    for id in ["VTA", "VTC"] {
        assert!(found(LookupTerm::testing_id(&format!("{id}{n}")))
            .await
            .is_empty());
    }
}

/// A merge moves the duplicate's exams (registration numbers following), CE activities and
/// account to the survivor, which keeps its details and takes what it lacked; the duplicate is
/// a pointer afterwards (under none of its old index entries), with the audit event in the same
/// write. Neither record can then be merged into a third, nor anything into the pointer.
pub async fn records_merge_whole_into_one(
    accounts: &dyn AccountStore,
    records: &dyn CandidateRecords,
    random: &dyn tessera_kernel::ports::Random,
) {
    use tessera_certification::LookupTerm;
    let n = crate::app::unique() % 1_000_000_000;
    let d = time::macros::date!(2022 - 02 - 02);
    let (kept_id, dup_id, third_id) = (format!("TSK{n}"), format!("TSD{n}"), format!("TST{n}"));
    let kept_email = format!("kept.{n}@example.com");
    let dup_email = format!("dup.{n}@example.com");
    let kept = imported_candidate(&kept_id, Some(&kept_email), &format!("VTK{n}"));
    let mut dup = imported_candidate(&dup_id, Some(&dup_email), &format!("VTD{n}"));
    dup.first_exam = time::macros::date!(2019 - 01 - 01);
    let third = imported_candidate(&third_id, None, &format!("VTT{n}"));
    records
        .add_exams(&kept, &[exam(&format!("RK-{n}"), "IA-201", d)])
        .await
        .unwrap();
    records
        .add_exams(
            &dup,
            &[
                exam(&format!("RD1-{n}"), "IA-201", d),
                exam(&format!("RD2-{n}"), "EC-301", d),
            ],
        )
        .await
        .unwrap();
    records
        .add_exams(&third, &[exam(&format!("RT-{n}"), "IA-201", d)])
        .await
        .unwrap();
    let dup_candidate = CandidateId::parse(&dup_id).unwrap();
    records
        .add_activities(&dup_candidate, &[activity("P1", "A1", 10)])
        .await
        .unwrap();
    let (identity, profile) = pending_account(&format!("m.{n}@example.com"), &format!("acct-m{n}"));
    accounts.create_account(&identity, &profile).await.unwrap();
    let account = profile.account_id.clone();
    let stored = |id: &str| {
        let id = CandidateId::parse(id).unwrap();
        async move { records.candidate(&id).await.unwrap().unwrap() }
    };
    let mapped = CandidateProfile {
        account_id: Some(account.clone()),
        ..stored(&dup_id).await.profile
    };
    let state = records.mapping_state(&account).await.unwrap();
    records
        .map_account(&mapped, mapped.email.as_ref(), &state)
        .await
        .unwrap();

    // The candidate's own edit lands between a merge's read and its write: the write is refused
    // (the merge reads again and retries) and the edit stands.
    let (stale, source) = (
        stored(&kept_id).await.profile,
        stored(&dup_id).await.profile,
    );
    let title = CandidateEdit::JobTitle(Some("Architect".into()));
    records
        .edit_candidate(&stale.candidate_id, &title)
        .await
        .unwrap();
    let early = super::audit::event(random, 5_999, "staff", &kept_id);
    assert!(matches!(
        records
            .merge_records(&stale, &source, &stale.absorb(&source), &early)
            .await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        stored(&kept_id).await.profile.job_title.as_deref(),
        Some("Architect"),
        "a merge does not overwrite what changed since it read"
    );

    let (survivor, source) = (
        stored(&kept_id).await.profile,
        stored(&dup_id).await.profile,
    );
    let after = survivor.absorb(&source);
    assert_eq!(after.job_title.as_deref(), Some("Architect"));
    assert_eq!(after.account_id.as_ref(), Some(&account));
    assert_eq!(after.first_exam, time::macros::date!(2019 - 01 - 01));
    let event = super::audit::event(random, 6_000, "staff", &kept_id);
    records
        .merge_records(&survivor, &source, &after, &event)
        .await
        .unwrap();

    let merged = stored(&kept_id).await;
    assert_eq!(merged.profile, after);
    assert_eq!(merged.exams.len(), 3);
    assert_eq!(merged.activities.len(), 1);
    let pointer = stored(&dup_id).await;
    assert_eq!(pointer.profile, source.pointer_to(&survivor.candidate_id));
    assert!(pointer.exams.is_empty() && pointer.activities.is_empty());
    assert_eq!(
        records.merged_into(&dup_candidate).await.unwrap(),
        Some(survivor.candidate_id.clone())
    );
    assert_eq!(
        records
            .candidate_with_registration(&format!("RD2-{n}"))
            .await
            .unwrap()
            .map(|p| p.candidate_id),
        Some(survivor.candidate_id.clone())
    );
    assert!(records
        .candidates_with_email(&Email::parse(&dup_email).unwrap())
        .await
        .unwrap()
        .is_empty());
    let by_testing_id = records
        .candidates_by_term(&LookupTerm::testing_id(&format!("VTD{n}")).unwrap(), 10)
        .await
        .unwrap();
    assert_eq!(by_testing_id, vec![after.clone()]);
    assert_eq!(
        accounts
            .profile(&account)
            .await
            .unwrap()
            .unwrap()
            .candidate_id,
        Some(survivor.candidate_id.clone()),
        "the account's mark follows"
    );

    // The pointer cannot be merged into a third record, nor a record into the pointer.
    let third_profile = stored(&third_id).await.profile;
    let late = super::audit::event(random, 6_001, "staff", &third_id);
    assert!(matches!(
        records
            .merge_records(
                &third_profile,
                &pointer.profile,
                &third_profile.absorb(&pointer.profile),
                &late
            )
            .await,
        Err(StoreError::Conflict)
    ));
    assert!(matches!(
        records
            .merge_records(
                &pointer.profile,
                &third_profile,
                &pointer.profile.absorb(&third_profile),
                &late
            )
            .await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(stored(&third_id).await.exams.len(), 1, "nothing moved");
}
