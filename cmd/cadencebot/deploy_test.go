package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/cadencebot/cadencebot/cadence"
	"github.com/cadencebot/cadencebot/config"
	"github.com/cadencebot/cadencebot/dashboard"
)

// deployEnv is every variable the manifests may set: the names the binary
// reads. A constant renamed in the code fails the test until deploy/
// follows.
var deployEnv = []string{
	config.EnvDatabaseURL, dashboard.EnvToken, dashboard.EnvUser, dashboard.EnvPassword,
	config.EnvOIDCClientSecret, config.EnvSlackBotToken, config.EnvSlackAppToken,
	config.EnvSlackSigningSecret, config.EnvTeamsAppID, config.EnvTeamsAppPassword, config.EnvTeamsTenantID,
}

// readYAML decodes every document of a YAML file.
func readYAML(t *testing.T, path string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs
		}
		require.NoError(t, err, path)
		if doc != nil {
			docs = append(docs, doc)
		}
	}
}

// at walks a decoded document: keys for maps, ints for lists.
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			require.True(t, ok, "%v: not a map at %q", path, k)
			v = m[k]
		case int:
			l, ok := v.([]any)
			require.True(t, ok && k < len(l), "%v: no item %d", path, k)
			v = l[k]
		}
	}
	return v
}

func str(t *testing.T, v any, path ...any) string {
	t.Helper()
	s, ok := at(t, v, path...).(string)
	require.True(t, ok, "%v is not a string", path)
	return s
}

// listenPort checks args hold --listen 0.0.0.0:PORT and returns PORT.
func listenPort(t *testing.T, args []any) string {
	t.Helper()
	for i, a := range args {
		if a == "--listen" && i+1 < len(args) {
			addr := args[i+1].(string)
			require.True(t, strings.HasPrefix(addr, "0.0.0.0:"), "listen on every interface in a container: %s", addr)
			return strings.TrimPrefix(addr, "0.0.0.0:")
		}
	}
	t.Fatalf("no --listen in %v", args)
	return ""
}

