//! The fetch driver: sends a [`Planner`]'s requests through a [`Transport`], at most
//! `Limits::concurrency` at a time and, once Jira has refused one for its rate limit, no
//! faster than the [`Pacer`] allows; feeds the answers back, and reports documents and
//! progress as they come. What to send, when to retry and when to stop are the planner's;
//! the pace is the driver's, because it sees every request leave and every answer arrive.
//! Cancelling drops every request in flight (the Direct transport also aborts them on the
//! network), whatever the pace was waiting for.
//!
//! The driver runs on the page's main thread, where answers that arrive together would
//! otherwise be handled in one long task: once it has worked for [`SLICE_MS`] without
//! waiting, it yields to the browser before it takes the next answer, so the page stays
//! responsive and the progress bar is painted between answers.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use futures::StreamExt;
use futures::stream::FuturesUnordered;

use super::pace::{Pacer, Verdict};
use super::planner::RequestId;
use super::{Delivery, Outcome, Planner, Progress};
use crate::api::ClientError;
use crate::api::jira::Transport;
use crate::cancel::Cancel;

/// Time and chance, supplied by the platform: `performance.now()`, `setTimeout` and
/// `Math.random()` in the browser.
pub trait Clock {
    /// Milliseconds on a monotonic clock.
    fn now_ms(&self) -> f64;
    fn sleep(&self, ms: f64) -> impl Future<Output = ()>;
    /// Uniform in `[0, 1)`.
    fn random(&self) -> f64;
    /// Lets the platform run whatever else waits (in the browser: input, rendering, other
    /// answers), then resumes. A plain zero-length sleep unless the platform has better.
    fn yield_now(&self) -> impl Future<Output = ()> {
        self.sleep(0.0)
    }
    /// Records how the driver handled one answer: the page's timeline keeps it for the
    /// browser benchmark. Nothing by default.
    fn answer_handled(&self, _answer: &AnswerTrace) {}
}

/// How long the driver took over one answer, on the [`Clock`]'s timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnswerTrace {
    /// What the request was for (`Purpose::describe`).
    pub purpose: &'static str,
    /// The answer's body, in bytes (0 when no answer came).
    pub bytes: usize,
    /// When the driver took it up, when the planner had read it, and when its documents had
    /// gone on (to the worker, in the browser).
    pub started_ms: f64,
    pub read_ms: f64,
    pub ended_ms: f64,
}

/// The browser's [`Clock`]: `performance.now()`, `setTimeout` and `Math.random()`.
#[cfg(target_arch = "wasm32")]
#[derive(Debug, Clone, Copy, Default)]
pub struct BrowserClock;

#[cfg(target_arch = "wasm32")]
impl Clock for BrowserClock {
    fn now_ms(&self) -> f64 {
        crate::platform::now_ms()
    }

    fn sleep(&self, ms: f64) -> impl Future<Output = ()> {
        crate::platform::sleep(ms)
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn yield_now(&self) -> impl Future<Output = ()> {
        crate::platform::yield_now()
    }

    fn answer_handled(&self, a: &AnswerTrace) {
        crate::platform::measure_answer(a.purpose, a.bytes, a.started_ms, a.read_ms, a.ended_ms);
    }
}

/// What a run reports while it works.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A document for the engine.
    Deliver(Delivery),
    Progress(Progress),
}

enum Wake<T> {
    Answer(T),
    Timer,
    Cancelled,
}

/// While Jira's rate limit is waited out, progress is reported this often, so the user sees
/// the countdown move.
const RATE_LIMIT_TICK_MS: f64 = 1000.0;

/// The longest the driver works on answers before it yields to the browser: well under the
/// 50 ms after which the browser counts a task as long.
pub const SLICE_MS: f64 = 10.0;

