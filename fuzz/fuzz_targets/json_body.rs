//! The JSON body decoder and its limits: never panics; a body is accepted only within the size
//! limit, as a JSON object, with the JSON content type; field decoding answers every input.
#![no_main]
use lambda_http::{Body, Request};
use libfuzzer_sys::fuzz_target;
use tessera_http::body::{json_object, Fields, MAX_JSON_BODY};

fuzz_target!(|input: (bool, &[u8])| {
    let (json_type, raw) = input;
    let content_type = if json_type {
        "application/json; charset=utf-8"
    } else {
        "text/plain"
    };
    let request = || {
        let mut request = Request::new(Body::Binary(raw.to_vec()));
        request
            .headers_mut()
            .insert("content-type", content_type.parse().unwrap());
        request
    };
    if let Ok(object) = json_object(&request()) {
        assert!(json_type);
        assert!(raw.len() <= MAX_JSON_BODY);
        let _ = object;
    }
    if let Ok(mut fields) =
        Fields::from_request(&request(), &["email", "password", "enabled", "count"])
    {
        let _ = fields.string("email");
        let _ = fields.optional_string("password");
        let _ = fields.boolean("enabled");
        let _ = fields.whole_number("count");
        let _ = fields.into_problem();
    }
});