// The manifests in deploy/ parse, and what they assume of the binary holds:
// the probe paths answer, the port is the one it listens on, the variables
// are ones it reads, the config is valid and selects PostgreSQL.
func TestDeployManifests(t *testing.T) {
	files, err := filepath.Glob("../../deploy/*.y*ml")
	require.NoError(t, err)
	k8s, err := filepath.Glob("../../deploy/kubernetes/*.y*ml")
	require.NoError(t, err)
	require.NotEmpty(t, k8s)
	byKind := map[string]map[string]any{}
	for _, f := range append(files, k8s...) {
		for _, doc := range readYAML(t, f) {
			if kind, ok := doc["kind"].(string); ok && strings.Contains(f, "kubernetes") {
				byKind[kind] = doc
			}
		}
	}
	cfgText, err := os.ReadFile("../../deploy/cadencebot.toml")
	require.NoError(t, err)
	cfg, err := config.Parse("deploy/cadencebot.toml", cfgText)
	require.NoError(t, err)
	assert.Equal(t, config.DriverPostgres, cfg.Store.Driver)
	probes := map[string]bool{}

	t.Run("kubernetes", func(t *testing.T) {
		for _, kind := range []string{"Deployment", "Service", "PodDisruptionBudget", "Secret", "ConfigMap", "Kustomization"} {
			require.Contains(t, byKind, kind)
		}
		dep := byKind["Deployment"]
		assert.Equal(t, 3, at(t, dep, "spec", "replicas"))
		labels := at(t, dep, "spec", "template", "metadata", "labels")
		assert.Equal(t, at(t, dep, "spec", "selector", "matchLabels"), labels)
		assert.Equal(t, at(t, byKind["PodDisruptionBudget"], "spec", "selector", "matchLabels"), labels)
		assert.Equal(t, at(t, byKind["Service"], "spec", "selector"), labels)
		c := at(t, dep, "spec", "template", "spec", "containers", 0)
		port := listenPort(t, at(t, c, "args").([]any))
		portName := str(t, c, "ports", 0, "name")
		assert.Equal(t, port, fmt.Sprint(at(t, c, "ports", 0, "containerPort")))
		for probe, path := range map[string]string{"readinessProbe": "/readyz", "livenessProbe": "/healthz"} {
			assert.Equal(t, path, str(t, c, probe, "httpGet", "path"), probe)
			assert.Equal(t, portName, str(t, c, probe, "httpGet", "port"), probe)
			probes[path] = true
		}
		assert.Equal(t, portName, str(t, byKind["Service"], "spec", "ports", 0, "targetPort"))
		secret := byKind["Secret"]
		assert.Equal(t, str(t, secret, "metadata", "name"), str(t, c, "envFrom", 0, "secretRef", "name"))
		keys := at(t, secret, "stringData").(map[string]any)
		assert.Contains(t, keys, config.EnvDatabaseURL)
		for k := range keys {
			assert.Contains(t, deployEnv, k, "the Secret sets a variable the binary does not read")
		}
		cm := byKind["ConfigMap"]
		assert.Equal(t, str(t, cm, "metadata", "name"), str(t, dep, "spec", "template", "spec", "volumes", 0, "configMap", "name"))
		assert.Equal(t, string(cfgText), str(t, cm, "data", "config.toml"), "the ConfigMap holds deploy/cadencebot.toml")
		assert.Equal(t, "/etc/cadencebot/config.toml", str(t, c, "volumeMounts", 0, "mountPath"))
		assert.Contains(t, at(t, c, "args"), "/etc/cadencebot/config.toml")
		for _, r := range at(t, byKind["Kustomization"], "resources").([]any) {
			assert.FileExists(t, filepath.Join("../../deploy/kubernetes", r.(string)))
		}
	})

	t.Run("compose", func(t *testing.T) {
		doc := readYAML(t, "../../deploy/docker-compose.yml")[0]
		services := at(t, doc, "services").(map[string]any)
		var bots []string
		for name, s := range services {
			if _, ok := s.(map[string]any)["build"]; ok {
				bots = append(bots, name)
			}
		}
		slices.Sort(bots)
		require.Len(t, bots, 2, "two replicas built from the Dockerfile")
		assert.Contains(t, services, "postgres")
		for _, name := range bots {
			s := services[name]
			assert.FileExists(t, filepath.Join("../../deploy", str(t, s, "build", "context"), str(t, s, "build", "dockerfile")))
			port := listenPort(t, at(t, s, "command").([]any))
			test := at(t, s, "healthcheck", "test").([]any)
			assert.Contains(t, test, "http://127.0.0.1:"+port+"/readyz", name)
			probes["/readyz"] = true
			env := at(t, s, "environment").(map[string]any)
			assert.Contains(t, env, config.EnvDatabaseURL)
			for k := range env {
				assert.Contains(t, deployEnv, k, "%s sets a variable the binary does not read", name)
			}
			mount := at(t, s, "volumes", 0).(string)
			assert.Equal(t, "./cadencebot.toml:/etc/cadencebot/config.toml:ro", mount)
			assert.Contains(t, at(t, s, "command"), "/etc/cadencebot/config.toml")
		}
	})

	// The probe paths answer 200 on a running bot (bbolt here: the paths
	// are the same whatever the store).
	app, err := newApp(mustParse(t, appConfig), appOptions{Listen: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "c.db"),
		Getenv: func(string) string { return "" }, Clock: cadence.NewManualClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)),
		Log: zerolog.Nop(), TickEvery: 5 * time.Millisecond})
	require.NoError(t, err)
	url := strings.TrimSuffix(runDaemon(t, app), "/")
	require.NotEmpty(t, probes)
	for path := range probes {
		require.Eventually(t, func() bool { c, _ := get(t, url+path); return c == http.StatusOK }, 10*time.Second, 10*time.Millisecond, path)
	}
}

func mustParse(t *testing.T, text string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("app.toml", []byte(text))
	require.NoError(t, err)
	return cfg
}