/// Runs `planner` to its end (or until `cancel` fires) and returns how it ended. `on_event`
/// receives every document and progress report; an error from it (a document that could not
/// be passed on) fails the run with that error, as a report missing a page would be wrong.
pub async fn run<T, C>(
    planner: &mut Planner,
    transport: &T,
    clock: &C,
    cancel: &Cancel,
    mut on_event: impl FnMut(Event) -> Result<(), ClientError>,
) -> Outcome
where
    T: Transport,
    C: Clock,
{
    let mut in_flight = FuturesUnordered::new();
    let mut pacer = Pacer::new();
    let mut sent_at: HashMap<RequestId, f64> = HashMap::new();
    // When the driver last came back from waiting: the start of its current slice of work.
    let mut slice_start = clock.now_ms();
    loop {
        if cancel.is_cancelled() {
            planner.cancel();
        }
        let now = clock.now_ms();
        while pacer.ready_at() <= now
            && let Some(out) = planner.next_request(now)
        {
            // The request is created when the planner hands it out, so a transport that
            // starts work on creation starts it now.
            let answer = transport.send(out.request, cancel);
            let id = out.id;
            pacer.sent(now);
            sent_at.insert(id, now);
            in_flight.push(async move { (id, answer.await) });
        }
        let mut progress = planner.progress(now);
        progress.paced_per_second = pacer.per_second();
        let waiting = progress.rate_limit_wait_ms.is_some();
        if let Err(e) = on_event(Event::Progress(progress)) {
            planner.fail(e);
        }
        if planner.is_done() {
            break;
        }
        // A request that is ready waits for the pace too.
        let wake = planner.next_wake().map(|at| at.max(pacer.ready_at()));
        if in_flight.is_empty() && wake.is_none() {
            // Nothing in flight and nothing scheduled, yet not done: cannot happen with a
            // correct planner; stop rather than wait forever.
            planner.cancel();
            break;
        }
        let mut sleep = wake.map(|at| {
            let ms = (at - now).max(0.0);
            let ms = if waiting {
                ms.min(RATE_LIMIT_TICK_MS)
            } else {
                ms
            };
            Box::pin(clock.sleep(ms))
        });
        if clock.now_ms() - slice_start > SLICE_MS {
            clock.yield_now().await;
            slice_start = clock.now_ms();
        }
        let mut cancelled = cancel.cancelled();
        let mut waited = false;
        let woke = futures::future::poll_fn(|cx| {
            if Pin::new(&mut cancelled).poll(cx).is_ready() {
                return Poll::Ready(Wake::Cancelled);
            }
            if let Poll::Ready(Some(answer)) = in_flight.poll_next_unpin(cx) {
                return Poll::Ready(Wake::Answer(answer));
            }
            if let Some(s) = sleep.as_mut()
                && s.as_mut().poll(cx).is_ready()
            {
                return Poll::Ready(Wake::Timer);
            }
            waited = true;
            Poll::Pending
        })
        .await;
        if waited {
            slice_start = clock.now_ms();
        }
        match woke {
            Wake::Answer((id, answer)) => {
                let now = clock.now_ms();
                let purpose = planner.purpose_of(id).map_or("", |p| p.describe());
                let bytes = answer.as_ref().map_or(0, |r| r.body.len());
                let verdict = match &answer {
                    Ok(r) if r.status == 429 => Some(Verdict::Refused),
                    Ok(_) => Some(Verdict::Admitted),
                    // No answer: Jira's limiter may never have seen it.
                    Err(_) => None,
                };
                if let (Some(at), Some(verdict)) = (sent_at.remove(&id), verdict) {
                    pacer.answered(at, now, verdict);
                }
                let documents = planner.on_answer(id, answer, now, clock.random());
                let read_ms = clock.now_ms();
                for d in documents {
                    if let Err(e) = on_event(Event::Deliver(d)) {
                        planner.fail(e);
                        break;
                    }
                }
                clock.answer_handled(&AnswerTrace {
                    purpose,
                    bytes,
                    started_ms: now,
                    read_ms,
                    ended_ms: clock.now_ms(),
                });
            }
            Wake::Timer => {}
            Wake::Cancelled => planner.cancel(),
        }
    }
    // Requests still in flight after a cancel or a fatal error are abandoned: dropped here,
    // and aborted on the network by transports that can.
    if !in_flight.is_empty() || planner.is_cancelled() {
        cancel.cancel();
    }
    drop(in_flight);
    planner.outcome()
}
