//! Registering relying applications (`program_admin` only, with a reason, audited):
//! - `POST /v1/staff/oidc-clients` `{name, type: "confidential"|"public", redirect_uris,
//!   post_logout_redirect_uris?, reason}` → 201 the client, with its secret once (confidential);
//! - `GET /v1/staff/oidc-clients` → every client, newest first (never a secret);
//! - `POST /v1/staff/oidc-clients/{id}/disable` `{reason}` → 200: refused from then on.

use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};
use tessera_http::body::Fields;
use tessera_http::problem::FieldError;
use tessera_http::staff::{reason, reason_only, StaffCaller};
use tessera_http::{response, Problem};
use tessera_identity::staff::Role;
use tessera_oidc::client::{Client, ClientId, ClientKind, Registration};
use tessera_oidc::grants::client_party;

use crate::OidcState;

const ADMINS: &[Role] = &[Role::ProgramAdmin];

fn client_json(client: &Client) -> Value {
    json!({
        "client_id": client.id.as_str(),
        "name": client.name,
        "type": client.kind,
        "redirect_uris": client.redirect_uris,
        "post_logout_redirect_uris": client.post_logout_redirect_uris,
        "created_at": client.created_at.0,
        "disabled": client.disabled,
    })
}

pub async fn register(request: &Request, state: &OidcState) -> Response<Body> {
    let answer = async {
        let staff = StaffCaller::admit(request, &state.identity, ADMINS).await?;
        let mut f = Fields::from_request(
            request,
            &[
                "name",
                "type",
                "redirect_uris",
                "post_logout_redirect_uris",
                "reason",
            ],
        )?;
        let name = f.string("name");
        let kind = f.parse("type", "invalid_type", |raw| match raw {
            "confidential" => Ok(ClientKind::Confidential),
            "public" => Ok(ClientKind::Public),
            _ => Err("confidential or public"),
        });
        let redirect_uris = f.string_list(
            "redirect_uris",
            false,
            "invalid_uris",
            "A list of addresses.",
        );
        let post_logout = f.string_list(
            "post_logout_redirect_uris",
            false,
            "invalid_uris",
            "A list of addresses.",
        );
        let reason = reason(&mut f);
        let (Some(name), Some(kind), Some(redirect_uris), Some(post_logout), Some(reason), true) =
            (name, kind, redirect_uris, post_logout, reason, f.is_valid())
        else {
            return Err(f.into_problem());
        };
        let registration = Registration {
            name,
            kind,
            redirect_uris,
            post_logout_redirect_uris: post_logout,
        };
        registration.check().map_err(|problems| {
            Problem::validation(
                problems
                    .into_iter()
                    .map(|p| FieldError::new(p.field, "invalid", p.detail))
                    .collect(),
            )
        })?;
        let deps = &state.oidc;
        let now = deps.clock.now();
        let (client, secret) =
            registration.register(&staff.profile.account_id, now, deps.random.as_ref());
        let event = staff.by(reason).event(
            now,
            deps.random.as_ref(),
            "oidc_client.register",
            client_party(&client.id),
            vec![],
        );
        deps.store
            .register_client(&client, &event)
            .await
            .map_err(|e| Problem::internal(&e))?;
        let mut body = client_json(&client);
        if let Some(secret) = secret {
            body["client_secret"] = json!(secret.expose());
        }
        Ok::<_, Problem>(response::json(201, &body))
    };
    answer.await.unwrap_or_else(Problem::into_response)
}

pub async fn list(request: &Request, state: &OidcState) -> Response<Body> {
    let answer = async {
        StaffCaller::admit(request, &state.identity, ADMINS).await?;
        let clients = state
            .oidc
            .store
            .clients()
            .await
            .map_err(|e| Problem::internal(&e))?;
        let items: Vec<Value> = clients.iter().map(client_json).collect();
        Ok::<_, Problem>(response::json(200, &json!({ "items": items })))
    };
    answer.await.unwrap_or_else(Problem::into_response)
}

pub async fn disable(request: &Request, state: &OidcState, id: &str) -> Response<Body> {
    let answer = async {
        let staff = StaffCaller::admit(request, &state.identity, ADMINS).await?;
        let reason = reason_only(request)?;
        let id = ClientId::parse(id).ok_or_else(Problem::not_found)?;
        let deps = &state.oidc;
        let now = deps.clock.now();
        let event = staff.by(reason).event(
            now,
            deps.random.as_ref(),
            "oidc_client.disable",
            client_party(&id),
            vec![],
        );
        let disabled = deps
            .store
            .disable_client(&id, &event)
            .await
            .map_err(|e| Problem::internal(&e))?;
        if !disabled {
            return Err(Problem::not_found());
        }
        let client = deps
            .store
            .client(&id)
            .await
            .map_err(|e| Problem::internal(&e))?
            .ok_or_else(Problem::not_found)?;
        Ok::<_, Problem>(response::json(200, &client_json(&client)))
    };
    answer.await.unwrap_or_else(Problem::into_response)
}
