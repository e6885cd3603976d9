//! The certification tracking pages through their handler, on both backends, with the sample
//! records imported: first-time mapping by score report (the new address confirmed with the code
//! from the real email), the certifications and one's progress tree, the PDF certificate, personal
//! info, the testing history sorted, logos, and a transcript made, emailed and deleted.

use serde_json::json;
use tessera_testkit::{unique_email, Backend, TestApp, TestResponse};
use tessera_tests::certification::{import_samples, move_clock_to_the_samples_day};
use tessera_tests::pages::{hidden, PageClient};
use tessera_tests::{active_account, log_in, on_both_backends, token_of, PASSWORD};

fn assert_page(r: &TestResponse, status: u16, heading: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert!(
        r.text.contains(&format!("<h1>{heading}</h1>")),
        "expected the page \"{heading}\": {}",
        r.text
    );
}

/// A signed-in browser of a new account, on the samples' day with the samples imported.
async fn signed_in_browser(app: &TestApp) -> PageClient<'_> {
    import_samples(app).await;
    move_clock_to_the_samples_day(app);
    let (email, _) = active_account(app, "pages.candidate").await;
    let token = token_of(&log_in(app, &email, PASSWORD).await);
    let mut browser = PageClient::new(app);
    browser.use_session(&token);
    browser
}

async fn map_by_score_report(app: &TestApp, browser: &mut PageClient<'_>) {
    let r = browser.get("/certifications").await;
    assert_page(&r, 200, "Find your certification record");
    let new_email = unique_email("pages.ada");
    let wrong = browser
        .post(
            "/mapping",
            &[
                ("method", "score_report"),
                ("last_name", "Babbage"),
                ("registration_number", "REG-2019-0416"),
                ("new_email", &new_email),
            ],
        )
        .await;
    assert!(wrong.status >= 400, "{}", wrong.text);
    assert!(wrong.text.contains("role=\"alert\""));
    let r = browser
        .post(
            "/mapping",
            &[
                ("method", "score_report"),
                ("last_name", "Lovelace"),
                ("registration_number", "REG-2019-0416"),
                ("new_email", &new_email),
            ],
        )
        .await;
    assert_page(&r, 200, "Find your certification record");
    assert!(r.text.contains("name=\"code\""), "{}", r.text);
    let code = app.latest_code(&new_email);
    let r = browser.post("/mapping/confirm", &[("code", &code)]).await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(r.header("location"), Some("/certifications"));
}

