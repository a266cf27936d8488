//! The judgement of a read-back review, and the timing rules.
use super::*;

fn item(text: &str, manual: bool) -> OutboxItem {
    OutboxItem {
        id: 1,
        app: "9NBLGGH4R315".into(),
        review: "r".into(),
        text: text.into(),
        support_email: String::new(),
        public: true,
        state: OutboxState::Unconfirmed,
        reason: None,
        manual,
        attempts: 1,
        created_at: 0,
        updated_at: 0,
        next_attempt_at: 0,
        owner: None,
        lease_until: None,
        sent_at: None,
    }
}

fn review(response: Option<&str>, revised_later: bool) -> Review {
    Review {
        response_text: response.map(str::to_owned),
        is_revised: Some(revised_later),
        timestamp: Some(if revised_later { 200 } else { 50 }),
        response_timestamp: response.map(|_| 100),
        ..Review::default()
    }
}

#[test]
fn judges_what_the_review_shows() {
    let ours = item("Thanks!\r\nWe fixed it.", false);
    assert!(matches!(
        judge(&ours, Some(&review(Some(" Thanks!\nWe fixed it. "), false))),
        Verdict::Applied
    ));
    assert!(matches!(judge(&ours, Some(&review(None, false))), Verdict::NotApplied));
    assert!(matches!(
        judge(&ours, Some(&review(Some("  "), false))),
        Verdict::NotApplied
    ));
    assert!(matches!(
        judge(&ours, Some(&review(Some("Other words"), false))),
        Verdict::Conflict(_)
    ));
    assert!(matches!(
        judge(&ours, Some(&review(Some("Old answer"), true))),
        Verdict::NotApplied
    ));
    assert!(matches!(judge(&ours, None), Verdict::Conflict(_)));
    // Revised, but the dates are missing: not ours to judge as "not applied".
    let undated = Review {
        response_text: Some("Old answer".into()),
        is_revised: Some(true),
        ..Review::default()
    };
    assert!(matches!(judge(&ours, Some(&undated)), Verdict::Conflict(_)));
    let manual = item("typed here", true);
    assert!(matches!(
        judge(&manual, Some(&review(Some("typed in Partner Center"), false))),
        Verdict::Applied
    ));
    assert!(matches!(
        judge(&manual, Some(&review(None, false))),
        Verdict::NotApplied
    ));
}

#[test]
fn backoff_doubles_up_to_the_cap() {
    let p = SendPolicy::default();
    assert_eq!(
        (p.backoff(0), p.backoff(1), p.backoff(2), p.backoff(3)),
        (15, 15, 30, 60)
    );
    assert_eq!(p.backoff(40), 600);
}

#[test]
fn next_round_waits_out_a_pause_but_not_a_verification() {
    let s = RoundSummary {
        paused_until: Some(100),
        next_due: Some(10),
        verify_again_at: None,
        ..RoundSummary::default()
    };
    assert_eq!(s.next_round_at(), Some(100));
    let s = RoundSummary {
        verify_again_at: Some(50),
        ..s
    };
    assert_eq!(s.next_round_at(), Some(50));
    assert_eq!(RoundSummary::default().next_round_at(), None);
}
