//! The AWS price of a million requests of a flow, from what was measured (argon2 time, handler
//! time, DynamoDB calls and the items they touch) and list prices written down with their date.

use serde::Serialize;

/// us-east-1 list prices, arm64, as published on 2026-11-25.
pub const PRICES_DATED: &str = "2026-11-25";
const LAMBDA_GB_SECOND: f64 = 0.000_013_333_4; // arm64, first 7.5 billion GB-s a month
const LAMBDA_REQUEST: f64 = 0.20 / 1e6;
const HTTP_API_REQUEST: f64 = 1.00 / 1e6; // first 300 million a month
const DYNAMODB_WRITE_UNIT: f64 = 0.625 / 1e6; // on-demand
const DYNAMODB_READ_UNIT: f64 = 0.125 / 1e6; // on-demand, strongly consistent ≤ 4 KB
const SES_EMAIL: f64 = 0.10 / 1000.0;

/// Lambda gives a 1024 MB function about 58 % of a vCPU; argon2 is CPU-bound, so its time on one
/// local core is divided by this.
pub const CPU_SHARE_AT_1024_MB: f64 = 0.58;
/// One DynamoDB call inside a region (PERFORMANCE.md: 5–8 ms).
pub const DYNAMODB_CALL_MS: f64 = 6.0;
/// One SES or SNS call inside a region.
pub const SEND_CALL_MS: f64 = 30.0;

/// One request of a flow, as billed.
#[derive(Clone, Debug, Serialize)]
pub struct Request {
    pub name: &'static str,
    pub memory_mb: f64,
    /// CPU time on one local core (argon2 and the handler), before the CPU-share scaling.
    pub local_cpu_ms: f64,
    /// DynamoDB calls made one after another: calls sent together wait once.
    pub dynamodb_round_trips: usize,
    pub write_units: f64,
    pub read_units: f64,
    pub emails: f64,
    /// A floor the answer waits out (uniform answers), billed as duration.
    pub floor_ms: f64,
}

impl Request {
    pub fn duration_ms(&self) -> f64 {
        let cpu_share = (CPU_SHARE_AT_1024_MB * self.memory_mb / 1024.0).min(1.0);
        let work = self.local_cpu_ms / cpu_share
            + self.dynamodb_round_trips as f64 * DYNAMODB_CALL_MS
            + self.emails * SEND_CALL_MS;
        work.max(self.floor_ms).ceil()
    }

    /// Dollars per million requests.
    pub fn per_million(&self) -> Breakdown {
        let m = 1e6;
        Breakdown {
            lambda: m
                * (self.duration_ms() / 1000.0 * self.memory_mb / 1024.0 * LAMBDA_GB_SECOND
                    + LAMBDA_REQUEST),
            http_api: m * HTTP_API_REQUEST,
            dynamodb: m
                * (self.write_units * DYNAMODB_WRITE_UNIT + self.read_units * DYNAMODB_READ_UNIT),
            ses: m * self.emails * SES_EMAIL,
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Breakdown {
    pub lambda: f64,
    pub http_api: f64,
    pub dynamodb: f64,
    pub ses: f64,
}

impl Breakdown {
    pub fn total(&self) -> f64 {
        self.lambda + self.http_api + self.dynamodb + self.ses
    }

    pub fn plus(&self, other: &Breakdown) -> Breakdown {
        Breakdown {
            lambda: self.lambda + other.lambda,
            http_api: self.http_api + other.http_api,
            dynamodb: self.dynamodb + other.dynamodb,
            ses: self.ses + other.ses,
        }
    }
}

/// The requests of each priced flow, from the measured argon2 and handler times and the
/// calls the round-trip run counted (each flow's round trips: its calls, less those sent
/// beside another). A write costs a unit per KB of the item, a transactional
/// one twice that; a strongly consistent read a unit per 4 KB. Items are under 1 KB except an
/// identity with an authenticator: about 1.75 KB (its sealed seed and ten recovery-code
/// digests; 0.9 KB without), so 2 units a write.
pub fn flows(argon2_ms: f64, handler_ms: f64, floor_ms: f64) -> Vec<(&'static str, Vec<Request>)> {
    let request =
        |name, local_cpu_ms, round_trips, write_units, read_units, emails, floor_ms| Request {
            name,
            memory_mb: 1024.0,
            local_cpu_ms,
            dynamodb_round_trips: round_trips,
            write_units,
            read_units,
            emails,
            floor_ms,
        };
    vec![
        (
            "one million sign-ups (sign-up + activation)",
            vec![
                // A batch of the client's registrations (UpdateItem: each new person comes from
                // an address of their own); TransactWriteItems of identity and profile: 2 items
                // × 2 units; one email.
                request(
                    "POST /v1/accounts",
                    argon2_ms + handler_ms,
                    2,
                    5.0,
                    0.0,
                    1.0,
                    floor_ms,
                ),
                // The password set at activation is hashed. The client's request was taken
                // ahead by the sign-up (same function); GetItem of the identity, a transaction of
                // identity, username and profile (3 × 2): the code is used up by that write.
                request(
                    "POST /v1/accounts/activate",
                    argon2_ms + handler_ms,
                    2,
                    6.0,
                    1.0,
                    0.0,
                    0.0,
                ),
            ],
        ),
        (
            "one million logins without MFA",
            // A batch of the client's log-ins (UpdateItem, counted for every login: people log
            // in from addresses of their own), then the attempt counted (UpdateItem) sent
            // together with the identity's GetItem, then PutItem of the session: 4 calls in 3
            // round trips.
            vec![request(
                "POST /v1/sessions",
                argon2_ms + handler_ms,
                3,
                3.0,
                1.0,
                0.0,
                0.0,
            )],
        ),
        (
            "one million logins with TOTP",
            vec![
                // As above without the session: the challenge proves itself, nothing is written
                // (3 calls in 2 round trips).
                request(
                    "POST /v1/sessions",
                    argon2_ms + handler_ms,
                    2,
                    2.0,
                    1.0,
                    0.0,
                    0.0,
                ),
                // One Query reads the identity and the login's count (one read unit for both);
                // the identity written with the step used up (version-checked, 2 units), then
                // the session: the count needs no clearing after a first-time password.
                request("POST /v1/sessions/mfa", handler_ms, 3, 3.0, 1.0, 0.0, 0.0),
            ],
        ),
    ]
}

/// A priced flow: dollars per million, and the billed duration of each of its requests.
#[derive(Clone, Debug, Serialize)]
pub struct FlowCost {
    pub flow: &'static str,
    pub per_million: Breakdown,
    pub total: f64,
    pub billed_ms: Vec<(&'static str, f64)>,
}

pub fn price(argon2_ms: f64, handler_ms: f64, floor_ms: f64) -> Vec<FlowCost> {
    flows(argon2_ms, handler_ms, floor_ms)
        .into_iter()
        .map(|(flow, requests)| {
            let per_million = requests
                .iter()
                .map(Request::per_million)
                .reduce(|a, b| a.plus(&b))
                .expect("a flow has requests");
            FlowCost {
                flow,
                total: per_million.total(),
                per_million,
                billed_ms: requests.iter().map(|r| (r.name, r.duration_ms())).collect(),
            }
        })
        .collect()
}
