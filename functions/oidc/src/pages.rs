//! The provider's pages: the authorization endpoint (sign in on the portal's own pages first,
//! then consent once per client) and RP-initiated logout (a confirmation, so a link from
//! elsewhere cannot sign anyone out). Forms carry the visit's CSRF token like every page.

use lambda_http::{Body, Request, RequestExt, Response};
use maud::{html, Markup};
use tessera_identity::login::{self, AuthError};
use tessera_identity::session::{Session, SessionToken};
use tessera_identity::Profile;
use tessera_kernel::ports::StoreError;
use tessera_oidc::authorize::{
    self, AuthorizationRequest, Decision, ErrorRedirect, Params, Refusal,
};
use tessera_oidc::claims::verify_own;
use tessera_oidc::client::{Client, ClientId};
use tessera_oidc::grants;
use tessera_oidc::tokens::FamilyId;
use tessera_web::page::{redirect, submit, CONTENT_SECURITY_POLICY};
use tessera_web::request::{notice_page, server_error};
use tessera_web::{text, Page, PageRequest};

use crate::OidcState;

type Ctx<'a> = PageRequest<'a, OidcState>;

/// The request's query, every pair in order (a repeated parameter is refused, so kept).
fn query_pairs(request: &Request) -> Vec<(String, String)> {
    if let Some(query) = request.uri().query() {
        return form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
    }
    request
        .query_string_parameters_ref()
        .map(|q| {
            q.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// The request's parameters a page form carried back as hidden fields, without the form's own
/// (`leave_out`).
fn posted_pairs(form: &tessera_web::Form, leave_out: &[&str]) -> Vec<(String, String)> {
    form.fields()
        .filter(|(name, _)| !leave_out.contains(name))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// The page, or the server-error page when the store failed (`what` names the step in the log).
fn or_server_error(answer: Result<Response<Body>, StoreError>, what: &str) -> Response<Body> {
    answer.unwrap_or_else(|e| {
        tracing::error!(error = %e, "{what} failed");
        server_error()
    })
}

/// The visit's live session, if any.
async fn signed_in(ctx: &Ctx<'_>) -> Result<Option<(Session, Profile)>, StoreError> {
    let Some(token) = ctx.visit.session().and_then(SessionToken::parse) else {
        return Ok(None);
    };
    match login::authenticate(&ctx.state.identity, &token).await {
        Ok(found) => Ok(Some(found)),
        Err(AuthError::Unauthenticated) => Ok(None),
        Err(AuthError::Store(e)) => Err(e),
    }
}

async fn checked(
    state: &OidcState,
    pairs: &[(String, String)],
) -> Result<Result<AuthorizationRequest, Refusal>, StoreError> {
    let params = Params::from_pairs(pairs.iter().cloned());
    let client = match params.client_id() {
        Some(id) => state.oidc.store.client(&id).await?,
        None => None,
    };
    Ok(authorize::check(&params, client))
}

pub async fn authorize(request: &Request, state: &OidcState, issuer: &str) -> Response<Body> {
    let mut ctx = Ctx::new(request, state, state.oidc.random.as_ref());
    let pairs = query_pairs(request);
    let answer = or_server_error(
        decide(&mut ctx, &pairs, issuer, None).await,
        "authorization",
    );
    ctx.finish(answer)
}

pub async fn consent(request: &Request, state: &OidcState, issuer: &str) -> Response<Body> {
    let mut ctx = Ctx::new(request, state, state.oidc.random.as_ref());
    let form = match ctx.form() {
        Ok(form) => form,
        Err(refusal) => return refusal.into_response(),
    };
    let pairs = posted_pairs(&form, &["csrf", "decision"]);
    let allowed = form.get("decision") == Some("allow");
    let answer = or_server_error(
        decide(&mut ctx, &pairs, issuer, Some(allowed)).await,
        "authorization",
    );
    ctx.finish(answer)
}

/// The request checked and decided; `answered` is the person's answer on the consent page.
async fn decide(
    ctx: &mut Ctx<'_>,
    pairs: &[(String, String)],
    issuer: &str,
    answered: Option<bool>,
) -> Result<Response<Body>, StoreError> {
    let state = ctx.state;
    let request = match checked(state, pairs).await? {
        Ok(request) => request,
        Err(Refusal::Shown(message)) => {
            return Ok(notice_page(400, text::OIDC_REFUSED_TITLE, &message))
        }
        Err(Refusal::Redirect(e)) => return Ok(redirect(&e.location(issuer))),
    };
    let found = signed_in(ctx).await?;
    let consented = match &found {
        Some((_, profile)) => {
            state
                .oidc
                .store
                .consent(&profile.account_id, &request.client.id)
                .await?
        }
        None => None,
    };
    let now = state.oidc.clock.now();
    let decision = match (answered, &found) {
        (Some(true), Some(_)) => Decision::Issue,
        (Some(false), Some(_)) => Decision::Refuse(ErrorRedirect {
            redirect_uri: request.redirect_uri.clone(),
            error: "access_denied",
            description: "the person did not allow access".into(),
            state: request.state.clone(),
        }),
        _ => request.decide(found.as_ref().map(|(s, _)| s), consented.as_ref(), now),
    };
    Ok(match decision {
        Decision::LogIn => {
            if let Some((session, _)) = &found {
                // prompt=login or max_age: this session may not vouch; the person signs in anew.
                login::log_out(&state.identity, session).await?;
                ctx.visit.end_session();
            }
            let back = format!("/oidc/authorize?{}", authorize::query_after_log_in(pairs));
            let next: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("next", &back)
                .finish();
            redirect(&format!("/?{next}"))
        }
        Decision::AskConsent => consent_page(ctx, &request, pairs),
        Decision::Issue => {
            let (session, profile) = found.expect("only a signed-in person is issued a code");
            if answered == Some(true) {
                state
                    .oidc
                    .store
                    .remember_consent(&profile.account_id, &request.client.id, &request.scopes)
                    .await?;
            }
            redirect(
                &request
                    .issue_code(&state.oidc, issuer, &session, &profile)
                    .await?,
            )
        }
        Decision::Refuse(e) => redirect(&e.location(issuer)),
    })
}

/// The page's policy, letting its form's answer redirect to `uri`'s origin (browsers hold a
/// form's redirects to `form-action`).
fn allowing_form_redirect_to(mut answer: Response<Body>, uri: &str) -> Response<Body> {
    if let Ok(url) = url::Url::parse(uri).map(|u| u.origin().ascii_serialization()) {
        let policy = CONTENT_SECURITY_POLICY
            .replace("form-action 'self'", &format!("form-action 'self' {url}"));
        if let Ok(value) = policy.parse() {
            answer
                .headers_mut()
                .insert("content-security-policy", value);
        }
    }
    answer
}

fn hidden_fields(pairs: &[(String, String)]) -> Markup {
    html! {
        @for (name, value) in pairs {
            input type="hidden" name=(name) value=(value);
        }
    }
}

fn consent_page(
    ctx: &Ctx<'_>,
    request: &AuthorizationRequest,
    pairs: &[(String, String)],
) -> Response<Body> {
    // In the order the provider lists them: who you are first.
    let scopes: Vec<&str> = tessera_oidc::scopes::SUPPORTED
        .iter()
        .filter(|scope| request.scopes.has(scope))
        .map(|scope| match *scope {
            "profile" => text::OIDC_SCOPE_PROFILE,
            "email" => text::OIDC_SCOPE_EMAIL,
            "access" => text::OIDC_SCOPE_ACCESS,
            _ => text::OIDC_SCOPE_OPENID,
        })
        .collect();
    let main = html! {
        p { strong { (request.client.name) } " " (text::OIDC_CONSENT_INTRO) }
        ul { @for scope in &scopes { li { (scope) } } }
        p { (text::OIDC_CONSENT_REMEMBERED) }
        form method="post" action="/oidc/authorize" {
            input type="hidden" name="csrf" value=(ctx.csrf());
            (hidden_fields(pairs))
            div.actions {
                button.primary type="submit" name="decision" value="allow" { (text::OIDC_ALLOW) }
                " "
                button.secondary type="submit" name="decision" value="deny" { (text::OIDC_DENY) }
            }
        }
    };
    let page = ctx
        .signed_in_page(text::OIDC_CONSENT_TITLE, main)
        .into_response();
    allowing_form_redirect_to(page, &request.redirect_uri)
}

/// What a logout request names, checked: the client, where to return (registered for it), and
/// the ID token it holds (verified; its `sid` is the family to end).
struct LogoutRequest {
    return_to: Option<String>,
    state: Option<String>,
    /// The family and account the verified hint names.
    family: Option<(FamilyId, tessera_kernel::ids::AccountId)>,
}

async fn logout_request(
    state: &OidcState,
    pairs: &[(String, String)],
) -> Result<Option<LogoutRequest>, StoreError> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let keys = state
        .oidc
        .signer
        .public_keys()
        .await
        .map_err(StoreError::unavailable)?;
    let hint = get("id_token_hint").and_then(|t| verify_own(&keys, t));
    let hinted_client = hint
        .as_ref()
        .and_then(|c| c.get("aud")?.as_str().map(str::to_string));
    let client_id = get("client_id")
        .map(str::to_string)
        .or(hinted_client.clone());
    if hinted_client.is_some() && client_id != hinted_client {
        return Ok(None);
    }
    let client: Option<Client> = match client_id.as_deref().and_then(ClientId::parse) {
        Some(id) => state.oidc.store.client(&id).await?,
        None => None,
    };
    let return_to = match get("post_logout_redirect_uri") {
        None => None,
        Some(uri) => match &client {
            Some(c) if c.allows_post_logout_redirect(uri) => Some(uri.to_string()),
            _ => return Ok(None),
        },
    };
    let family = hint.as_ref().and_then(|c| {
        let sid = FamilyId::parse(c.get("sid")?.as_str()?)?;
        let sub = tessera_kernel::ids::AccountId::parse(c.get("sub")?.as_str()?)?;
        Some((sid, sub))
    });
    Ok(Some(LogoutRequest {
        return_to,
        state: get("state").map(str::to_string),
        family,
    }))
}

pub async fn logout(request: &Request, state: &OidcState) -> Response<Body> {
    let ctx = Ctx::new(request, state, state.oidc.random.as_ref());
    let pairs = query_pairs(request);
    let checked = logout_request(state, &pairs).await;
    let answer = or_server_error(
        checked.map(|checked| match checked {
            Some(checked) => {
                let main = html! {
                    p { (text::OIDC_LOGOUT_INTRO) }
                    form method="post" action="/oidc/logout" {
                        input type="hidden" name="csrf" value=(ctx.csrf());
                        (hidden_fields(&pairs))
                        (submit(text::OIDC_SIGN_OUT))
                    }
                };
                // Asked while signed in (as a rule): the header is the signed-in one.
                let page = match ctx.visit.session() {
                    Some(_) => ctx.signed_in_page(text::OIDC_LOGOUT_TITLE, main),
                    None => Page::new(text::OIDC_LOGOUT_TITLE, main),
                }
                .into_response();
                match &checked.return_to {
                    Some(uri) => allowing_form_redirect_to(page, uri),
                    None => page,
                }
            }
            None => notice_page(400, text::OIDC_REFUSED_TITLE, text::OIDC_BAD_LOGOUT),
        }),
        "logout",
    );
    ctx.finish(answer)
}

pub async fn end_session(request: &Request, state: &OidcState) -> Response<Body> {
    let mut ctx = Ctx::new(request, state, state.oidc.random.as_ref());
    let form = match ctx.form() {
        Ok(form) => form,
        Err(refusal) => return refusal.into_response(),
    };
    let pairs = posted_pairs(&form, &["csrf"]);
    let ended = async {
        let Some(checked) = logout_request(state, &pairs).await? else {
            return Ok(notice_page(
                400,
                text::OIDC_REFUSED_TITLE,
                text::OIDC_BAD_LOGOUT,
            ));
        };
        if let Some((session, _)) = signed_in(&ctx).await? {
            login::log_out(&state.identity, &session).await?;
        }
        if let Some((family, account)) = &checked.family {
            grants::end_family(&state.oidc, family, account).await?;
        }
        Ok::<_, StoreError>(match &checked.return_to {
            Some(uri) => {
                let mut location = url::Url::parse(uri).map_err(StoreError::unavailable)?;
                if let Some(s) = &checked.state {
                    location.query_pairs_mut().append_pair("state", s);
                }
                redirect(location.as_str())
            }
            None => notice_page(200, text::OIDC_SIGNED_OUT_TITLE, text::OIDC_SIGNED_OUT),
        })
    };
    let ended = ended.await;
    if ended.is_ok() {
        ctx.visit.end_session();
    }
    let answer = or_server_error(ended, "logout");
    ctx.finish(answer)
}
