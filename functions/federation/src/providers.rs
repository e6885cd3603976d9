//! Organisations' providers, registered by a `program_admin` (with a reason, audited). The
//! client secret goes in and is sealed; it never comes out.

use lambda_http::{Body, Request, Response};
use serde_json::{json, Value};
use tessera_federation::flows::{self, RegistrationError};
use tessera_federation::ports::RegisterError;
use tessera_federation::provider::{OrgProvider, ProviderId, Registration};
use tessera_http::body::Fields;
use tessera_http::problem::FieldError;
use tessera_http::staff::{reason, reason_only, StaffCaller};
use tessera_http::{response, Problem};
use tessera_identity::staff::Role;
use tessera_kernel::audit::{AuditParty, FieldChange};
use tessera_kernel::person::Country;

use crate::FederationState;

const ADMINS: &[Role] = &[Role::ProgramAdmin];

fn provider_json(provider: &OrgProvider) -> Value {
    json!({
        "id": provider.id.as_str(),
        "name": provider.name,
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "confidential": provider.sealed_secret.is_some(),
        "domains": provider.domains,
        "default_country": provider.default_country.as_str(),
        "created_at": provider.created_at.to_rfc3339(),
        "disabled": provider.disabled,
    })
}

pub async fn register(request: &Request, state: &FederationState) -> Response<Body> {
    let answer = async {
        let deps = &state.federation;
        let staff = StaffCaller::admit(request, &deps.identity, ADMINS).await?;
        let mut f = Fields::from_request(
            request,
            &[
                "name",
                "issuer",
                "client_id",
                "client_secret",
                "domains",
                "default_country",
                "reason",
            ],
        )?;
        let name = f.string("name");
        let issuer = f.string("issuer");
        let client_id = f.string("client_id");
        let client_secret = f.optional_string("client_secret");
        let domains = f.string_list(
            "domains",
            true,
            "invalid_domains",
            "A list of domain names.",
        );
        let country = f.parse("default_country", "invalid_country", |raw| {
            Country::parse(raw).ok_or("an ISO 3166-1 alpha-2 country code")
        });
        let reason = reason(&mut f);
        let (
            Some(name),
            Some(issuer),
            Some(client_id),
            Some(domains),
            Some(country),
            Some(reason),
            true,
        ) = (
            name,
            issuer,
            client_id,
            domains,
            country,
            reason,
            f.is_valid(),
        )
        else {
            return Err(f.into_problem());
        };
        let registration = Registration {
            name,
            issuer,
            client_id,
            client_secret,
            domains,
            default_country: country,
        };
        registration.check().map_err(|problems| {
            Problem::validation(
                problems
                    .into_iter()
                    .map(|p| FieldError::new(p.field, "invalid", p.detail))
                    .collect(),
            )
        })?;
        let provider = flows::register(
            deps,
            &staff.by(reason),
            &staff.profile.account_id,
            registration,
        )
        .await
        .map_err(|e| match e {
            RegistrationError::Register(RegisterError::DomainTaken(domain)) => Problem::new(
                409,
                "domain_taken",
                "Domain taken",
                format!("{domain} is signed in by another enabled provider: disable it first."),
            ),
            RegistrationError::Register(RegisterError::Store(e)) => Problem::internal(&e),
            RegistrationError::NoSealingKey => Problem::internal(&e),
        })?;
        Ok::<_, Problem>(response::json(201, &provider_json(&provider)))
    };
    answer.await.unwrap_or_else(Problem::into_response)
}

pub async fn list(request: &Request, state: &FederationState) -> Response<Body> {
    let answer = async {
        let deps = &state.federation;
        StaffCaller::admit(request, &deps.identity, ADMINS).await?;
        let providers = deps
            .store
            .providers()
            .await
            .map_err(|e| Problem::internal(&e))?;
        let items: Vec<Value> = providers.iter().map(provider_json).collect();
        Ok::<_, Problem>(response::json(200, &json!({ "items": items })))
    };
    answer.await.unwrap_or_else(Problem::into_response)
}

pub async fn disable(request: &Request, state: &FederationState, id: &str) -> Response<Body> {
    let answer = async {
        let deps = &state.federation;
        let staff = StaffCaller::admit(request, &deps.identity, ADMINS).await?;
        let reason = reason_only(request)?;
        let id = ProviderId::parse(id).ok_or_else(Problem::not_found)?;
        let event = staff.by(reason).event(
            deps.identity.clock.now(),
            deps.identity.random.as_ref(),
            "federation_provider.disable",
            AuditParty::new("federation_provider", id.as_str()),
            vec![FieldChange::new(
                "disabled",
                Some("false".into()),
                Some("true".into()),
            )],
        );
        let disabled = deps
            .store
            .disable_provider(&id, &event)
            .await
            .map_err(|e| Problem::internal(&e))?;
        if !disabled {
            return Err(Problem::not_found());
        }
        let provider = deps
            .store
            .provider(&id)
            .await
            .map_err(|e| Problem::internal(&e))?
            .ok_or_else(Problem::not_found)?;
        Ok::<_, Problem>(response::json(200, &provider_json(&provider)))
    };
    answer.await.unwrap_or_else(Problem::into_response)
}
