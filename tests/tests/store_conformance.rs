//! The storage conformance suite on the embedded store and on DynamoDB (moto, tables from the template).

use tessera_testkit::{conformance, Backend, TestApp};
use tessera_tests::on_both_backends;

async fn create_then_read_back(backend: Backend) {
    conformance::create_then_read_back(TestApp::new(backend).await.deps.store.as_ref()).await
}
async fn unknown_keys_read_as_nothing(backend: Backend) {
    conformance::unknown_keys_read_as_nothing(TestApp::new(backend).await.deps.store.as_ref()).await
}
async fn a_taken_email_refuses_the_whole_account(backend: Backend) {
    conformance::a_taken_email_refuses_the_whole_account(
        TestApp::new(backend).await.deps.store.as_ref(),
    )
    .await
}
async fn updates_are_version_checked(backend: Backend) {
    conformance::updates_are_version_checked(TestApp::new(backend).await.deps.store.as_ref()).await
}
async fn activation_writes_identity_username_and_profile_together(backend: Backend) {
    conformance::activation_writes_identity_username_and_profile_together(
        TestApp::new(backend).await.deps.store.as_ref(),
    )
    .await
}
async fn a_failed_activation_writes_nothing(backend: Backend) {
    conformance::a_failed_activation_writes_nothing(TestApp::new(backend).await.deps.store.as_ref())
        .await
}
async fn concurrent_creations_make_one_account(backend: Backend) {
    conformance::concurrent_creations_make_one_account(
        TestApp::new(backend).await.deps.store.clone(),
    )
    .await
}

async fn attempts_are_taken_atomically(backend: Backend) {
    let app = TestApp::new(backend).await;
    conformance::attempts_are_taken_atomically(app.deps.attempts.clone()).await;
}

async fn batches_are_taken_whole_or_not_at_all(backend: Backend) {
    let app = TestApp::new(backend).await;
    conformance::batches_are_taken_whole_or_not_at_all(app.deps.attempts.clone()).await;
}

async fn login_attempts_are_counted_before_the_check(backend: Backend) {
    let app = TestApp::new(backend).await;
    conformance::login_attempts_are_counted_before_the_check(
        app.deps.store.as_ref(),
        app.deps.logins.clone(),
    )
    .await;
}

async fn login_failures_count_atomically(backend: Backend) {
    let app = TestApp::new(backend).await;
    conformance::login_failures_count_atomically(app.deps.store.as_ref(), app.deps.logins.clone())
        .await
}
async fn sessions_are_read_with_their_profile(backend: Backend) {
    let app = TestApp::new(backend).await;
    conformance::sessions_are_read_with_their_profile(
        app.deps.store.as_ref(),
        app.deps.logins.as_ref(),
        app.deps.sessions.as_ref(),
    )
    .await
}

async fn profile_edits_keep_the_session_epoch(backend: Backend) {
    conformance::profile_edits_keep_the_session_epoch(
        TestApp::new(backend).await.deps.store.as_ref(),
    )
    .await
}

async fn unsent_messages_are_found_by_due_time_and_claimed_once(backend: Backend) {
    conformance::unsent_messages_are_found_by_due_time_and_claimed_once(
        TestApp::new(backend).await.deps.postbox.unsent.as_ref(),
    )
    .await
}

async fn transcript_writes_hold_under_races(backend: Backend) {
    let app = TestApp::new(backend).await;
    conformance::transcript_writes_hold_under_races(
        app.certification.transcripts.clone(),
        &tessera_testkit::SeededRandom::new(3),
    )
    .await
}
async fn candidate_records_are_created_extended_and_read_whole(backend: Backend) {
    conformance::candidate_records_are_created_extended_and_read_whole(
        TestApp::new(backend).await.certification.records.as_ref(),
    )
    .await
}
async fn a_registration_number_belongs_to_one_candidate(backend: Backend) {
    conformance::a_registration_number_belongs_to_one_candidate(
        TestApp::new(backend).await.certification.records.as_ref(),
    )
    .await
}
async fn activities_need_an_existing_record(backend: Backend) {
    conformance::activities_need_an_existing_record(
        TestApp::new(backend).await.certification.records.as_ref(),
    )
    .await
}

async fn a_record_maps_to_one_account_and_an_account_to_one_record(backend: Backend) {
    let app = TestApp::new(backend).await;
    conformance::a_record_maps_to_one_account_and_an_account_to_one_record(
        app.deps.store.as_ref(),
        app.certification.records.as_ref(),
    )
    .await
}

async fn concurrent_writes_to_a_record_all_hold(backend: Backend) {
    let app = TestApp::new(backend).await;
    conformance::concurrent_writes_to_a_record_all_hold(
        app.deps.store.as_ref(),
        app.certification.records.as_ref(),
    )
    .await
}

async fn orders_are_placed_once_per_key_and_kits_claimed_once(backend: Backend) {
    conformance::orders_are_placed_once_per_key_and_kits_claimed_once(
        TestApp::new(backend).await.orders.clone(),
    )
    .await
}

async fn order_updates_are_conditional_and_events_apply_once(backend: Backend) {
    conformance::order_updates_are_conditional_and_events_apply_once(
        TestApp::new(backend).await.orders.clone(),
    )
    .await
}

async fn pending_accounts_are_listed_by_purge_date_and_purged_once(backend: Backend) {
    conformance::pending_accounts_are_listed_by_purge_date_and_purged_once(
        TestApp::new(backend).await.deps.store.as_ref(),
    )
    .await
}

async fn unpaid_orders_are_listed_until_they_move(backend: Backend) {
    conformance::unpaid_orders_are_listed_until_they_move(
        TestApp::new(backend).await.orders.clone(),
    )
    .await
}

async fn reminder_watches_are_due_until_saved_and_version_checked(backend: Backend) {
    conformance::reminder_watches_are_due_until_saved_and_version_checked(
        TestApp::new(backend).await.certification.records.as_ref(),
    )
    .await
}

on_both_backends!(
    transcript_writes_hold_under_races,
    reminder_watches_are_due_until_saved_and_version_checked,
    pending_accounts_are_listed_by_purge_date_and_purged_once,
    unpaid_orders_are_listed_until_they_move,
    order_updates_are_conditional_and_events_apply_once,
    orders_are_placed_once_per_key_and_kits_claimed_once,
    concurrent_writes_to_a_record_all_hold,
    a_record_maps_to_one_account_and_an_account_to_one_record,
    candidate_records_are_created_extended_and_read_whole,
    a_registration_number_belongs_to_one_candidate,
    activities_need_an_existing_record,
    unsent_messages_are_found_by_due_time_and_claimed_once,
    profile_edits_keep_the_session_epoch,
    login_failures_count_atomically,
    attempts_are_taken_atomically,
    login_attempts_are_counted_before_the_check,
    batches_are_taken_whole_or_not_at_all,
    sessions_are_read_with_their_profile,
    create_then_read_back,
    unknown_keys_read_as_nothing,
    a_taken_email_refuses_the_whole_account,
    updates_are_version_checked,
    activation_writes_identity_username_and_profile_together,
    a_failed_activation_writes_nothing,
    concurrent_creations_make_one_account,
);
