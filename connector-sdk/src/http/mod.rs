//! The HTTP layer every connector call goes through.
