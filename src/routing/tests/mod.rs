//! Tests of the distributor: a small harness, one scenario per rule, and
//! property tests that check every invariant after every step.

mod harness;
mod properties;
mod scenarios;
