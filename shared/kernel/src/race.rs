//! One home for retrying on conflict. A flow reads a record, decides, and writes it back on the
//! condition nothing changed since the read; when a parallel request wrote first, the write
//! reports `StoreError::Conflict` and the flow reads again and decides again.
//!
//! The step is an `async` block awaited in place (`settle!(async { … }.await)`): it answers
//! `Ok(Some(answer))`, an error, or `Ok(None)` when its write lost a race. Macros rather than
//! functions taking async closures: a block borrows the flow's state freely, and the future
//! stays `Send` for the Lambda runtime (an async closure's would not prove it).

use crate::ports::StoreError;

/// Lost races a flow absorbs before it answers `Conflict` (409): more than the parallel requests
/// one person makes, few enough that a contended record answers at once.
pub const RACE_RETRIES: usize = 5;

/// Runs the step until it settles, at most `RACE_RETRIES` times: `Ok(Some(answer))`, an error,
/// or `Ok(None)` when every run lost its race. For a caller that answers the same whether or not
/// the step landed (an answer that must not reveal an account).
#[macro_export]
macro_rules! settle_or_give_up {
    ($step:expr) => {{
        let mut settled = ::core::result::Result::Ok(::core::option::Option::None);
        for _ in 0..$crate::race::RACE_RETRIES {
            match $step {
                ::core::result::Result::Ok(::core::option::Option::None) => {}
                outcome => {
                    settled = outcome;
                    break;
                }
            }
        }
        settled
    }};
}

/// Runs the step until it settles: `Ok(answer)` or an error; after `RACE_RETRIES` lost races,
/// `StoreError::Conflict` (converted into the flow's error).
#[macro_export]
macro_rules! settle {
    ($step:expr) => {
        match $crate::settle_or_give_up!($step) {
            ::core::result::Result::Ok(::core::option::Option::Some(answer)) => {
                ::core::result::Result::Ok(answer)
            }
            ::core::result::Result::Ok(::core::option::Option::None) => {
                ::core::result::Result::Err($crate::ports::StoreError::Conflict.into())
            }
            ::core::result::Result::Err(e) => ::core::result::Result::Err(e),
        }
    };
}

/// A conditional write's outcome for a step: whether it landed (`false`: it lost a race).
pub fn landed(write: Result<(), StoreError>) -> Result<bool, StoreError> {
    match write {
        Ok(()) => Ok(true),
        Err(StoreError::Conflict) => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_step_runs_again_after_each_lost_race_then_answers_conflict() {
        let mut runs = 0;
        let settled: Result<u32, StoreError> = crate::settle!(
            async {
                runs += 1;
                Ok((runs == 3).then_some(runs))
            }
            .await
        );
        assert_eq!(settled.unwrap(), 3);

        let mut runs = 0;
        let never: Result<(), StoreError> = crate::settle!(
            async {
                runs += 1;
                Ok(None)
            }
            .await
        );
        assert!(matches!(never, Err(StoreError::Conflict)));
        assert_eq!(runs, RACE_RETRIES);

        let mut runs = 0;
        let given_up: Result<Option<()>, StoreError> = crate::settle_or_give_up!(
            async {
                runs += 1;
                Ok(None)
            }
            .await
        );
        assert!(matches!(given_up, Ok(None)));
        assert_eq!(runs, RACE_RETRIES);

        let failed: Result<(), StoreError> = crate::settle!(
            async { Err(StoreError::unavailable(std::io::Error::other("down"))) }.await
        );
        assert!(matches!(failed, Err(StoreError::Unavailable(_))));
    }

    #[test]
    fn only_a_conflict_is_a_lost_race() {
        assert!(landed(Ok(())).unwrap());
        assert!(!landed(Err(StoreError::Conflict)).unwrap());
        let down = StoreError::unavailable(std::io::Error::other("down"));
        assert!(landed(Err(down)).is_err());
    }
}
