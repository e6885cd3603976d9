//! The edge layer's viewer-request function (infra/template.yaml, `EdgeViewerFunction`), run
//! by Node.js as CloudFront's JavaScript runtime would: it writes the viewer's address into the
//! header the per-client limits trust behind the edge, replacing whatever the caller sent.

use std::process::Command;
use tessera_testkit::template;

#[test]
fn the_viewer_request_function_writes_the_viewers_address_over_the_callers() {
    let template = template::load();
    let code = template["Resources"]["EdgeViewerFunction"]["Properties"]["FunctionCode"]
        .as_str()
        .expect("the function's code");
    let harness = format!(
        "{code}\n\
         const event = {{ viewer: {{ ip: '203.0.113.7' }}, request: {{ method: 'POST', uri: '/v1/sessions',\n\
           headers: {{ 'x-tessera-viewer': {{ value: '198.51.100.66' }}, accept: {{ value: '*/*' }} }} }} }};\n\
         console.log(JSON.stringify(handler(event)));"
    );
    let out = Command::new("node")
        .args(["-e", &harness])
        .output()
        .expect("node (make test installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let request: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        request["headers"]["x-tessera-viewer"]["value"],
        "203.0.113.7"
    );
    assert_eq!(
        request["headers"]["accept"]["value"], "*/*",
        "other headers stay"
    );
    assert_eq!(request["uri"], "/v1/sessions");
}
