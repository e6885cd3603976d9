//! Routing by a table: each function lists its routes once, as (method, path, route). A request
//! whose path is in no row answers 404; one whose path is in a row for other methods answers 405
//! with the `Allow` header those rows give (RFC 9110, 15.5.6).

use crate::problem::Problem;
use lambda_http::Request;

/// One row: the method, the exact path, and what the handler does for it.
pub type Route<R> = (&'static str, &'static str, R);

/// The route `request` asks for, or the 404/405 problem.
pub fn route<R: Copy>(request: &Request, routes: &[Route<R>]) -> Result<R, Problem> {
    let (method, path) = (request.method().as_str(), request.uri().path());
    let mut allowed: Vec<&str> = Vec::new();
    for &(row_method, row_path, route) in routes {
        if row_path != path {
            continue;
        }
        if row_method == method {
            return Ok(route);
        }
        allowed.push(row_method);
    }
    if allowed.is_empty() {
        return Err(Problem::not_found());
    }
    Err(Problem::method_not_allowed().with_header("allow", allowed.join(", ")))
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
