//! Fetching a report's issues from Jira: the [`planner`] decides what to ask (pure state, no
//! I/O, tested natively), [`retry`] decides how long to wait after a refusal (pure), and the
//! [`driver`] sends the planner's requests through a [`crate::api::jira::Transport`] with
//! bounded concurrency until the planner is done or the user cancels.

pub mod driver;
pub mod planner;
pub mod retry;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

pub use driver::{Clock, run};
pub use planner::{Delivery, FetchSpec, Limits, Outcome, Planner, Progress, RequestStats};

/// A cancellation signal shared by a run and everything it started. Cancelling runs the
/// registered hooks (the Direct transport aborts its `fetch`es through them) and wakes
/// whoever awaits [`Cancel::cancelled`].
#[derive(Clone, Default)]
pub struct Cancel(Rc<CancelState>);

#[derive(Default)]
struct CancelState {
    cancelled: Cell<bool>,
    wakers: RefCell<Vec<Waker>>,
    hooks: RefCell<Vec<Box<dyn FnOnce()>>>,
}

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
        for hook in hooks {
            hook();
        }
        for waker in self.0.wakers.borrow_mut().drain(..) {
            waker.wake();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.get()
    }

    /// Runs `hook` when the signal fires (at once if it already has).
    pub fn on_cancel(&self, hook: impl FnOnce() + 'static) {
        if self.is_cancelled() {
            hook();
        } else {
            self.0.hooks.borrow_mut().push(Box::new(hook));
        }
    }

    /// Resolves once the signal fires.
    pub fn cancelled(&self) -> Cancelled {
        Cancelled(self.clone())
    }
}

/// The future of [`Cancel::cancelled`].
#[derive(Debug)]
pub struct Cancelled(Cancel);

impl Future for Cancelled {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.is_cancelled() {
            Poll::Ready(())
        } else {
            self.0.0.wakers.borrow_mut().push(cx.waker().clone());
            Poll::Pending
        }
    }
}
