//! How many modules compile at once in this process, abandoned compilations included.
//!
//! A compilation that overruns [`crate::vet::ModuleLimits::compile_timeout`] is abandoned, not
//! killed: its thread runs on (within the module limits, seconds) and its memory is held until
//! it ends. Each compilation holds a [`Slot`] until its thread ends, and there are at most
//! [`MAX_COMPILATIONS`] slots, so a stream of modules that are slow to compile (uploads to the
//! platform, say) cannot pile up threads: the memory they hold together is at most that many
//! times one compilation's (each bounded by the module limits; `docs/abi.md` §11 gives the
//! worst cases measured).

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Most modules compiling at once in one process.
pub const MAX_COMPILATIONS: usize = 4;

/// How long a compilation waits for a slot: longer than a module within the default limits
/// takes to compile (`docs/abi.md` §11), so only a pile-up of slow compilations makes it give up.
pub const SLOT_WAIT: Duration = Duration::from_secs(60);

/// A counting semaphore of compilation slots.
#[derive(Debug)]
pub(crate) struct Slots {
    max: usize,
    taken: Mutex<usize>,
    freed: Condvar,
}

/// A taken slot; dropping it frees it.
#[derive(Debug)]
pub(crate) struct Slot(&'static Slots);

static SLOTS: Slots = Slots::new(MAX_COMPILATIONS);

impl Slots {
    const fn new(max: usize) -> Slots {
        Slots { max, taken: Mutex::new(0), freed: Condvar::new() }
    }

    fn lock(&self) -> MutexGuard<'_, usize> {
        // The count stays consistent even if a holder panicked: it is only ever incremented
        // and decremented whole.
        self.taken.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a slot, waiting at most `wait` for one; `None` when none came free.
    fn take(&'static self, wait: Duration) -> Option<Slot> {
        let until = Instant::now() + wait;
        let mut taken = self.lock();
        while *taken >= self.max {
            let left = until.checked_duration_since(Instant::now()).filter(|left| !left.is_zero())?;
            taken = self.freed.wait_timeout(taken, left).unwrap_or_else(PoisonError::into_inner).0;
        }
        *taken += 1;
        Some(Slot(self))
    }

    /// Slots taken now.
    fn taken(&self) -> usize {
        *self.lock()
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *self.0.lock() -= 1;
        self.0.freed.notify_one();
    }
}

/// Takes one of the process's compilation slots, waiting at most `wait`.
pub(crate) fn slot(wait: Duration) -> Option<Slot> {
    SLOTS.take(wait)
}

/// Compilations running now in this process (abandoned ones included).
pub fn running() -> usize {
    SLOTS.taken()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_more_slots_than_the_maximum_are_taken_and_a_freed_slot_is_taken_again() {
        static LOCAL: Slots = Slots::new(2);
        let first = LOCAL.take(Duration::ZERO).expect("a free slot");
        let _second = LOCAL.take(Duration::ZERO).expect("a free slot");
        assert!(LOCAL.take(Duration::from_millis(20)).is_none());
        assert_eq!(LOCAL.taken(), 2);
        // A slot freed while another thread waits goes to it.
        let waiter = std::thread::spawn(|| LOCAL.take(Duration::from_secs(30)).is_some());
        std::thread::sleep(Duration::from_millis(20));
        drop(first);
        assert!(waiter.join().expect("the waiter ends"));
        assert_eq!(LOCAL.taken(), 1, "the waiter's slot was freed with it");
    }
}
