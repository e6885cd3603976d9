//! SDK interceptors on the AWS clients the adapters use. `CallCounter` records the operation of
//! every DynamoDB attempt sent (retries included, as each costs a round trip), so a test or the
//! benchmark can hold a flow to the data model's minimum. `FailOneCall` injects a fault into one
//! call, of the stores' DynamoDB client or of the messenger's SES and SNS clients.

use aws_sdk_dynamodb::config::http::HttpRequest;
use aws_sdk_dynamodb::config::interceptors::{
    BeforeDeserializationInterceptorContextMut, BeforeDeserializationInterceptorContextRef,
    BeforeTransmitInterceptorContextMut, BeforeTransmitInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The operation a DynamoDB request names (`X-Amz-Target: DynamoDB_20120810.<Op>`), or the
/// method and path of another service's request (SES v2 `POST /v2/email/outbound-emails`).
fn operation(request: &HttpRequest) -> String {
    match request.headers().get("x-amz-target") {
        Some(target) => target.rsplit('.').next().unwrap_or(target).to_string(),
        None => format!("{} {}", request.method(), request.uri()),
    }
}

#[derive(Clone, Debug, Default)]
pub struct CallCounter(Arc<Mutex<Vec<String>>>);

impl CallCounter {
    /// The operations sent since the last `take` (e.g. `GetItem`), in order, and starts afresh.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.lock().unwrap().push(operation(context.request()));
        Ok(())
    }
}

/// Where an injected fault strikes a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The request never reaches the table (a connection refused or reset before sending).
    BeforeSending,
    /// The table applied the request and the answer is lost (a timeout after the write).
    AnswerLost,
    /// The table refused the write on its condition, as when a concurrent request changed the
    /// item first: nothing is applied (the call is swapped for a harmless read) and the answer is
    /// `ConditionalCheckFailedException`, or `TransactionCanceledException` with every item's
    /// condition failed.
    ConditionFailed,
}

/// Fails the `nth` DynamoDB call (1-based, counting every attempt) sent after it is installed;
/// every other call goes through untouched.
#[derive(Clone, Debug)]
pub struct FailOneCall {
    nth: usize,
    fault: Fault,
    sent: Arc<AtomicUsize>,
    failed: Arc<Mutex<Option<String>>>,
    /// For `ConditionFailed`: the items of the transaction refused (`None`: not a transaction).
    refused_items: Arc<Mutex<Option<usize>>>,
}

impl FailOneCall {
    pub fn new(nth: usize, fault: Fault) -> FailOneCall {
        FailOneCall {
            nth,
            fault,
            sent: Arc::default(),
            failed: Arc::default(),
            refused_items: Arc::default(),
        }
    }

    /// The operation the fault struck, once it has.
    pub fn struck(&self) -> Option<String> {
        self.failed.lock().unwrap().clone()
    }
}

/// The number this attempt was given when it was sent, kept with the attempt: calls sent at
/// once (the adapters join independent calls) must not read each other's number.
#[derive(Clone, Copy, Debug)]
struct CallNumber(usize);

impl Storable for CallNumber {
    type Storer = StoreReplace<Self>;
}

impl FailOneCall {
    fn is_chosen(&self, cfg: &ConfigBag) -> bool {
        cfg.load::<CallNumber>().is_some_and(|n| n.0 == self.nth)
    }
}

impl Intercept for FailOneCall {
    fn name(&self) -> &'static str {
        "FailOneCall"
    }

    /// Numbers the attempt (every attempt, retries included), and for `ConditionFailed` turns
    /// the chosen call into `DescribeLimits` (a read that changes nothing), its transaction's
    /// item count kept for the answer.
    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let n = self.sent.fetch_add(1, Ordering::SeqCst) + 1;
        cfg.interceptor_state().store_put(CallNumber(n));
        if n != self.nth {
            return Ok(());
        }
        let request = context.request_mut();
        *self.failed.lock().unwrap() = Some(operation(request));
        if self.fault != Fault::ConditionFailed {
            return Ok(());
        }
        let items = request
            .body()
            .bytes()
            .and_then(|body| serde_json::from_slice::<serde_json::Value>(body).ok())
            .and_then(|body| body["TransactItems"].as_array().map(Vec::len));
        *self.refused_items.lock().unwrap() = items;
        request
            .headers_mut()
            .insert("x-amz-target", "DynamoDB_20120810.DescribeLimits");
        request.headers_mut().insert("content-length", "2");
        *request.body_mut() = SdkBody::from("{}");
        Ok(())
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if self.fault == Fault::BeforeSending && self.is_chosen(cfg) {
            return Err("injected fault: the request was not sent".into());
        }
        Ok(())
    }

    /// `ConditionFailed`: the harmless read's answer replaced by the refusal.
    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if self.fault != Fault::ConditionFailed || !self.is_chosen(cfg) {
            return Ok(());
        }
        let body = match *self.refused_items.lock().unwrap() {
            Some(items) => serde_json::json!({
                "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                "message": "Transaction cancelled, please refer cancellation reasons for specific reasons",
                "CancellationReasons": vec![
                    serde_json::json!({"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"});
                    items
                ],
            }),
            None => serde_json::json!({
                "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                "message": "The conditional request failed",
            }),
        };
        let response = context.response_mut();
        *response.status_mut() = 400u16.try_into()?;
        response
            .headers_mut()
            .insert("content-type", "application/x-amz-json-1.0");
        let body = body.to_string();
        response
            .headers_mut()
            .insert("content-length", body.len().to_string());
        *response.body_mut() = SdkBody::from(body);
        Ok(())
    }

    fn read_before_deserialization(
        &self,
        _context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if self.fault == Fault::AnswerLost && self.is_chosen(cfg) {
            return Err("injected fault: the answer was lost".into());
        }
        Ok(())
    }
}