/// The Digital Badges tab: a badge per earned certification with its image, and its downloads
/// through the page's session; a badge not on the record is the not-found page.
async fn the_candidate_reads_the_badges_and_downloads_them(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut browser = signed_in_browser(&app).await;
    map_by_score_report(&app, &mut browser).await;
    let page = browser.get("/badges").await;
    assert_page(&page, 200, "Digital Badges");
    assert!(
        page.text.contains("<h2>Infrastructure Associate</h2>"),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("Expired: it verifies as expired"),
        "{}",
        page.text
    );
    let id = page
        .text
        .split("href=\"/badges/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("a badge's download link")
        .to_string();
    assert!(page
        .text
        .contains(&format!("src=\"/badges/{id}/image.png\"")));
    for (file, content_type) in [
        ("credential.jwt", "application/vc+jwt"),
        ("image.png", "image/png"),
        ("image.svg", "image/svg+xml"),
    ] {
        let r = browser.get(&format!("/badges/{id}/{file}")).await;
        assert_eq!(r.status, 200, "{file}: {}", r.text);
        assert_eq!(r.header("content-type"), Some(content_type), "{file}");
    }
    let unknown = browser
        .get("/badges/0123456789abcdef0123456789abcdef/image.png")
        .await;
    assert_eq!(unknown.status, 404);
}

async fn the_candidate_maps_and_reads_every_screen(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut browser = signed_in_browser(&app).await;
    map_by_score_report(&app, &mut browser).await;

    let list = browser.get("/certifications").await;
    assert_page(&list, 200, "Certifications");
    assert!(list.text.contains("Active certifications"));
    let detail_link = list
        .text
        .split("href=\"/certifications/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a certification links to its page")
        .to_string();
    let detail = browser.get(&format!("/certifications/{detail_link}")).await;
    assert_eq!(detail.status, 200, "{}", detail.text);
    assert!(
        detail.text.contains("class=\"number\">1<"),
        "numbered tree: {}",
        detail.text
    );
    assert!(detail.text.contains("History"));
    assert!(
        detail.text.contains("<th scope=\"col\">How</th>") && detail.text.contains("by exam"),
        "how each milestone happened: {}",
        detail.text
    );

    let pdf_link = list
        .text
        .split("href=\"/certifications/")
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.ends_with("/certificate.pdf"))
        .expect("an active certification offers its PDF")
        .to_string();
    let pdf = browser.get(&format!("/certifications/{pdf_link}")).await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert!(pdf.bytes.starts_with(b"%PDF"));
    // The active certification's page shows the code its PDF carries and where to check it.
    let active_page = browser
        .get(&format!(
            "/certifications/{}",
            pdf_link.trim_end_matches("/certificate.pdf")
        ))
        .await;
    assert!(
        active_page
            .text
            .contains("Anyone can check this certificate with its code"),
        "{}",
        active_page.text
    );
    assert!(
        active_page.text.contains("/v1/verify/"),
        "{}",
        active_page.text
    );
    assert_eq!(
        browser.get("/certifications/no-such-thing").await.status,
        404
    );

    let info = browser.get("/personal-info").await;
    assert_page(&info, 200, "Personal info");
    let r = browser
        .post(
            "/personal-info/settings",
            &[("employee", "no"), ("partner", "yes")],
        )
        .await;
    assert_eq!(r.status, 422, "three questions unanswered: {}", r.text);
    assert!(r.text.contains("id=\"problems-title\""));
    let r = browser
        .post(
            "/personal-info/settings",
            &[
                ("employee", "no"),
                ("partner", "yes"),
                ("email_notifications", "yes"),
                ("academy_student", "no"),
                ("verification_consent", "yes"),
            ],
        )
        .await;
    assert_page(&r, 200, "Personal info");
    assert!(
        r.text.contains("name=\"partner\" value=\"yes\" checked"),
        "{}",
        r.text
    );
    // The consent's text is on the page, and the form sends the version it showed.
    assert!(r.text.contains("id=\"consent-text\""), "{}", r.text);
    assert_eq!(
        hidden(&r.text, "verification_consent_version").as_deref(),
        Some("1")
    );
    let stale = browser
        .post(
            "/personal-info/settings",
            &[
                ("employee", "no"),
                ("partner", "yes"),
                ("email_notifications", "yes"),
                ("academy_student", "no"),
                ("verification_consent", "no"),
                ("verification_consent_version", "0"),
            ],
        )
        .await;
    assert_eq!(stale.status, 422, "{}", stale.text);
    assert!(
        stale.text.contains("consent text changed"),
        "{}",
        stale.text
    );
    let r = browser
        .post("/personal-info/attributes", &[("job_title", "Analyst <b>")])
        .await;
    assert!(r.text.contains("value=\"Analyst &lt;b&gt;\""), "{}", r.text);

    let by_code = browser.get("/testing-history?sort=code&order=asc").await;
    assert_page(&by_code, 200, "Testing history");
    assert!(by_code.text.contains("aria-sort=\"ascending\""));
    let exams = &by_code.text[by_code.text.find("id=\"exams\"").unwrap()..];
    let exams = &exams[..exams.find("</table>").unwrap()];
    let codes: Vec<&str> = exams
        .split("<tr><td>")
        .skip(1)
        .map(|row| row.split('<').next().unwrap())
        .collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert!(!codes.is_empty());
    assert_eq!(codes, sorted, "sorted by code");

    // The CE activities' search box narrows the list, keeping the exams' sort.
    let searched = browser
        .get("/testing-history?sort=code&order=asc&search=Routing+DESIGN")
        .await;
    assert_page(&searched, 200, "Testing history");
    assert!(
        searched.text.contains("value=\"Routing DESIGN\""),
        "{}",
        searched.text
    );
    assert!(searched.text.contains("Routing design workshop (part 2)"));
    assert!(!searched.text.contains("Automation fundamentals course"));
    let none = browser.get("/testing-history?search=nothing").await;
    assert!(none.text.contains("No CE activity matches that search."));

    let logos = browser.get("/logos").await;
    assert_page(&logos, 200, "Logos");
    assert!(
        logos.text.contains("id=\"logo-guidelines\""),
        "{}",
        logos.text
    );
    assert!(!logos.text.contains("You accepted these guidelines"));
    let logo = logos
        .text
        .split("href=\"/logos/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a logo to download");
    let file = browser.get(&format!("/logos/{logo}")).await;
    assert_eq!(file.status, 200);
    assert!(file.text.contains("<svg"), "{}", file.text);
    let logos = browser.get("/logos").await;
    assert!(
        logos.text.contains("You accepted these guidelines on"),
        "{}",
        logos.text
    );
}

