//! Our own Lambda Runtime API server: exactly the part of the API that a
//! `lambda_runtime` 1.x client uses, so the real binary runs as it would in Lambda.
//!
//! | request | what we do |
//! |---|---|
//! | `GET /2018-06-01/runtime/invocation/next` | long-polls until an invocation is queued; answers the event with `Lambda-Runtime-Aws-Request-Id`, `-Deadline-Ms` (epoch ms), `-Invoked-Function-Arn`, `-Trace-Id` |
//! | `POST /2018-06-01/runtime/invocation/{id}/response` | records the response; 202 |
//! | `POST /2018-06-01/runtime/invocation/{id}/error` | records `{errorType, errorMessage}`; 202 |
//! | `POST /2018-06-01/runtime/init/error` | records the init error; 202 |
//! | anything else (e.g. SnapStart's `/runtime/restore/next`) | 404 |
//!
//! `lambda_runtime` 1.5 sends `lambda-runtime-function-error-type: unhandled` on every
//! invocation error: the error type worth asserting on is the body's `errorType`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::process::lock;
use crate::{Error, Result};

const NEXT_PATH: &str = "/2018-06-01/runtime/invocation/next";
const INVOCATION_PREFIX: &str = "/2018-06-01/runtime/invocation/";
const INIT_ERROR_PATH: &str = "/2018-06-01/runtime/init/error";
const ERROR_TYPE_HEADER: &str = "lambda-runtime-function-error-type";

/// How an invocation ended.
#[derive(Clone, Debug, PartialEq)]
pub enum InvocationOutcome {
    /// The handler returned; its JSON response (`null` for a unit response).
    Response(Value),
    /// The handler failed (or panicked); the error as `lambda_runtime` reported it.
    Error {
        /// The body's `errorType` (the header's value if the body had none).
        error_type: String,
        /// The body's `errorMessage`.
        error_message: String,
    },
}

impl InvocationOutcome {
    /// The response, or an error that shows the invocation's error.
    pub fn into_response(self) -> Result<Value> {
        match self {
            InvocationOutcome::Response(value) => Ok(value),
            InvocationOutcome::Error {
                error_type,
                error_message,
            } => Err(Error::Invalid(format!(
                "expected a response, the invocation failed: {error_type}: {error_message}"
            ))),
        }
    }

    /// `(error_type, error_message)`, or an error that shows the response.
    pub fn into_error(self) -> Result<(String, String)> {
        match self {
            InvocationOutcome::Error {
                error_type,
                error_message,
            } => Ok((error_type, error_message)),
            InvocationOutcome::Response(value) => Err(Error::Invalid(format!(
                "expected an invocation error, got the response {value}"
            ))),
        }
    }
}

/// What the runtime client posted, before interpretation.
#[derive(Debug)]
enum Posted {
    Response(Bytes),
    Error { header: Option<String>, body: Bytes },
}

/// An invocation waiting to be picked up by `/next`.
#[derive(Debug)]
struct Queued {
    request_id: String,
    body: Bytes,
    deadline_ms: u128,
    function_arn: String,
    trace_id: String,
    reply: oneshot::Sender<Posted>,
}

#[derive(Debug)]
struct State {
    queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<Queued>>,
    in_flight: std::sync::Mutex<HashMap<String, oneshot::Sender<Posted>>>,
    init_error: std::sync::Mutex<Option<InvocationOutcome>>,
    polls: watch::Sender<u64>,
}

/// A queued invocation; await [`PendingInvocation::outcome`] for its end.
#[derive(Debug)]
pub struct PendingInvocation {
    request_id: String,
    reply: oneshot::Receiver<Posted>,
}

impl PendingInvocation {
    /// The request id the runtime client sees (`Lambda-Runtime-Aws-Request-Id`).
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// Waits for the client to post the response or error.
    pub async fn outcome(self) -> Result<InvocationOutcome> {
        let posted = self.reply.await.map_err(|_| {
            Error::Invalid("the runtime API server stopped before the invocation ended".into())
        })?;
        interpret(posted)
    }
}

