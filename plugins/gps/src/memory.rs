//! Keys of what the plugin remembers on a contact (`act::remember`), in one
//! place so the rules that write and read them agree. Plugins are stateless
//! between calls: everything that must survive a call lives here, in the
//! contact's deadlines or in its callbacks.

/// Who approved the order (GPS事业部经理); absent = not approved.
pub const APPROVED_BY: &str = "approved_by";
/// The order's fields were complete and the manager was asked to approve.
pub const ORDER_SUBMITTED: &str = "order_submitted";
/// How far up the service ladder the contact went: `remote`, `onsite` (absent = hotline).
pub const LADDER: &str = "ladder";
/// The local delivery date (`YYYY-MM-DD`) the return visits count from.
pub const DELIVERED_ON: &str = "delivered_on";
/// The number of the latest scheduled return visit.
pub const VISIT_LAST: &str = "visit_last";
/// The year of the latest scheduled December call.
pub const DECEMBER_LAST: &str = "december_last";
/// The customer is no longer served (`service_ended` event).
pub const SERVICE_ENDED: &str = "service_ended";
/// Where a major fault stands: `open`, `reported`, `cleared`, `analysed`.
pub const MAJOR_FAULT: &str = "major_fault";
