//! Flow tests live in `tests/`; this library holds the macro that runs each on both backends.

/// Generates, for each named `async fn name(backend: Backend)` in the calling file, one test on
/// the embedded store (`embedded::name`) and one on DynamoDB/SES/SNS in moto (`moto::name`).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(tessera_testkit::Backend::Embedded).await
                }
            )*
        }
        mod moto {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(tessera_testkit::Backend::Moto).await
                }
            )*
        }
    };
}
