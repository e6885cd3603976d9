//! Routing by a table: each function lists its routes once, as (method, path, route). A request
//! whose path is in no row answers 404; one whose path is in a row for other methods answers 405
//! with the `Allow` header those rows give (RFC 9110, 15.5.6). A path may hold parameters as
//! the template writes them (`/v1/candidate/logos/{id}`): a segment matches one only if the
//! function's parameter rule accepts it, so a malformed id is no path at all (404).

use crate::problem::Problem;
use lambda_http::Request;

/// One row: the method, the exact path, and what the handler does for it.
pub type Route<R> = (&'static str, &'static str, R);

/// The route `request` asks for, or the 404/405 problem (tables of exact paths).
pub fn route<R: Copy>(request: &Request, routes: &[Route<R>]) -> Result<R, Problem> {
    route_with_params(request, routes, |_| false).map(|(route, _)| route)
}

/// The route `request` asks for and its path parameters in order, each accepted by
/// `parameter`; or the 404/405 problem.
pub fn route_with_params<R: Copy>(
    request: &Request,
    routes: &[Route<R>],
    parameter: impl Fn(&str) -> bool,
) -> Result<(R, Vec<String>), Problem> {
    route_path(
        request.method().as_str(),
        request.uri().path(),
        routes,
        parameter,
    )
}

/// `route_with_params` for a method and path (what a function's tests check its table with).
pub fn route_path<R: Copy>(
    method: &str,
    path: &str,
    routes: &[Route<R>],
    parameter: impl Fn(&str) -> bool,
) -> Result<(R, Vec<String>), Problem> {
    let mut allowed: Vec<&str> = Vec::new();
    for &(row_method, row_path, route) in routes {
        let Some(parameters) = matches(row_path, path, &parameter) else {
            continue;
        };
        if row_method == method {
            return Ok((route, parameters));
        }
        allowed.push(row_method);
    }
    if allowed.is_empty() {
        return Err(Problem::not_found());
    }
    Err(Problem::method_not_allowed().with_header("allow", allowed.join(", ")))
}

/// The parameters of `path` if it has the row's shape: the same literal segments, and a
/// segment `parameter` accepts wherever the row has `{name}`.
fn matches(row: &str, path: &str, parameter: &impl Fn(&str) -> bool) -> Option<Vec<String>> {
    if !row.contains('{') {
        return (row == path).then(Vec::new);
    }
    let (rows, segments): (Vec<&str>, Vec<&str>) =
        (row.split('/').collect(), path.split('/').collect());
    if rows.len() != segments.len() {
        return None;
    }
    let mut parameters = Vec::new();
    for (expected, segment) in rows.into_iter().zip(segments) {
        if expected.starts_with('{') && expected.ends_with('}') {
            if !parameter(segment) {
                return None;
            }
            parameters.push(segment.to_string());
        } else if expected != segment {
            return None;
        }
    }
    Some(parameters)
}

/// A table's (method, path) pairs, for holding it to the template.
pub fn pairs<R>(routes: &[Route<R>]) -> Vec<(&'static str, &'static str)> {
    routes
        .iter()
        .map(|(method, path, _)| (*method, *path))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &[Route<u8>] = &[
        ("GET", "/v1/me", 1),
        ("PATCH", "/v1/me", 2),
        ("POST", "/v1/me/x", 3),
    ];

    fn request(method: &str, path: &str) -> Request {
        lambda_http::http::Request::builder()
            .method(method)
            .uri(path)
            .body(lambda_http::Body::Empty)
            .unwrap()
    }

    #[test]
    fn parameters_match_only_what_the_rule_accepts() {
        const WITH_ID: &[Route<u8>] = &[
            ("GET", "/v1/things/{id}", 1),
            ("DELETE", "/v1/things/{id}", 2),
            ("POST", "/v1/things/{id}/emails", 3),
        ];
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let found = route_with_params(&request("GET", "/v1/things/42"), WITH_ID, digits).unwrap();
        assert_eq!(found, (1, vec!["42".to_string()]));
        let emails = route_with_params(&request("POST", "/v1/things/7/emails"), WITH_ID, digits);
        assert_eq!(emails.unwrap(), (3, vec!["7".to_string()]));
        let wrong = route_with_params(&request("PUT", "/v1/things/42"), WITH_ID, digits);
        let wrong = wrong.unwrap_err();
        assert_eq!(wrong.status, 405);
        assert_eq!(wrong.headers, vec![("allow", "GET, DELETE".to_string())]);
        for malformed in [
            "/v1/things/4x",
            "/v1/things/",
            "/v1/things/42/x",
            "/v1/things",
        ] {
            for method in ["GET", "PUT"] {
                let answer = route_with_params(&request(method, malformed), WITH_ID, digits);
                assert_eq!(answer.unwrap_err().status, 404, "{method} {malformed}");
            }
        }
    }

    #[test]
    fn a_listed_route_is_found_another_method_is_405_with_allow_and_the_rest_404() {
        assert_eq!(route(&request("PATCH", "/v1/me"), ROUTES).unwrap(), 2);
        let wrong = route(&request("DELETE", "/v1/me"), ROUTES).unwrap_err();
        assert_eq!(wrong.status, 405);
        assert_eq!(wrong.headers, vec![("allow", "GET, PATCH".to_string())]);
        assert_eq!(
            route(&request("GET", "/v1/you"), ROUTES)
                .unwrap_err()
                .status,
            404
        );
        assert_eq!(
            route(&request("GET", "/v1/me/"), ROUTES)
                .unwrap_err()
                .status,
            404
        );
    }
}
