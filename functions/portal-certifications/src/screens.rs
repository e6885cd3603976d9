//! The screens that show the record: certifications (or the first-time mapping before there is a
//! record), one certification's progress, the testing history and the logos.

use lambda_http::{Body, Response};
use maud::{html, Markup};
use serde_json::Value;
use tessera_certification_routes::certifications;
use tessera_web::form::query_value;
use tessera_web::page::certification_tabs;
use tessera_web::request::not_found;
use tessera_web::text;

use crate::{records, Ctx};

fn items(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or_default()
}

fn or_na(value: &Value) -> &str {
    value.as_str().unwrap_or(text::NOT_APPLICABLE)
}

/// `GET /certifications`: active, in progress and past, by track; the mapping forms until the
/// account has a record.
pub async fn certifications(ctx: &mut Ctx<'_>) -> Response<Body> {
    let answer = ctx
        .call(
            certifications::handle,
            "GET",
            "/v1/candidate/certifications",
            None,
        )
        .await;
    if answer.code() == "not_mapped" {
        return records::mapping_page(ctx, &Default::default(), None);
    }
    if !answer.is_success() {
        return ctx.unexpected(&answer);
    }
    let sections = [
        (text::ACTIVE_CERTIFICATIONS, &answer.body["active"]),
        (text::IN_PROGRESS, &answer.body["in_progress"]),
        (text::PAST_CERTIFICATIONS, &answer.body["past"]),
    ];
    ctx.signed_in_page(
        text::CERTIFICATIONS,
        html! {
            (certification_tabs("/certifications"))
            @for (title, groups) in sections {
                section aria-label=(title) {
                    h2 { (title) }
                    @if items(groups).is_empty() { p { (text::NONE_YET) } }
                    @for group in items(groups) {
                        (certification_table(group))
                    }
                }
            }
        },
    )
    .into_response()
}

fn certification_table(group: &Value) -> Markup {
    let track = group["track"]["name"].as_str().unwrap_or_default();
    html! {
        div.table-wrap tabindex="0" role="region" aria-label=(track) { table {
            caption { (track) }
            thead { tr {
                th scope="col" { (text::NAME) }
                th scope="col" { (text::STARTED) }
                th scope="col" { (text::ACTIVE_SINCE) }
                th scope="col" { (text::EXPIRES) }
                th scope="col" { (text::DOWNLOADS) }
            } }
            tbody {
                @for c in items(&group["certifications"]) {
                    @let id = c["id"].as_str().unwrap_or_default();
                    tr {
                        th scope="row" {
                            a href={ "/certifications/" (id) } {
                                (c["name"].as_str().unwrap_or_default())
                                " (" (c["abbreviation"].as_str().unwrap_or_default()) ")"
                            }
                        }
                        td { (or_na(&c["started"])) }
                        td { (or_na(&c["active"])) }
                        td { (or_na(&c["expires"])) }
                        td {
                            @if c["downloads"].is_object() {
                                @if let Some(logo) = c["downloads"]["logo"].as_str() {
                                    a href={ "/logos/" (logo.rsplit('/').next().unwrap_or_default()) } { (text::LOGO) }
                                    " "
                                }
                                a href={ "/certifications/" (id) "/certificate.pdf" } { (text::PDF_CERTIFICATE) }
                            }
                        }
                    }
                }
            }
        } }
    }
}