async fn a_transcript_is_made_emailed_and_deleted(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut browser = signed_in_browser(&app).await;
    map_by_score_report(&app, &mut browser).await;
    assert_page(&browser.get("/transcripts").await, 200, "Transcripts");
    let fields = [
        ("description", "For the hiring team"),
        ("expires_in_days", "30"),
        ("include_new", "yes"),
    ];
    let r = browser.post("/transcripts", &fields).await;
    assert_eq!(r.status, 409, "no consent yet: {}", r.text);
    assert!(r.text.contains("Personal info page"), "{}", r.text);
    browser.get("/personal-info").await;
    let consent = [
        ("employee", "no"),
        ("partner", "no"),
        ("email_notifications", "yes"),
        ("academy_student", "no"),
        ("verification_consent", "yes"),
    ];
    assert_eq!(
        browser
            .post("/personal-info/settings", &consent)
            .await
            .status,
        200
    );
    let r = browser
        .post(
            "/transcripts",
            &[
                ("description", "For the hiring team"),
                ("expires_in_days", "30"),
                ("include_new", "yes"),
            ],
        )
        .await;
    assert_page(&r, 200, "Transcripts");
    assert!(r.text.contains("Your transcript is ready"));
    let action = r
        .text
        .split("action=\"/transcripts/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("the transcript's forms")
        .to_string();
    let recruiter = unique_email("pages.recruiter");
    let r = browser
        .post(
            &format!("/transcripts/{action}/email"),
            &[("to", &recruiter)],
        )
        .await;
    assert!(r.text.contains("The link is on its way"), "{}", r.text);
    let sent = app.messages_to(&recruiter);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].body.contains(&format!("/v1/transcripts/{action}")));
    let bad_address = browser
        .post(&format!("/transcripts/{action}/email"), &[("to", "nobody")])
        .await;
    assert_eq!(bad_address.status, 422, "{}", bad_address.text);
    assert!(
        bad_address
            .text
            .contains(&format!("id=\"email-{action}-to-error\"")),
        "the message at that transcript's address field: {}",
        bad_address.text
    );
    assert!(r.text.contains("on a professional network"), "share links");
    assert!(r.text.contains("Not yet"), "not viewed yet");

    // Edited: the description and remarks change, the expiry is kept, the link stays the same.
    let expiry_before = r
        .text
        .split("Expires</dt><dd>")
        .nth(1)
        .map(|d| d[..10].to_string());
    let edit = format!("/transcripts/{action}/edit");
    let too_long = browser
        .post(
            &edit,
            &[("description", "For the panel"), ("expires_in_days", "0")],
        )
        .await;
    assert_eq!(too_long.status, 422, "{}", too_long.text);
    assert!(
        too_long
            .text
            .contains(&format!("id=\"edit-{action}-expires_in_days-error\"")),
        "the message at that transcript's edit form: {}",
        too_long.text
    );
    assert!(
        too_long.text.contains("<details open"),
        "the refused edit form stays open"
    );
    let saved = browser
        .post(
            &edit,
            &[
                ("description", "For the panel"),
                ("remarks", "Ask me about the lab work"),
                ("expires_in_days", ""),
                ("show_candidate_id", "yes"),
                ("show_location", "yes"),
                ("address_lines", "12 Analytical Row\r\n\r\nLondon N1\r\n"),
            ],
        )
        .await;
    assert_page(&saved, 200, "Transcripts");
    assert!(
        saved
            .text
            .contains(">12 Analytical Row\nLondon N1</textarea>"),
        "the lines kept, blank ones dropped: {}",
        saved.text
    );
    assert!(
        saved.text.contains("Your changes are saved"),
        "{}",
        saved.text
    );
    assert!(
        saved.text.contains("<h2>For the panel</h2>"),
        "{}",
        saved.text
    );
    assert!(
        saved
            .text
            .contains(&format!("action=\"/transcripts/{action}/email\"")),
        "the same link"
    );
    let expiry_after = saved
        .text
        .split("Expires</dt><dd>")
        .nth(1)
        .map(|d| d[..10].to_string());
    assert_eq!(
        expiry_before, expiry_after,
        "an empty number of days keeps the expiry"
    );
    let session = ["__Host-tessera-session", "tessera-session"]
        .iter()
        .find_map(|name| browser.cookie(name))
        .expect("the session cookie")
        .to_string();
    let listed = tessera_tests::certification::call(
        &app,
        "GET",
        "/v1/candidate/transcripts",
        &session,
        None,
    )
    .await;
    assert_eq!(
        listed.json["transcripts"][0]["remarks"],
        "Ask me about the lab work"
    );
    assert_eq!(
        listed.json["transcripts"][0]["include_new"], false,
        "the box was not ticked"
    );
    let shown = &listed.json["transcripts"][0];
    assert_eq!(
        (
            &shown["show_dates"],
            &shown["show_candidate_id"],
            &shown["show_location"]
        ),
        (&json!(false), &json!(true), &json!(true)),
        "the boxes as ticked"
    );

    let preview = browser
        .get(&format!("/transcripts/{action}/email-preview"))
        .await;
    assert_page(&preview, 200, "Transcript email preview");
    assert!(
        preview.text.contains(&format!("/v1/transcripts/{action}")),
        "{}",
        preview.text
    );
    assert!(preview.text.contains("Transcript for"), "the subject");
    assert_eq!(
        app.messages_to(&recruiter).len(),
        1,
        "previewing sent nothing"
    );

    let r = browser
        .post(&format!("/transcripts/{action}/delete"), &[])
        .await;
    assert!(r.text.contains("The transcript is deleted"));
    assert!(r.text.contains("No transcripts yet"));
    let refused = browser.post("/transcripts", &[("description", "")]).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(
        refused.text.contains("id=\"new-description-error\""),
        "{}",
        refused.text
    );
    assert!(hidden(&refused.text, "csrf").is_some());
}

