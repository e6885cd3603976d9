//! The transcripts function: the routes of `tessera_certification_routes::transcripts` (The holder's transcripts, under `/v1/candidate/transcripts` (each route needs a session and).

pub use tessera_certification_routes::transcripts::{handle, routes, SECRETS};
