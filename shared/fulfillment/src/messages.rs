//! The fulfillment emails, from `templates/`.

use tessera_kernel::email_template;
use tessera_kernel::messages::EmailTemplate;

pub const ORDER_CONFIRMED: EmailTemplate = email_template!("order-confirmed");
pub const ORDER_SENT: EmailTemplate = email_template!("order-sent");
pub const ORDER_CANCELLED: EmailTemplate = email_template!("order-cancelled");
pub const ORDER_REFUNDED: EmailTemplate = email_template!("order-refunded");
