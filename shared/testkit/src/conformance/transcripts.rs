//! `TranscriptStore`: view and email counts and the expiry deletion under races.

use super::*;

/// Transcripts: parallel views all count, parallel emails stop at the limit, an expired one is
/// neither viewed nor kept, and an edit that extends a transcript races its expiry deletion
/// without losing either side's consistency (deleted and gone, or extended and kept).
pub async fn transcript_writes_hold_under_races(
    store: Arc<dyn tessera_certification::ports::TranscriptStore>,
    random: &dyn tessera_kernel::ports::Random,
) {
    use tessera_certification::transcript::{
        DisplayOptions, Selection, Transcript, TranscriptContent, TranscriptId, ViewCount,
    };
    let candidate = CandidateId::parse(&format!("TR{}", crate::app::unique() % 1_000_000)).unwrap();
    let content = |expires_at: i64| TranscriptContent {
        display_name: "Ada Lovelace".into(),
        description: "For the hiring team".into(),
        remarks: String::new(),
        certifications: Selection::AllActive,
        include_new: true,
        expires_at: Timestamp(expires_at),
        holder_country: "GB".into(),
        holder_organisation: None,
        // Not the defaults, so a store that dropped them would be seen.
        display: DisplayOptions {
            dates: false,
            candidate_id: true,
            location: false,
            address_lines: vec!["1 Analytical Row".into(), "London".into()],
        },
    };
    let transcript = Transcript {
        id: TranscriptId::generate(random),
        candidate_id: candidate.clone(),
        created_at: Timestamp(100),
        content: content(2000),
        views: 0,
        last_viewed: None,
    };
    store.create_transcript(&transcript).await.unwrap();
    let id = transcript.id.clone();
    assert_eq!(
        store.transcript(&candidate, &id).await.unwrap().as_ref(),
        Some(&transcript),
        "read back as written, display options too"
    );
    assert_eq!(
        store.transcript_owner(&id).await.unwrap(),
        Some(candidate.clone())
    );

    let views: Vec<_> = (0..20)
        .map(|i| {
            let (store, candidate, id) = (store.clone(), candidate.clone(), id.clone());
            tokio::spawn(
                async move { store.count_view(&candidate, &id, Timestamp(1000 + i)).await },
            )
        })
        .collect();
    for view in views {
        assert!(matches!(
            view.await.unwrap().unwrap(),
            ViewCount::Counted(_)
        ));
    }
    let read = store.transcript(&candidate, &id).await.unwrap().unwrap();
    assert_eq!(read.views, 20, "every parallel view counted");
    assert_eq!(
        store
            .count_view(&candidate, &id, Timestamp(2000))
            .await
            .unwrap(),
        ViewCount::Expired
    );
    let unknown = TranscriptId::generate(random);
    assert_eq!(
        store
            .count_view(&candidate, &unknown, Timestamp(1000))
            .await
            .unwrap(),
        ViewCount::Missing
    );

    let emails: Vec<_> = (0..10)
        .map(|_| {
            let (store, candidate) = (store.clone(), candidate.clone());
            tokio::spawn(async move { store.count_email(&candidate, Timestamp(0), 3).await })
        })
        .collect();
    let mut counted = 0;
    for email in emails {
        counted += usize::from(email.await.unwrap().unwrap());
    }
    assert_eq!(counted, 3, "parallel emails stop at the limit");

    // An expired transcript is listed for deletion; an edit extending it races the deletion.
    let due = store
        .expired_transcripts(Timestamp(2500), 10)
        .await
        .unwrap();
    assert!(due.iter().any(|t| t.id == id));
    let extended = content(5000);
    let (edited, deleted) = tokio::join!(
        store.replace_content(&candidate, &id, &extended),
        store.delete_expired_transcript(&candidate, &id, Timestamp(2500)),
    );
    let (edited, deleted) = (edited.unwrap(), deleted.unwrap());
    let stored = store.transcript(&candidate, &id).await.unwrap();
    if deleted {
        assert_eq!(stored, None, "deleted first: gone");
        assert_eq!(store.transcript_owner(&id).await.unwrap(), None);
    } else {
        let edited = edited.expect("kept: the edit landed first");
        assert_eq!(edited.content.expires_at, Timestamp(5000));
        assert_eq!(stored.unwrap().content, extended);
        assert!(!store
            .delete_expired_transcript(&candidate, &id, Timestamp(2500))
            .await
            .unwrap());
        assert!(store.delete_transcript(&candidate, &id).await.unwrap());
    }
    assert!(!store.delete_transcript(&candidate, &id).await.unwrap());
    assert_eq!(store.transcript(&candidate, &id).await.unwrap(), None);
}