/// Certificates & plaques: the kits offered, an order with the shipping form (and the address in
/// the recipient's script), the provider's checkout linked, the same form sent twice making one
/// order, and a refused form saying which field.
async fn a_kit_is_ordered_from_the_pages(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut browser = signed_in_browser(&app).await;
    map_by_score_report(&app, &mut browser).await;
    let page = browser.get("/certificates").await;
    assert_page(&page, 200, "Certificates &amp; plaques");
    let quantity = page
        .text
        .split("<select id=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a quantity for each kit")
        .to_string();
    assert!(quantity.starts_with("quantity."), "{quantity}");
    let certification = quantity.trim_start_matches("quantity.").to_string();
    let plaque = format!("quantity.plaque.{certification}");
    assert!(
        page.text.contains(&format!("<select id=\"{plaque}\"")),
        "a plaque beside each kit: {}",
        page.text
    );
    assert!(
        page.text.contains("recognition letter</label>"),
        "{}",
        page.text
    );
    let key = hidden(&page.text, "idempotency_key").expect("the form's own key");
    let mut fields = vec![
        ("idempotency_key", key.as_str()),
        (quantity.as_str(), "2"),
        (plaque.as_str(), "1"),
        ("tracking", "yes"),
        ("payment_method", "card"),
        ("shipping.first_name", "Zoë"),
        ("shipping.last_name", "Lovelace"),
        ("shipping.email", "ada@example.com"),
        ("shipping.phone", "+44 20 7946 0000"),
        ("shipping.address", "12 Rue de l'Église"),
        ("shipping.postal_code", "N1 1AA"),
        ("shipping.country", "GB"),
        ("shipping_localized.first_name", "ゾーイ"),
        ("shipping_localized.last_name", "ラブレス"),
        ("shipping_localized.address", "千代田区１－１"),
        ("shipping_localized.city", "東京都"),
    ];
    let refused = browser.post("/certificates", &fields).await;
    assert_eq!(refused.status, 422, "no city: {}", refused.text);
    assert!(
        refused.text.contains("id=\"shipping.city-error\""),
        "{}",
        refused.text
    );
    assert!(
        refused.text.contains("value=\"Zoë\""),
        "what was typed stays"
    );
    fields.push(("shipping.city", "London"));
    let placed = browser.post("/certificates", &fields).await;
    assert_page(&placed, 200, "Certificates &amp; plaques");
    assert!(
        placed.text.contains("Your order is placed"),
        "{}",
        placed.text
    );
    assert!(
        placed.text.contains("/v1/payments/sandbox/"),
        "the provider's checkout is linked: {}",
        placed.text
    );
    let again = browser.post("/certificates", &fields).await;
    assert_eq!(again.status, 200, "{}", again.text);
    let history = browser.get("/certificates/orders").await;
    assert_page(&history, 200, "Order history");
    assert!(
        history.text.contains(" plaque"),
        "the plaque's line: {}",
        history.text
    );
    assert_eq!(
        history.text.matches("<section aria-label=").count(),
        1,
        "one order for one form sent twice: {}",
        history.text
    );
    assert!(
        history.text.contains("Waiting for payment"),
        "the status in words: {}",
        history.text
    );
    assert!(
        history.text.contains("<ol class=\"stages\">"),
        "each stage with its day: {}",
        history.text
    );
    assert!(
        history.text.contains("E-commerce Transactions")
            && history.text.contains("Awaiting payment (nothing charged)"),
        "the transactions list: {}",
        history.text
    );
    // Back from the provider's checkout, the history says how it ended.
    for (outcome, says) in [
        ("success", "ships once the payment provider confirms"),
        ("cancelled", "nothing was charged"),
    ] {
        let back = browser
            .get(&format!("/certificates/orders?order=x&checkout={outcome}"))
            .await;
        assert_page(&back, 200, "Order history");
        assert!(back.text.contains(says), "{outcome}: {}", back.text);
    }
    assert!(!history
        .text
        .contains("ships once the payment provider confirms"));
    // The next order's form starts from this order's address, the localized one too.
    let next = browser.get("/certificates").await;
    for filled in ["value=\"Zoë\"", "value=\"London\"", "value=\"東京都\""] {
        assert!(next.text.contains(filled), "{filled}: {}", next.text);
    }
    assert!(
        next.text.contains("<option value=\"GB\" selected"),
        "{}",
        next.text
    );
}

