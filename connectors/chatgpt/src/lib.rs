//! chatgpt connector.
