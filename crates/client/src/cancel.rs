//! The cancellation signal shared by a run and everything it started: the fetch driver, the
//! Jira transports and the HTTP clients all take a [`Cancel`], so this module depends on
//! nothing else in the client.
//!
//! The key design decision: every pending [`Cancelled`] future holds exactly one registration
//! (its task's latest waker, replaced only when `Waker::will_wake` says the task changed) and
//! removes it when it completes or is dropped, so a loop that polls a fresh future per turn
//! keeps the list as short as the number of futures alive, not as long as the run. Hooks
//! are held the same way: [`Cancel::on_cancel`] returns a [`Hook`] that unregisters its
//! hook when dropped, so a run's finished requests leave no abort callback behind.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A cancellation signal shared by a run and everything it started. Cancelling runs the
/// registered hooks (the Direct transport aborts its `fetch`es through them) and wakes
/// whoever awaits [`Cancel::cancelled`].
#[derive(Clone, Default)]
pub struct Cancel(Rc<CancelState>);

#[derive(Default)]
struct CancelState {
    cancelled: Cell<bool>,
    /// The waker of each pending [`Cancelled`], by the future's registration number.
    wakers: RefCell<Vec<(u64, Waker)>>,
    next_registration: Cell<u64>,
    hooks: RefCell<Vec<(u64, AbortHook)>>,
}

/// The hook of a live [`Hook`] guard, stored by the guard's registration number.
type AbortHook = Box<dyn FnOnce()>;

impl std::fmt::Debug for Cancel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Cancel").field(&self.is_cancelled()).finish()
    }
}

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }

    /// Fires the signal. Idempotent.
    pub fn cancel(&self) {
        if self.0.cancelled.replace(true) {
            return;
        }
        let hooks = std::mem::take(&mut *self.0.hooks.borrow_mut());
        for (_, hook) in hooks {
            hook();
        }
        let wakers = std::mem::take(&mut *self.0.wakers.borrow_mut());
        for (_, waker) in wakers {
            waker.wake();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.get()
    }

    /// Runs `hook` when the signal fires (at once if it already has), as long as the returned
    /// guard lives: a request keeps it while in flight and drops it when its answer is in.
    #[must_use = "the hook is unregistered when the guard is dropped"]
    pub fn on_cancel(&self, hook: impl FnOnce() + 'static) -> Hook {
        if self.is_cancelled() {
            hook();
            return Hook {
                cancel: self.clone(),
                registration: None,
            };
        }
        let id = self.next_id();
        self.0.hooks.borrow_mut().push((id, Box::new(hook)));
        Hook {
            cancel: self.clone(),
            registration: Some(id),
        }
    }

    fn next_id(&self) -> u64 {
        let id = self.0.next_registration.get();
        self.0.next_registration.set(id + 1);
        id
    }

    /// Resolves once the signal fires.
    pub fn cancelled(&self) -> Cancelled {
        Cancelled {
            cancel: self.clone(),
            registration: None,
        }
    }

    /// How many wakers wait for the signal (one per pending [`Cancelled`] at most).
    #[cfg(test)]
    fn registered_wakers(&self) -> usize {
        self.0.wakers.borrow().len()
    }

    /// How many hooks wait for the signal (one per live [`Hook`]).
    #[cfg(test)]
    fn registered_hooks(&self) -> usize {
        self.0.hooks.borrow().len()
    }
}

/// The registration of an [`Cancel::on_cancel`] hook; dropping it unregisters the hook.
#[derive(Debug)]
pub struct Hook {
    cancel: Cancel,
    registration: Option<u64>,
}

impl Drop for Hook {
    fn drop(&mut self) {
        if let Some(id) = self.registration.take() {
            self.cancel.0.hooks.borrow_mut().retain(|(r, _)| *r != id);
        }
    }
}

/// The future of [`Cancel::cancelled`].
#[derive(Debug)]
pub struct Cancelled {
    cancel: Cancel,
    /// This future's entry in the signal's waker list, once polled.
    registration: Option<u64>,
}

impl Cancelled {
    fn deregister(&mut self) {
        if let Some(id) = self.registration.take() {
            self.cancel.0.wakers.borrow_mut().retain(|(r, _)| *r != id);
        }
    }
}

impl Future for Cancelled {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.cancel.is_cancelled() {
            self.deregister();
            return Poll::Ready(());
        }
        let state = &self.cancel.0;
        let mut wakers = state.wakers.borrow_mut();
        let mine = self
            .registration
            .and_then(|id| wakers.iter_mut().find(|(r, _)| *r == id));
        match mine {
            Some((_, waker)) => {
                if !waker.will_wake(cx.waker()) {
                    waker.clone_from(cx.waker());
                }
            }
            None => {
                drop(wakers);
                let id = self.cancel.next_id();
                self.cancel
                    .0
                    .wakers
                    .borrow_mut()
                    .push((id, cx.waker().clone()));
                self.registration = Some(id);
            }
        }
        Poll::Pending
    }
}