/// `GET /certifications/{id}`: the numbered progress tree, the CE credits and the history.
pub async fn certification(ctx: &mut Ctx<'_>, id: &str) -> Response<Body> {
    let path = format!("/v1/candidate/certifications/{id}");
    let answer = ctx.call(certifications::handle, "GET", &path, None).await;
    if answer.status == 404 {
        return not_found();
    }
    if !answer.is_success() {
        return ctx.unexpected(&answer);
    }
    let c = &answer.body;
    let title = format!(
        "{} ({})",
        c["name"].as_str().unwrap_or_default(),
        c["abbreviation"].as_str().unwrap_or_default()
    );
    let toward = if c["progress_toward"] == "renewal" {
        text::PROGRESS_TOWARD_RENEWAL
    } else {
        text::PROGRESS_TOWARD_EARNING
    };
    ctx.signed_in_page(
        &title,
        html! {
            (certification_tabs("/certifications"))
            dl.facts {
                dt { (text::STATUS) } dd { (c["status"].as_str().unwrap_or_default()) }
                dt { (text::ACTIVE_SINCE) } dd { (or_na(&c["active"])) }
                dt { (text::EXPIRES) } dd { (or_na(&c["expires"])) }
            }
            @if c["downloads"].is_object() {
                p { a href={ "/certifications/" (id) "/certificate.pdf" } { (text::PDF_CERTIFICATE) } }
            }
            @if let Some(code) = c["certificate"]["verification_code"].as_str() {
                section aria-labelledby="verification" {
                    h2 id="verification" { (text::CERTIFICATE_VERIFICATION) }
                    dl.facts {
                        dt { (text::VERIFICATION_CODE_SHORT) } dd { code { (code) } }
                        dt { (text::CHECKS_SO_FAR) }
                        dd { (c["certificate"]["checks"].as_u64().unwrap_or_default()) }
                    }
                    @if let Some(url) = c["certificate"]["verification_url"].as_str() {
                        p { a href=(url) { (text::VERIFICATION_PAGE) } }
                    }
                }
            }
            section aria-labelledby="progress" {
                h2 id="progress" { (toward) }
                ol.tree { (progress_item(&c["progress"])) }
            }
            section aria-labelledby="credits" {
                h2 id="credits" { (text::CE_CREDITS) }
                @if items(&c["ce_credits"]).is_empty() { p { (text::NONE_YET) } } @else {
                    div.table-wrap tabindex="0" role="region" aria-labelledby="credits" { table {
                        thead { tr {
                            th scope="col" { (text::ACTIVITY) } th scope="col" { (text::PROVIDER) }
                            th scope="col" { (text::POINTS) } th scope="col" { (text::ACTIVE_DATE) }
                            th scope="col" { (text::INACTIVE_DATE) } th scope="col" { (text::STATUS) }
                        } }
                        tbody { @for credit in items(&c["ce_credits"]) { tr {
                            td { (credit["activity"].as_str().unwrap_or_default()) }
                            td { (credit["provider"].as_str().unwrap_or_default()) }
                            td { (credit["points"].as_u64().unwrap_or_default()) }
                            td { (credit["active_date"].as_str().unwrap_or_default()) }
                            td { (credit["inactive_date"].as_str().unwrap_or_default()) }
                            td { (credit["status"].as_str().unwrap_or_default()) }
                        } } }
                    } }
                }
            }
            section aria-labelledby="history" {
                h2 id="history" { (text::HISTORY) }
                div.table-wrap tabindex="0" role="region" aria-labelledby="history" { table {
                    thead { tr {
                        th scope="col" { (text::DATE) } th scope="col" { (text::EVENT) }
                        th scope="col" { (text::HOW) } th scope="col" { (text::NOTE) }
                    } }
                    tbody { @for event in items(&c["history"]) { tr {
                        td { (event["date"].as_str().unwrap_or_default()) }
                        td { (event["event"].as_str().unwrap_or_default()) }
                        td { (how_in_words(&event["how"])) }
                        td { (event["note"].as_str().unwrap_or_default()) }
                    } } }
                } }
            }
        },
    )
    .into_response()
}

