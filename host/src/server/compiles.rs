//! Compiling uploaded plugins one at a time, answering within a budget.
//!
//! A compile takes seconds of CPU and cannot be cancelled once wasmtime has
//! started it. So uploads take turns (a semaphore of one), the turn is held
//! until the compile really ends (even when its caller has given up), and
//! a caller hears back once the budget is spent, whether it was still
//! waiting for its turn or compiling. At most one compile burns CPU, and no
//! upload hangs.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::{Instant, timeout_at};

/// Takes turns for compiles (see the module docs).
#[derive(Debug)]
pub struct CompileGate {
    turn: Arc<Semaphore>,
    budget: Duration,
}

/// Why a compile gave no result in time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GateError {
    /// Other compiles took the whole budget.
    #[error("other plugins were compiling for the whole {} s an upload may take; try again in a minute", .0.as_secs())]
    Busy(Duration),
    /// The compile itself took longer than the budget; it runs on.
    #[error(
        "compiling the component took longer than the {} s an upload may take (it finishes in the background); make it smaller, or try again in a minute",
        .0.as_secs()
    )]
    TooSlow(Duration),
}

impl CompileGate {
    /// A gate answering within `budget`.
    pub fn new(budget: Duration) -> CompileGate {
        CompileGate { turn: Arc::new(Semaphore::new(1)), budget }
    }

    /// Runs `compile` on a blocking thread in its turn; its result, or why
    /// there is none within the budget.
    pub async fn run<T: Send + 'static>(&self, compile: impl FnOnce() -> T + Send + 'static) -> Result<T, GateError> {
        let deadline = Instant::now() + self.budget;
        let turn = match timeout_at(deadline, self.turn.clone().acquire_owned()).await {
            Ok(turn) => turn.expect("the gate's semaphore is never closed"),
            Err(_) => return Err(GateError::Busy(self.budget)),
        };
        let task = tokio::task::spawn_blocking(move || {
            let _turn = turn;
            compile()
        });
        match timeout_at(deadline, task).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(join)) => std::panic::resume_unwind(join.into_panic()),
            Err(_) => Err(GateError::TooSlow(self.budget)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A compile that takes `ms` and records how many ran at once.
    fn compile(ms: u64, running: &Arc<AtomicUsize>, most: &Arc<AtomicUsize>) -> impl FnOnce() -> u64 + Send + 'static {
        let (running, most) = (running.clone(), most.clone());
        move || {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(ms));
            running.fetch_sub(1, Ordering::SeqCst);
            ms
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn compiles_take_turns_and_all_finish() {
        let gate = CompileGate::new(Duration::from_secs(10));
        let (running, most) = (Arc::default(), Arc::default());
        let jobs = (0..4).map(|_| gate.run(compile(50, &running, &most)));
        let results = futures_util::future::join_all(jobs).await;
        assert!(results.iter().all(|r| *r == Ok(50)), "{results:?}");
        assert_eq!(most.load(Ordering::SeqCst), 1, "one compile at a time");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_slow_compile_answers_at_the_budget_and_keeps_its_turn_until_done() {
        let gate = CompileGate::new(Duration::from_millis(200));
        let (running, most) = (Arc::default(), Arc::default());
        let started = std::time::Instant::now();
        assert_eq!(gate.run(compile(600, &running, &most)).await, Err(GateError::TooSlow(gate.budget)));
        let answered = started.elapsed();
        assert!(answered < Duration::from_millis(400), "answered after {answered:?}");

        // The slow compile still runs: the next one waits its whole budget.
        assert_eq!(gate.run(compile(10, &running, &most)).await, Err(GateError::Busy(gate.budget)));
        assert_eq!(most.load(Ordering::SeqCst), 1, "never two at once");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(gate.run(compile(10, &running, &most)).await, Ok(10), "once it ends, the next one runs");
    }
}
