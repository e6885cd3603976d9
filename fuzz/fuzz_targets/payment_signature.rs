//! The payment provider's signature header: never panics on any header; a header the secret
//! signed for the body verifies at its own time, and not for another body.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tessera_fulfillment::signature::SigningSecret;
use tessera_kernel::time::Timestamp;

fuzz_target!(|input: (&str, &[u8], i64)| {
    let (header, body, at) = input;
    let secret = SigningSecret::new(b"whsec_fuzzing_secret".to_vec());
    let now = Timestamp(at.clamp(0, 1 << 40));
    let _ = secret.verify(header, body, now);
    let signed = secret.sign(now, body);
    assert!(secret.verify(&signed, body, now).is_ok());
    let mut other = body.to_vec();
    other.push(b'x');
    assert!(secret.verify(&signed, &other, now).is_err());
});
