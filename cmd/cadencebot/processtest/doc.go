// Package processtest proves what only OS processes can show: the real
// cadencebot binary, several copies of it on one PostgreSQL database and
// one fake Slack workspace, one of them killed with SIGKILL while it sends.
// The package holds tests only; cmd/cadencebot's own tests run replicas
// in-process.
package processtest
