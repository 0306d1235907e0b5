package config

import _ "embed"

// defaultTOML is a copy of ../config.example.toml (go:embed cannot reach
// outside the package); a test keeps the two byte-identical.
//
//go:generate cp ../config.example.toml default.toml
//go:embed default.toml
var defaultTOML []byte

// DefaultName is the file name Default reports in Config.Path and errors.
const DefaultName = "config.example.toml"

// Default returns the example configuration built into the binary, so
// `cadencebot run` works on a fresh machine without a config file.
func Default() (*Config, error) { return Parse(DefaultName, defaultTOML) }

// ExampleTOML returns the text of the built-in example configuration.
func ExampleTOML() []byte { return append([]byte(nil), defaultTOML...) }
