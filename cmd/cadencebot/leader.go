package main

import (
	"fmt"
	"os"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cadencebot/cadencebot/cadence"
)

// holderName names this process in the leader lease: the host (a pod's
// name under Kubernetes), the process and this run, so /readyz on any
// replica says which one leads.
func holderName(instance string) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), instance[:8])
}

// leaderView is what readiness and the metrics show of the election.
type leaderView struct {
	Known   bool // the lease has been read: a follower knows its leader
	Leading bool
	Holder  string
	Epoch   int64
	Err     error
	// OurConfig and LeaderConfig are set when this follower's config
	// file differs from the leader's.
	OurConfig, LeaderConfig string
}

// setupLeadership picks the election (bbolt: this process always leads)
// and registers cadencebot_leader and cadencebot_leader_epoch.
func (a *App) setupLeadership(reg prometheus.Registerer) {
	a.lead = cadence.Solo{}
	if a.elector != nil {
		a.lead = a.elector
		a.ready.leader = a.leaderView
	}
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cadencebot_leader",
			Help: "1 if this replica leads (runs the scheduler and the dispatcher), 0 if it follows."},
			func() float64 {
				if a.leaderView().Leading {
					return 1
				}
				return 0
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "cadencebot_leader_epoch",
			Help: "Epoch of the leader lease as this replica last saw it (0 on bbolt: one process, no lease)."},
			func() float64 { return float64(a.leaderView().Epoch) }),
	)
}

// leaderChanged follows cadence.Lead's terms.
func (a *App) leaderChanged(leading bool, epoch int64) {
	a.leading.Store(leading)
	if leading {
		a.log.Info().Int64("epoch", epoch).Msg("leader work starts: scheduler, dispatcher, digest")
	} else {
		a.log.Info().Int64("epoch", epoch).Msg("leader work stopped")
	}
}

func (a *App) leaderView() leaderView {
	if a.elector == nil {
		return leaderView{Known: true, Leading: a.leading.Load(), Holder: "this process (bbolt: one process, no lease)"}
	}
	st := a.elector.Status()
	v := leaderView{Known: st.Known, Leading: st.Leading && a.leading.Load(), Holder: st.Holder, Epoch: st.Epoch, Err: st.Err}
	v.OurConfig, v.LeaderConfig = a.elector.ConfigDiffers()
	return v
}
