//! The credential routes a signed-in holder calls (`badges`): the badges function serves them,
//! and the portal's badges pages call them in process, with the program's signing keys.

pub mod badges;