/// A Lambda Runtime API server on `127.0.0.1:<free port>`. Dropping it stops it.
#[derive(Debug)]
pub struct RuntimeApiServer {
    addr: SocketAddr,
    state: Arc<State>,
    queue: mpsc::UnboundedSender<Queued>,
    task: JoinHandle<()>,
}

impl RuntimeApiServer {
    /// Binds a free loopback port and serves on the current tokio runtime.
    pub async fn start() -> Result<RuntimeApiServer> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(Error::io("binding the runtime API server"))?;
        let addr = listener
            .local_addr()
            .map_err(Error::io("reading the runtime API server's address"))?;
        let (queue, queue_rx) = mpsc::unbounded_channel();
        let state = Arc::new(State {
            queue: tokio::sync::Mutex::new(queue_rx),
            in_flight: std::sync::Mutex::new(HashMap::new()),
            init_error: std::sync::Mutex::new(None),
            polls: watch::Sender::new(0),
        });
        let task = tokio::spawn(serve(listener, Arc::clone(&state)));
        Ok(RuntimeApiServer {
            addr,
            state,
            queue,
            task,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The value for `AWS_LAMBDA_RUNTIME_API` (`127.0.0.1:PORT`, no scheme).
    pub fn runtime_api(&self) -> String {
        self.addr.to_string()
    }

    /// The base URL, for tests that talk to the server as a runtime client would.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues an invocation of `event`; `deadline` from now is sent as the deadline.
    pub fn enqueue(
        &self,
        event: &Value,
        function_arn: &str,
        deadline: Duration,
    ) -> Result<PendingInvocation> {
        let body = serde_json::to_vec(event).map_err(Error::json("serializing the event"))?;
        let deadline_ms = SystemTime::now()
            .checked_add(deadline)
            .unwrap_or_else(SystemTime::now)
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        let request_id = new_request_id();
        let (reply, reply_rx) = oneshot::channel();
        self.queue
            .send(Queued {
                request_id: request_id.clone(),
                body: Bytes::from(body),
                deadline_ms,
                function_arn: function_arn.to_owned(),
                trace_id: new_trace_id(),
                reply,
            })
            .map_err(|_| Error::Invalid("the runtime API server has stopped".into()))?;
        Ok(PendingInvocation {
            request_id,
            reply: reply_rx,
        })
    }

    /// The error the runtime posted to `/runtime/init/error`, if any.
    pub fn init_error(&self) -> Option<InvocationOutcome> {
        lock(&self.state.init_error).clone()
    }

    /// How many `/next` polls the server has received so far.
    pub fn polls(&self) -> u64 {
        *self.state.polls.borrow()
    }

    /// Waits until at least `count` `/next` polls arrived (the client is up and waiting).
    pub async fn wait_for_polls(&self, count: u64) {
        let mut rx = self.state.polls.subscribe();
        let _ = rx.wait_for(|polls| *polls >= count).await;
    }
}

impl Drop for RuntimeApiServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Accept loop. Connections live in a `JoinSet` owned by this task, so aborting the
/// task (on drop) closes every connection too.
async fn serve(listener: tokio::net::TcpListener, state: Arc<State>) {
    let mut connections = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let state = Arc::clone(&state);
        connections.spawn(async move {
            let service = service_fn(move |request| handle(Arc::clone(&state), request));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
        while connections.try_join_next().is_some() {}
    }
}

type HttpResult = std::result::Result<Response<Full<Bytes>>, Infallible>;

async fn handle(state: Arc<State>, request: Request<Incoming>) -> HttpResult {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    if method == Method::GET && path == NEXT_PATH {
        return Ok(next(&state).await);
    }
    if method != Method::POST {
        return Ok(not_found(&method, &path));
    }
    let header = request
        .headers()
        .get(ERROR_TYPE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = match request.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => return Ok(json_response(StatusCode::BAD_REQUEST, &error_body(&e))),
    };
    if path == INIT_ERROR_PATH {
        let outcome = interpret(Posted::Error { header, body }).unwrap_or_else(|e| {
            InvocationOutcome::Error {
                error_type: "Runtime.InitError".into(),
                error_message: e.to_string(),
            }
        });
        *lock(&state.init_error) = Some(outcome);
        return Ok(accepted());
    }
    let Some(rest) = path.strip_prefix(INVOCATION_PREFIX) else {
        return Ok(not_found(&method, &path));
    };
    let (request_id, posted) = if let Some(id) = rest.strip_suffix("/response") {
        (id, Posted::Response(body))
    } else if let Some(id) = rest.strip_suffix("/error") {
        (id, Posted::Error { header, body })
    } else {
        return Ok(not_found(&method, &path));
    };
    let Some(reply) = lock(&state.in_flight).remove(request_id) else {
        // What Lambda answers for an unknown or already completed request id.
        return Ok(json_response(
            StatusCode::BAD_REQUEST,
            &json!({"errorType": "InvalidRequestID", "errorMessage": format!("unknown request id {request_id}")}),
        ));
    };
    // The waiter may have given up (timeout); the post is still accepted.
    let _ = reply.send(posted);
    Ok(accepted())
}

async fn next(state: &State) -> Response<Full<Bytes>> {
    state.polls.send_modify(|polls| *polls += 1);
    let queued = state.queue.lock().await.recv().await;
    let Some(queued) = queued else {
        return json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({"errorType": "ServiceStopping", "errorMessage": "the server is stopping"}),
        );
    };
    lock(&state.in_flight).insert(queued.request_id.clone(), queued.reply);
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .header("lambda-runtime-aws-request-id", &queued.request_id)
        .header("lambda-runtime-deadline-ms", queued.deadline_ms.to_string())
        .header("lambda-runtime-invoked-function-arn", &queued.function_arn)
        .header("lambda-runtime-trace-id", &queued.trace_id)
        .body(Full::new(queued.body))
        .unwrap_or_else(|e| json_response(StatusCode::INTERNAL_SERVER_ERROR, &error_body(&e)))
}

fn interpret(posted: Posted) -> Result<InvocationOutcome> {
    match posted {
        Posted::Response(body) => {
            let value = serde_json::from_slice(&body).map_err(Error::json(format!(
                "the Lambda's response is not JSON: {:?}",
                String::from_utf8_lossy(&body)
            )))?;
            Ok(InvocationOutcome::Response(value))
        }
        Posted::Error { header, body } => {
            let parsed: Option<Value> = serde_json::from_slice(&body).ok();
            let field = |name: &str| {
                parsed
                    .as_ref()
                    .and_then(|v| v.get(name))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            Ok(InvocationOutcome::Error {
                error_type: field("errorType")
                    .or(header)
                    .unwrap_or_else(|| "Unknown".into()),
                error_message: field("errorMessage")
                    .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned()),
            })
        }
    }
}

fn accepted() -> Response<Full<Bytes>> {
    json_response(StatusCode::ACCEPTED, &json!({"status": "OK"}))
}

fn not_found(method: &Method, path: &str) -> Response<Full<Bytes>> {
    json_response(
        StatusCode::NOT_FOUND,
        &json!({"errorType": "NotFound", "errorMessage": format!("no route for {method} {path}")}),
    )
}

fn error_body(error: &dyn std::fmt::Display) -> Value {
    json!({"errorType": "ServerError", "errorMessage": error.to_string()})
}

fn json_response(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A request id shaped like Lambda's (a UUID), unique within this test process.
fn new_request_id() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        std::process::id(),
        nanos >> 16,
        nanos & 0xfff,
        (n >> 48) & 0xfff,
        n & 0xffff_ffff_ffff
    )
}

/// An X-Ray trace header shaped like Lambda's.
fn new_trace_id() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "Root=1-{secs:08x}-{:024x};Parent={n:016x};Sampled=0",
        u128::from(n) << 32 | u128::from(std::process::id())
    )
}
