//! Which of several overlapping asynchronous jobs is the one to keep: each start takes a
//! ticket, and only the newest ticket's result is applied. The editor module's host starts a
//! mount whenever its props change (the user's rights arrive after the page did), and the
//! module's loading may finish in any order; an older mount finishing last must not win.

/// Hands out tickets; the last one handed out is current.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Latest(u64);

/// One start's ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

impl Latest {
    /// A new ticket, which makes every earlier one stale.
    pub fn start(&mut self) -> Ticket {
        self.0 += 1;
        Ticket(self.0)
    }

    /// Whether `ticket` is still the newest.
    pub fn is_current(&self, ticket: Ticket) -> bool {
        ticket.0 == self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regression_an_older_mount_finishing_last_does_not_win() {
        let mut latest = Latest::default();
        let without_rights = latest.start();
        let with_rights = latest.start();
        // The newer finishes first and is applied; the older finishes later and is dropped.
        assert!(latest.is_current(with_rights));
        assert!(!latest.is_current(without_rights));
    }
}
