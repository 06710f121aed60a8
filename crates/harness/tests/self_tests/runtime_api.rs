//! The runtime API server, driven over plain HTTP exactly as `lambda_runtime` 1.5 drives
//! it: `GET .../invocation/next`, then `POST .../{id}/response` or `.../{id}/error`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hyper::{Method, StatusCode};
use secrets_cmk_harness::http::HttpClient;
use secrets_cmk_harness::{InvocationOutcome, Result, RuntimeApiServer};
use serde_json::json;

const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:secrets-cmk-rule";

fn client() -> HttpClient {
    HttpClient::new(Duration::from_secs(10))
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

#[tokio::test]
async fn next_then_response_delivers_the_event_and_the_response() -> Result<()> {
    // GIVEN a server with one queued invocation
    let server = RuntimeApiServer::start().await?;
    let event = json!({"version": "1.0", "accountId": "123456789012"});
    let before = now_ms();
    let pending = server.enqueue(&event, ARN, Duration::from_secs(30))?;
    let request_id = pending.request_id().to_owned();

    // WHEN a client polls /next
    let next = client()
        .get(&format!(
            "{}/2018-06-01/runtime/invocation/next",
            server.base_url()
        ))
        .await?;

    // THEN it gets the event and the headers lambda_runtime reads
    assert_eq!(next.status, StatusCode::OK);
    assert_eq!(next.json()?, event);
    assert_eq!(
        next.header("lambda-runtime-aws-request-id"),
        Some(request_id.as_str())
    );
    assert_eq!(
        next.header("lambda-runtime-invoked-function-arn"),
        Some(ARN)
    );
    assert_eq!(next.header("content-type"), Some("application/json"));
    assert!(
        next.header("lambda-runtime-trace-id")
            .unwrap()
            .starts_with("Root=1-")
    );
    let deadline: u128 = next
        .header("lambda-runtime-deadline-ms")
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        deadline >= before + 30_000 && deadline <= now_ms() + 30_000,
        "{deadline}"
    );

    // WHEN it posts the response
    let posted = client()
        .post_json(
            &format!(
                "{}/2018-06-01/runtime/invocation/{request_id}/response",
                server.base_url()
            ),
            &json!({"evaluated": 3}),
        )
        .await?;

    // THEN the post is accepted and the invocation's outcome is that response
    assert_eq!(posted.status, StatusCode::ACCEPTED);
    assert_eq!(
        pending.outcome().await?,
        InvocationOutcome::Response(json!({"evaluated": 3}))
    );
    Ok(())
}

#[tokio::test]
async fn next_then_error_reports_the_bodys_error_type() -> Result<()> {
    // GIVEN a server with one queued invocation, picked up by a client
    let server = RuntimeApiServer::start().await?;
    let pending = server.enqueue(&json!({}), ARN, Duration::from_secs(30))?;
    let next = client()
        .get(&format!(
            "{}/2018-06-01/runtime/invocation/next",
            server.base_url()
        ))
        .await?;
    let id = next
        .header("lambda-runtime-aws-request-id")
        .unwrap()
        .to_owned();

    // WHEN the client posts an error the way lambda_runtime does
    let body = json!({"errorType": "RuleParameterError", "errorMessage": "kmsKeyArns: bad"});
    let posted = client()
        .send(
            Method::POST,
            &format!(
                "{}/2018-06-01/runtime/invocation/{id}/error",
                server.base_url()
            ),
            &[("lambda-runtime-function-error-type", "unhandled")],
            body.to_string(),
        )
        .await?;

    // THEN the outcome carries the body's type and message, not the header's "unhandled"
    assert_eq!(posted.status, StatusCode::ACCEPTED);
    let (error_type, error_message) = pending.outcome().await?.into_error()?;
    assert_eq!(error_type, "RuleParameterError");
    assert_eq!(error_message, "kmsKeyArns: bad");

    // AND a second post for the same id is refused, as Lambda refuses it
    let again = client()
        .post_json(
            &format!(
                "{}/2018-06-01/runtime/invocation/{id}/response",
                server.base_url()
            ),
            &json!(null),
        )
        .await?;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    Ok(())
}

#[tokio::test]
async fn next_long_polls_until_an_invocation_is_queued() -> Result<()> {
    // GIVEN a server with nothing queued and a client polling
    let server = RuntimeApiServer::start().await?;
    let url = format!("{}/2018-06-01/runtime/invocation/next", server.base_url());
    let poll = tokio::spawn(async move { client().get(&url).await });
    server.wait_for_polls(1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    // THEN the poll is still waiting
    assert!(!poll.is_finished());
    assert_eq!(server.polls(), 1);

    // WHEN an invocation is queued
    let pending = server.enqueue(&json!({"n": 1}), ARN, Duration::from_secs(30))?;

    // THEN the poll answers with it
    let next = poll.await.unwrap()?;
    assert_eq!(next.json()?, json!({"n": 1}));
    assert_eq!(
        next.header("lambda-runtime-aws-request-id"),
        Some(pending.request_id())
    );
    Ok(())
}

#[tokio::test]
async fn init_errors_are_recorded_and_unknown_paths_are_404() -> Result<()> {
    // GIVEN a server
    let server = RuntimeApiServer::start().await?;
    assert_eq!(server.init_error(), None);

    // WHEN a client reports an init error and asks for SnapStart's restore endpoint
    let body = json!({"errorType": "Runtime.InitError", "errorMessage": "no region"});
    let posted = client()
        .post_json(
            &format!("{}/2018-06-01/runtime/init/error", server.base_url()),
            &body,
        )
        .await?;
    let restore = client()
        .get(&format!(
            "{}/2018-06-01/runtime/restore/next",
            server.base_url()
        ))
        .await?;

    // THEN the init error is kept and the unknown path is 404
    assert_eq!(posted.status, StatusCode::ACCEPTED);
    assert_eq!(
        server.init_error(),
        Some(InvocationOutcome::Error {
            error_type: "Runtime.InitError".into(),
            error_message: "no region".into()
        })
    );
    assert_eq!(restore.status, StatusCode::NOT_FOUND);
    Ok(())
}
