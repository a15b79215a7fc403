//! Working-time calendars: time zones, hours, holidays and make-up working days.