/// A milestone's means in words: "by exam, by CE credits".
fn how_in_words(how: &Value) -> String {
    items(how)
        .iter()
        .filter_map(Value::as_str)
        .map(|means| match means {
            "exam" => text::BY_EXAM,
            "ce_credits" => text::BY_CE_CREDITS,
            "higher_certification" => text::BY_HIGHER_CERTIFICATION,
            "manual_grant" => text::BY_MANUAL_GRANT,
            _ => "",
        })
        .filter(|words| !words.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One requirement of the tree, numbered as the guide numbers it (1, 1.1, 1.2, …).
fn progress_item(node: &Value) -> Markup {
    let met = node["met"] == true;
    html! {
        li.met[met] {
            span.number { (node["number"].as_str().unwrap_or_default()) }
            " " (node["requirement"].as_str().unwrap_or_default())
            br;
            span.hint {
                (node["summary"].as_str().unwrap_or_default())
                " · " @if met { (text::MET) } @else { (text::NOT_MET) }
            }
            @if !items(&node["children"]).is_empty() {
                ol { @for child in items(&node["children"]) { (progress_item(child)) } }
            }
        }
    }
}

/// `GET /testing-history?sort=date|code&order=asc|desc`: exams (sortable), CE activities and
/// agreements.
pub async fn testing_history(ctx: &mut Ctx<'_>) -> Response<Body> {
    let wanted = |key: &str| query_value(ctx.request, key);
    let sort = match wanted("sort").as_deref() {
        Some("code") => "code",
        _ => "date",
    };
    let order = match wanted("order").as_deref() {
        Some("asc") => "asc",
        _ => "desc",
    };
    let exams_path = format!("/v1/candidate/exams?sort={sort}&order={order}");
    let exams = ctx
        .call(certifications::handle, "GET", &exams_path, None)
        .await;
    if exams.code() == "not_mapped" {
        return records::mapping_page(ctx, &Default::default(), None);
    }
    if !exams.is_success() {
        return ctx.unexpected(&exams);
    }
    // The guide's search box: CE activities by a term in their name, provider or id.
    let search = wanted("search").unwrap_or_default();
    let search = search.chars().take(100).collect::<String>();
    let activities_path = format!(
        "/v1/candidate/ce-activities?search={}",
        tessera_web::form::query_encode(&search)
    );
    let activities = ctx
        .call(certifications::handle, "GET", &activities_path, None)
        .await;
    let agreements = ctx
        .call(
            certifications::handle,
            "GET",
            "/v1/candidate/agreements",
            None,
        )
        .await;
    for answer in [&activities, &agreements] {
        if !answer.is_success() {
            return ctx.unexpected(answer);
        }
    }
    let sort_link = |column: &str, label: &str| {
        let next = if sort == column && order == "desc" {
            "asc"
        } else {
            "desc"
        };
        let state = (sort == column).then_some(if order == "asc" {
            "ascending"
        } else {
            "descending"
        });
        (
            format!("/testing-history?sort={column}&order={next}"),
            label.to_string(),
            state,
        )
    };
    let columns = [sort_link("code", text::CODE), sort_link("date", text::DATE)];
    ctx.signed_in_page(
        text::TESTING_HISTORY,
        html! {
            (certification_tabs("/testing-history"))
            section aria-labelledby="exams" {
                h2 id="exams" { (text::EXAMS) }
                div.table-wrap tabindex="0" role="region" aria-labelledby="exams" { table {
                    thead { tr {
                        th scope="col" aria-sort=[columns[0].2] { a href=(columns[0].0) { (columns[0].1) } }
                        th scope="col" { (text::EXAM) }
                        th scope="col" { (text::REGISTRATION_NUMBER) }
                        th scope="col" { (text::GRADE) }
                        th scope="col" aria-sort=[columns[1].2] { a href=(columns[1].0) { (columns[1].1) } }
                        th scope="col" { (text::EXPIRES) }
                    } }
                    tbody { @for exam in items(&exams.body["exams"]) { tr {
                        td { (exam["code"].as_str().unwrap_or_default()) }
                        td { (exam["exam"].as_str().unwrap_or_default()) }
                        td { (exam["registration_number"].as_str().unwrap_or_default()) }
                        td { (exam["grade"].as_str().unwrap_or_default()) }
                        td { (exam["date"].as_str().unwrap_or_default()) }
                        td { (exam["expires"].as_str().unwrap_or(text::NEVER)) }
                    } } }
                } }
            }
            section aria-labelledby="activities" {
                h2 id="activities" { (text::CE_ACTIVITIES) }
                form.search method="get" action="/testing-history" role="search" {
                    label for="search" { (text::SEARCH_ACTIVITIES) }
                    input type="search" id="search" name="search" value=(search) maxlength="100";
                    input type="hidden" name="sort" value=(sort);
                    input type="hidden" name="order" value=(order);
                    button type="submit" { (text::SEARCH) }
                }
                @if items(&activities.body["activities"]).is_empty() && !search.is_empty() {
                    p { (text::NO_MATCHING_ACTIVITIES) }
                }
                div.table-wrap tabindex="0" role="region" aria-labelledby="activities" { table {
                    thead { tr {
                        th scope="col" { (text::ACTIVITY) } th scope="col" { (text::PROVIDER) }
                        th scope="col" { (text::POINTS) } th scope="col" { (text::ACTIVE_DATE) }
                        th scope="col" { (text::EXPIRES) } th scope="col" { (text::STATUS) }
                    } }
                    tbody { @for a in items(&activities.body["activities"]) { tr {
                        td { (a["name"].as_str().unwrap_or_default()) }
                        td { (a["provider"].as_str().unwrap_or_default()) }
                        td { (a["points"].as_u64().unwrap_or_default()) }
                        td { (a["active_date"].as_str().unwrap_or_default()) }
                        td { (a["expires"].as_str().unwrap_or_default()) }
                        td { (a["status"].as_str().unwrap_or_default()) }
                    } } }
                } }
            }
            p { a href="/certificates/orders#transactions" { (text::ECOMMERCE_TRANSACTIONS) } }
            section aria-labelledby="agreements" {
                h2 id="agreements" { (text::AGREEMENTS) }
                div.table-wrap tabindex="0" role="region" aria-labelledby="agreements" { table {
                    thead { tr {
                        th scope="col" { (text::NAME) } th scope="col" { (text::ACTIVE_DATE) }
                        th scope="col" { (text::EXPIRES) }
                    } }
                    tbody { @for a in items(&agreements.body["agreements"]) { tr {
                        td { (a["name"].as_str().unwrap_or_default()) }
                        td { (a["active_date"].as_str().unwrap_or_default()) }
                        td { (a["expires"].as_str().unwrap_or(text::NEVER)) }
                    } } }
                } }
            }
        },
    )
    .into_response()
}

/// `GET /logos`: the logos the record is entitled to, each a download.
pub async fn logos(ctx: &mut Ctx<'_>) -> Response<Body> {
    let answer = ctx
        .call(certifications::handle, "GET", "/v1/candidate/logos", None)
        .await;
    if answer.code() == "not_mapped" {
        return records::mapping_page(ctx, &Default::default(), None);
    }
    if !answer.is_success() {
        return ctx.unexpected(&answer);
    }
    ctx.signed_in_page(
        text::LOGOS,
        html! {
            (certification_tabs("/logos"))
            p { (text::LOGOS_INTRO) }
            h2 { (text::LOGO_GUIDELINES) }
            blockquote.consent id="logo-guidelines" { (answer.body["guidelines"]["text"].as_str().unwrap_or_default()) }
            @if let Some(at) = answer.body["accepted"]["at"].as_str() {
                p.hint { (text::LOGO_GUIDELINES_ACCEPTED) " " (at.get(..10).unwrap_or(at)) "." }
            }
            h2 { (text::AVAILABLE_LOGOS) }
            @if items(&answer.body["logos"]).is_empty() { p { (text::NONE_YET) } }
            ul.links {
                @for logo in items(&answer.body["logos"]) {
                    li { a href={ "/logos/" (logo["id"].as_str().unwrap_or_default()) } download {
                        (logo["name"].as_str().unwrap_or_default())
                    } }
                }
            }
        },
    )
    .into_response()
}
