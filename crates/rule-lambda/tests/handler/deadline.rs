//! The Lambda's deadline: near it, the sweep reports what it has decided, starts nothing
//! it cannot finish, and says how far it got.

use crate::support::{FUNCTION_ARN, World, secret_arn};
use rule_lambda::{HandlerSettings, Invocation};
use std::time::{Duration, SystemTime};

#[tokio::test]
async fn near_deadline_the_sweep_reports_what_it_has_and_fails_saying_how_far_it_got() {
    // GIVEN a deadline already inside the safety margin
    let world = World::new();
    world.add_secrets(150);
    let invocation = Invocation {
        invoked_function_arn: FUNCTION_ARN.to_owned(),
        deadline: SystemTime::now() + Duration::from_secs(5),
    };
    // WHEN swept
    let err = world
        .sweep_with(HandlerSettings::default(), &invocation)
        .await
        .unwrap_err();
    // THEN nothing was started, nothing guessed, and the error says so
    assert!(err.to_string().contains("deadline"), "{err}");
    assert!(err.to_string().contains("0 page(s)"), "{err}");
    assert!(world.puts().is_empty());
}

/// Settings with a small margin, and an invocation whose margin starts in `stop_in`.
fn near_deadline(stop_in: Duration) -> (HandlerSettings, Invocation) {
    let margin = Duration::from_millis(300);
    let settings = HandlerSettings {
        deadline_margin: margin,
        ..HandlerSettings::default()
    };
    let invocation = Invocation {
        invoked_function_arn: FUNCTION_ARN.to_owned(),
        deadline: SystemTime::now() + stop_in + margin,
    };
    (settings, invocation)
}

#[tokio::test]
async fn a_page_that_would_overrun_the_deadline_is_abandoned_and_the_decided_page_reported() {
    // GIVEN 250 secrets whose second page of ListSecrets hangs (throttled, retried, slow)
    let world = World::new();
    world.add_secrets(250);
    world.slow_pages(&[Duration::ZERO, Duration::from_secs(30)]);
    let (settings, invocation) = near_deadline(Duration::from_millis(400));
    // WHEN swept
    let started = std::time::Instant::now();
    let err = world.sweep_with(settings, &invocation).await.unwrap_err();
    // THEN it returned at the margin, not at the hung page's end
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // AND the first page was reported whole, nothing of the abandoned one
    let all = world.evaluations();
    assert_eq!(all.len(), 100);
    assert!(all.iter().all(|e| e.resource_id < secret_arn("s100")));
    // AND the error says how far it got, and Config may retry
    let message = err.to_string();
    assert!(err.is_retryable());
    for words in [
        "deadline",
        "1 page(s)",
        "100 secret(s)",
        "page 2 was abandoned",
    ] {
        assert!(message.contains(words), "{words:?} missing: {message}");
    }
}

#[tokio::test]
async fn cleanup_does_not_start_inside_the_margin() {
    // GIVEN 150 secrets every one of which is listed and decided, but reporting them is
    // slow enough to reach the margin (the first full batch's put alone ends past it; the
    // last 50 are put together with whatever the cleanup would have found)
    let world = World::new();
    world.add_secrets(150);
    world.add_reported(&secret_arn("gone"));
    world.slow_puts(Duration::from_millis(600));
    let (settings, invocation) = near_deadline(Duration::from_millis(500));
    // WHEN swept
    let err = world.sweep_with(settings, &invocation).await.unwrap_err();
    // THEN every secret was reported, the cleanup was not started (the read-back ran
    // with the listing, before the margin; its candidate was never confirmed gone), and
    // the error says so
    let all = world.evaluations();
    assert_eq!(all.len(), 150);
    assert!(all.iter().all(|e| e.resource_id != secret_arn("gone")));
    assert_eq!(world.calls_of("config:GetComplianceDetailsByConfigRule"), 1);
    assert_eq!(world.calls_of("secretsmanager:DescribeSecret"), 0);
    assert!(err.to_string().contains("not cleaned up"), "{err}");
    assert!(err.to_string().contains("150 secret(s)"), "{err}");
}
