//! The portal's web pages, shared by the functions that serve them.
//!
//! A page is a thin HTML face on an API route: the page's handler parses the form, calls the
//! route's own handler in process (`api`) with the session from the cookie as its bearer token,
//! and renders the answer, mapping problem+json `errors` to the form's fields. So a page costs the
//! DynamoDB calls of the route behind it and no more, and the rules live in one place.
//!
//! - `visit`: one request's cookies (the session, the form key), the CSRF check, same-origin rules
//! - `form`: a submitted form's fields
//! - `api`: an API handler called in process, and its answer
//! - `request`: one page request (the visit, the form's checks, the pages no route answers)
//! - `page`: the layout and the form parts, written with `maud` (every value escaped)
//! - `text`: every word the pages show, in one place for a later translation
//! - `assets`: the style sheet and the one script (progressive enhancement only)
//! - `countries`: the country menu's names

pub mod api;
pub mod assets;
pub mod console;
pub mod countries;
pub mod form;
pub mod orders;
pub mod page;
pub mod request;
pub mod text;
pub mod visit;

pub use api::{Answer, Api};
pub use form::Form;
pub use page::Page;
pub use request::PageRequest;
pub use visit::Visit;
