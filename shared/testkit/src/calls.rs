//! SDK interceptors on the AWS clients the adapters use. `CallCounter` records the operation of
//! every DynamoDB attempt sent (retries included, as each costs a round trip), so a test or the
//! benchmark can hold a flow to the data model's minimum. `FailOneCall` injects a fault into one
//! call, of the stores' DynamoDB client or of the messenger's SES and SNS clients.

use aws_sdk_dynamodb::config::interceptors::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The operation a DynamoDB request names (`X-Amz-Target: DynamoDB_20120810.<Op>`), or the
/// method and path of another service's request (SES v2 `POST /v2/email/outbound-emails`).
fn operation(context: &BeforeTransmitInterceptorContextRef<'_>) -> String {
    let request = context.request();
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
        self.0.lock().unwrap().push(operation(context));
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
}

/// Fails the `nth` DynamoDB call (1-based, counting every attempt) sent after it is installed;
/// every other call goes through untouched.
#[derive(Clone, Debug)]
pub struct FailOneCall {
    nth: usize,
    fault: Fault,
    sent: Arc<AtomicUsize>,
    failed: Arc<Mutex<Option<String>>>,
}

impl FailOneCall {
    pub fn new(nth: usize, fault: Fault) -> FailOneCall {
        FailOneCall {
            nth,
            fault,
            sent: Arc::default(),
            failed: Arc::default(),
        }
    }

    /// The operation the fault struck, once it has.
    pub fn struck(&self) -> Option<String> {
        self.failed.lock().unwrap().clone()
    }
}

impl Intercept for FailOneCall {
    fn name(&self) -> &'static str {
        "FailOneCall"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let n = self.sent.fetch_add(1, Ordering::SeqCst) + 1;
        if n != self.nth {
            return Ok(());
        }
        *self.failed.lock().unwrap() = Some(operation(context));
        match self.fault {
            Fault::BeforeSending => Err("injected fault: the request was not sent".into()),
            Fault::AnswerLost => Ok(()),
        }
    }

    fn read_before_deserialization(
        &self,
        _context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if self.fault == Fault::AnswerLost && self.sent.load(Ordering::SeqCst) == self.nth {
            return Err("injected fault: the answer was lost".into());
        }
        Ok(())
    }
}
