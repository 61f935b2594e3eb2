//! Compile-fail tests: every spec mistake is a compile error that names the spec file,
//! line and column, says what is wrong and, for near-miss names, what was meant.
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test -p connector-macros`.

#[test]
fn spec_errors_are_compile_errors_at_the_spec_line() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
    cases.pass("tests/pass/*.rs");
}