/// The link in the email that proves a score report's new address: opened signed out, it goes
/// by the log-in page, which brings the person back to it; opening it changes nothing, the
/// button does. A log-in's `next` naming another site is ignored.
async fn the_emailed_mapping_link_goes_by_log_in_and_confirms_with_the_button(backend: Backend) {
    let app = TestApp::new(backend).await;
    import_samples(&app).await;
    move_clock_to_the_samples_day(&app);
    let (email, _) = active_account(&app, "pages.link").await;
    let token = token_of(&log_in(&app, &email, PASSWORD).await);
    let new_email = unique_email("pages.link.record");
    let mut api = PageClient::new(&app);
    api.use_session(&token);
    api.get("/certifications").await;
    let mapped = api
        .post(
            "/mapping",
            &[
                ("method", "score_report"),
                ("last_name", "Lovelace"),
                ("registration_number", "REG-2019-0416"),
                ("new_email", &new_email),
            ],
        )
        .await;
    assert_page(&mapped, 200, "Find your certification record");
    let message = app.messages_to(&new_email).pop().expect("the proof email");
    let code = app.latest_code(&new_email);
    let link = format!(
        "{}/mapping/confirm?code={code}",
        tessera_http::config::LOCAL_PUBLIC_URL
    );
    assert!(message.body.contains(&link), "{}", message.body);
    let path = &link[link.find("/mapping/confirm").unwrap()..];

    let mut browser = PageClient::new(&app);
    let opened = browser.get(path).await;
    assert_eq!(opened.status, 303, "{}", opened.text);
    let to_log_in = opened.header("location").unwrap().to_string();
    assert_eq!(
        to_log_in,
        format!("/?next=%2Fmapping%2Fconfirm%3Fcode%3D{code}")
    );
    let log_in_page = browser.get(&to_log_in).await;
    assert_page(&log_in_page, 200, "Log in");
    assert!(
        log_in_page.text.contains("Log in to continue"),
        "{}",
        log_in_page.text
    );
    assert_eq!(hidden(&log_in_page.text, "next").as_deref(), Some(path));
    let step2 = browser
        .post("/sign-in", &[("email", &email), ("next", path)])
        .await;
    assert_eq!(
        hidden(&step2.text, "next").as_deref(),
        Some(path),
        "{}",
        step2.text
    );
    let signed_in = browser
        .post(
            "/sign-in",
            &[("email", &email), ("password", PASSWORD), ("next", path)],
        )
        .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);
    assert_eq!(signed_in.header("location"), Some(path));

    for _ in 0..2 {
        let form = browser.get(path).await;
        assert_page(&form, 200, "Find your certification record");
        assert!(
            form.text.contains(&format!("value=\"{code}\"")),
            "{}",
            form.text
        );
    }
    let record = api.get("/personal-info").await;
    assert!(
        !record.text.contains(&new_email),
        "opening the link changed nothing: {}",
        record.text
    );
    let confirmed = browser.post("/mapping/confirm", &[("code", &code)]).await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.text);
    assert_eq!(confirmed.header("location"), Some("/certifications"));
    let record = api.get("/personal-info").await;
    assert!(record.text.contains(&new_email), "{}", record.text);

    let mut elsewhere = PageClient::new(&app);
    elsewhere.get("/").await;
    let r = elsewhere
        .post(
            "/sign-in",
            &[
                ("email", &email),
                ("password", PASSWORD),
                ("next", "//elsewhere.example/"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(r.header("location"), Some("/account"));
}

on_both_backends!(
    the_emailed_mapping_link_goes_by_log_in_and_confirms_with_the_button,
    the_candidate_maps_and_reads_every_screen,
    the_candidate_reads_the_badges_and_downloads_them,
    a_transcript_is_made_emailed_and_deleted,
    a_kit_is_ordered_from_the_pages,
);
