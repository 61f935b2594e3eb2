#![doc = include_str!("../README.md")]

connector_sdk::connector!("connector.toml");
