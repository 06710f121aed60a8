//! A minimal HTTP/1 client for loopback servers: the emulator's admin API, and tests
//! that play the part of a Lambda runtime client against [`crate::RuntimeApiServer`].

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{HeaderMap, Method, Request, StatusCode};
use hyper_util::client::legacy::{Client, connect::HttpConnector};
use hyper_util::rt::TokioExecutor;

use crate::{Error, Result};

/// A plain-HTTP client with a per-request timeout.
#[derive(Clone, Debug)]
pub struct HttpClient {
    inner: Client<HttpConnector, Full<Bytes>>,
    timeout: Duration,
}

/// A response read to the end.
#[derive(Clone, Debug)]
pub struct HttpResponse {
    /// The status code.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl HttpResponse {
    /// The body as (lossy) UTF-8 text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON; an empty body is `null`.
    pub fn json(&self) -> Result<serde_json::Value> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_slice(&self.body).map_err(Error::json(format!(
            "parsing HTTP response body {:?}",
            self.text()
        )))
    }

    /// A header's value as text, if present and valid.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl HttpClient {
    /// A client whose requests fail after `timeout` (long polls need a generous one).
    pub fn new(timeout: Duration) -> Self {
        let inner = Client::builder(TokioExecutor::new()).build_http();
        HttpClient { inner, timeout }
    }

    /// Sends one request and reads the whole response.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Result<HttpResponse> {
        let context = format!("HTTP {method} {url}");
        let mut builder = Request::builder().method(method).uri(url);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder
            .body(Full::new(body.into()))
            .map_err(Error::http(context.clone()))?;
        let exchange = async {
            let response = self
                .inner
                .request(request)
                .await
                .map_err(Error::http(context.clone()))?;
            let (parts, body) = response.into_parts();
            let body = body
                .collect()
                .await
                .map_err(Error::http(format!("{context}: reading the body")))?
                .to_bytes();
            Ok(HttpResponse {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout {
                what: context,
                after: self.timeout,
                output: String::new(),
            }),
        }
    }

    /// GET `url`.
    pub async fn get(&self, url: &str) -> Result<HttpResponse> {
        self.send(Method::GET, url, &[], Bytes::new()).await
    }

    /// POST a JSON body to `url`.
    pub async fn post_json(&self, url: &str, body: &serde_json::Value) -> Result<HttpResponse> {
        let bytes = serde_json::to_vec(body).map_err(Error::json("serializing a request body"))?;
        self.send(
            Method::POST,
            url,
            &[("content-type", "application/json")],
            bytes,
        )
        .await
    }
}
