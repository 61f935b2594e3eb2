//! zoom connector.