impl Drop for Cancelled {
    fn drop(&mut self) {
        self.deregister();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    use super::*;

    /// A waker that counts how often it was woken.
    #[derive(Default)]
    struct Counting(AtomicUsize);

    impl Wake for Counting {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn poll(future: &mut Cancelled, waker: &Waker) -> Poll<()> {
        Pin::new(future).poll(&mut Context::from_waker(waker))
    }

    #[test]
    fn polling_the_same_future_again_keeps_one_waker_and_cancel_still_wakes() {
        let counter = Arc::new(Counting::default());
        let waker = Waker::from(counter.clone());
        let cancel = Cancel::new();
        let mut cancelled = cancel.cancelled();
        for _ in 0..1000 {
            assert_eq!(poll(&mut cancelled, &waker), Poll::Pending);
        }
        assert_eq!(cancel.registered_wakers(), 1);
        cancel.cancel();
        assert_eq!(counter.0.load(Ordering::SeqCst), 1);
        assert_eq!(poll(&mut cancelled, &waker), Poll::Ready(()));
        assert_eq!(cancel.registered_wakers(), 0);
    }

    #[test]
    fn a_future_polled_by_another_task_wakes_the_newest_task_only() {
        let first = Arc::new(Counting::default());
        let second = Arc::new(Counting::default());
        let cancel = Cancel::new();
        let mut cancelled = cancel.cancelled();
        assert_eq!(
            poll(&mut cancelled, &Waker::from(first.clone())),
            Poll::Pending
        );
        assert_eq!(
            poll(&mut cancelled, &Waker::from(second.clone())),
            Poll::Pending
        );
        assert_eq!(cancel.registered_wakers(), 1);
        cancel.cancel();
        assert_eq!(first.0.load(Ordering::SeqCst), 0);
        assert_eq!(second.0.load(Ordering::SeqCst), 1);
    }

    /// The fetch driver polls a fresh `Cancelled` on every turn of its loop: a run of many
    /// turns must not leave a waker behind per turn.
    #[test]
    fn a_fresh_future_per_loop_turn_leaves_no_waker_behind() {
        let counter = Arc::new(Counting::default());
        let waker = Waker::from(counter.clone());
        let cancel = Cancel::new();
        for _ in 0..1000 {
            let mut cancelled = cancel.cancelled();
            assert_eq!(poll(&mut cancelled, &waker), Poll::Pending);
            assert_eq!(cancel.registered_wakers(), 1);
        }
        assert_eq!(cancel.registered_wakers(), 0);
        let mut last = cancel.cancelled();
        assert_eq!(poll(&mut last, &waker), Poll::Pending);
        let mut other = cancel.cancelled();
        assert_eq!(poll(&mut other, &waker), Poll::Pending);
        assert_eq!(cancel.registered_wakers(), 2);
        cancel.cancel();
        assert_eq!(counter.0.load(Ordering::SeqCst), 2);
        assert_eq!(poll(&mut last, &waker), Poll::Ready(()));
        assert_eq!(poll(&mut other, &waker), Poll::Ready(()));
    }

    #[test]
    fn hooks_run_once_and_at_once_after_the_signal() {
        let cancel = Cancel::new();
        let ran = Rc::new(Cell::new(0));
        let r = ran.clone();
        let _live = cancel.on_cancel(move || r.set(r.get() + 1));
        cancel.cancel();
        cancel.cancel();
        assert_eq!(ran.get(), 1);
        let r = ran.clone();
        let _late = cancel.on_cancel(move || r.set(r.get() + 1));
        assert_eq!(ran.get(), 2);
        assert!(cancel.is_cancelled());
    }

    /// Each Direct request registers an abort hook: a run of many finished requests must not
    /// keep one per request, and a dropped guard's hook must not run.
    #[test]
    fn a_dropped_hook_guard_unregisters_its_hook() {
        let cancel = Cancel::new();
        let ran = Rc::new(Cell::new(0));
        for _ in 0..1000 {
            let r = ran.clone();
            let _request = cancel.on_cancel(move || r.set(r.get() + 1));
            assert_eq!(cancel.registered_hooks(), 1);
        }
        assert_eq!(cancel.registered_hooks(), 0);
        let r = ran.clone();
        let _in_flight = cancel.on_cancel(move || r.set(r.get() + 10));
        cancel.cancel();
        assert_eq!(ran.get(), 10);
    }
}
