package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/config"
)

// startupWarnings builds the daemon as `run` would (on a throwaway
// database, listening on nothing, sending nothing) and returns the
// warnings it logs on the way, so `config check` shows exactly what `run`
// would warn about at start (config warnings, release approvers, unused
// credentials, ...). err is why `run` would refuse to start, in this
// environment.
func startupWarnings(cfg *config.Config, getenv env) (warnings []string, err error) {
	dir, err := os.MkdirTemp("", "cadencebot-check-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var buf bytes.Buffer
	log := zerolog.New(&buf).Level(zerolog.WarnLevel)
	app, err := newApp(cfg, appOptions{Listen: "127.0.0.1:0", DB: filepath.Join(dir, "check.db"), Getenv: getenv, Log: log})
	if err == nil {
		app.Close()
	}
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		msg, _ := line["message"].(string)
		var extra []string
		for k, v := range line {
			switch k {
			case "level", "message", "time", "field":
				continue
			}
			extra = append(extra, fmt.Sprintf("%s=%v", k, v))
		}
		sort.Strings(extra)
		if len(extra) > 0 {
			msg += " (" + strings.Join(extra, ", ") + ")"
		}
		warnings = append(warnings, msg)
	}
	return warnings, err
}
