//! The storage conformance suite on the embedded store and on DynamoDB (moto, tables from the
//! template). Each case is named once below, with the ports a fresh app hands it; the cases live
//! in `tessera_testkit::conformance`, one module per port.

use tessera_testkit::{conformance, Backend, SeededRandom, TestApp};

/// `case(app) => (ports…);` runs `conformance::case` on a fresh app's ports, as one test on each
/// backend.
macro_rules! conformance_cases {
    ($($case:ident($app:ident) => ($($port:expr),* $(,)?);)*) => {
        $(
            async fn $case(backend: Backend) {
                let $app = TestApp::new(backend).await;
                conformance::$case($($port),*).await
            }
        )*
        tessera_tests::on_both_backends!($($case),*);
    };
}

conformance_cases! {
    // AccountStore
    create_then_read_back(app) => (app.deps.store.as_ref());
    unknown_keys_read_as_nothing(app) => (app.deps.store.as_ref());
    a_taken_email_refuses_the_whole_account(app) => (app.deps.store.as_ref());
    updates_are_version_checked(app) => (app.deps.store.as_ref());
    activation_writes_identity_username_and_profile_together(app) => (app.deps.store.as_ref());
    a_failed_activation_writes_nothing(app) => (app.deps.store.as_ref());
    concurrent_creations_make_one_account(app) => (app.deps.store.clone());
    profile_edits_keep_the_session_epoch(app) => (app.deps.store.as_ref());
    pending_accounts_are_listed_by_purge_date_and_purged_once(app) => (app.deps.store.as_ref());
    // AttemptLedger
    attempts_are_taken_atomically(app) => (app.deps.attempts.clone());
    batches_are_taken_whole_or_not_at_all(app) => (app.deps.attempts.clone());
    // LoginStore
    login_attempts_are_counted_before_the_check(app) =>
        (app.deps.store.as_ref(), app.deps.logins.clone());
    login_failures_count_atomically(app) => (app.deps.store.as_ref(), app.deps.logins.clone());
    // SessionStore
    sessions_are_read_with_their_profile(app) =>
        (app.deps.store.as_ref(), app.deps.logins.as_ref(), app.deps.sessions.as_ref());
    // UnsentMessages
    unsent_messages_are_found_by_due_time_and_claimed_once(app) =>
        (app.deps.postbox.unsent.as_ref());
    // SuppressionList
    a_suppression_stands_until_lifted_with_its_event(app) => (
        app.deps.postbox.suppressions.as_ref(),
        app.audit.as_ref(),
        &SeededRandom::new(11),
    );
    // AccessStore
    an_access_record_moves_on_one_version_at_a_time(app) =>
        (app.access.store.as_ref(), app.audit.as_ref(), &SeededRandom::new(15));
    registry_entries_are_replaced_and_codes_are_redeemed_once(app) =>
        (app.access.store.clone(), &SeededRandom::new(16));
    a_sponsorship_waits_replaced_until_removed(app) =>
        (app.access.store.as_ref(), app.audit.as_ref(), &SeededRandom::new(17));
    // FederationStore
    a_domain_belongs_to_one_enabled_provider(app) => (
        app.federation.store.as_ref(),
        app.deps.store.as_ref(),
        app.audit.as_ref(),
        &SeededRandom::new(18),
    );
    a_sign_in_under_way_is_taken_once(app) => (app.federation.store.clone());
    // OidcStore
    a_code_is_redeemed_once_even_in_a_race(app) => (app.oidc.store.clone(), &SeededRandom::new(12));
    a_family_moves_on_only_from_its_current_token(app) =>
        (app.oidc.store.as_ref(), &SeededRandom::new(13));
    clients_are_registered_and_disabled_with_their_events(app) => (
        app.oidc.store.as_ref(),
        app.audit.as_ref(),
        &SeededRandom::new(14),
    );
    // CandidateRecords
    candidate_records_are_created_extended_and_read_whole(app) =>
        (app.certification.records.as_ref());
    a_registration_number_belongs_to_one_candidate(app) => (app.certification.records.as_ref());
    activities_need_an_existing_record(app) => (app.certification.records.as_ref());
    a_record_maps_to_one_account_and_an_account_to_one_record(app) =>
        (app.deps.store.as_ref(), app.certification.records.as_ref());
    concurrent_writes_to_a_record_all_hold(app) =>
        (app.deps.store.as_ref(), app.certification.records.as_ref());
    records_are_found_by_last_name_and_testing_id(app) => (
        app.deps.store.as_ref(),
        app.certification.records.as_ref(),
        &SeededRandom::new(9),
    );
    records_merge_whole_into_one(app) => (
        app.deps.store.as_ref(),
        app.certification.records.as_ref(),
        &SeededRandom::new(10),
    );
    reminder_watches_are_due_until_saved_and_version_checked(app) =>
        (app.certification.records.as_ref());
    // OrderStore
    orders_are_placed_once_per_key_and_kits_claimed_once(app) => (app.orders.clone());
    order_updates_are_conditional_and_events_apply_once(app) => (app.orders.clone());
    unpaid_orders_are_listed_until_they_move(app) => (app.orders.clone());
    // AuditLog
    audit_events_are_appended_once_and_read_newest_first(app) =>
        (app.audit.as_ref(), &SeededRandom::new(5));
    roles_are_set_with_their_audit_event_or_not_at_all(app) =>
        (app.deps.store.as_ref(), app.audit.as_ref(), &SeededRandom::new(6));
    // Erasure (AccountStore, CandidateRecords)
    an_erased_account_goes_whole_with_its_tombstone(app) => (
        app.deps.store.as_ref(),
        app.deps.logins.as_ref(),
        app.audit.as_ref(),
        &SeededRandom::new(7),
    );
    an_erased_account_takes_its_access_and_consents(app) => (
        app.deps.store.as_ref(),
        app.access.store.as_ref(),
        app.oidc.store.as_ref(),
        &SeededRandom::new(19),
    );
    an_erased_person_leaves_a_record_that_names_no_one(app) => (
        app.deps.store.as_ref(),
        app.certification.records.as_ref(),
        app.audit.as_ref(),
        &SeededRandom::new(8),
    );
    // CatalogVersions
    catalog_versions_are_published_in_order(app) => (
        app.certification.catalogs.versions(),
        app.audit.as_ref(),
        &SeededRandom::new(11),
    );
    // TranscriptStore
    transcript_writes_hold_under_races(app) =>
        (app.certification.transcripts.clone(), &SeededRandom::new(3));
    // VerificationCodes
    codes_keep_their_subject_and_count_each_check(app) =>
        (app.certification.verification_codes.as_ref());
    kit_codes_are_registered_with_their_order(app) =>
        (app.orders.clone(), app.certification.verification_codes.as_ref());
}
