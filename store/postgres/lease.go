package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rs/zerolog"

	"github.com/cadencebot/cadencebot/cadence"
)

// Why a lease row and not an advisory lock on a dedicated connection: the
// lock lives as long as the server sees the session, and a paused leader
// (SIGSTOP, a long GC or VM pause) or one behind a half-open partition
// keeps its session — and the lock — for as long as TCP keepalives take,
// often hours, while nobody else may lead. A row whose expiry is on the
// database's clock ends by itself: the leader must renew it every third of
// the TTL, and anyone may take it once it has expired. The epoch in the
// row fences the leader's writes (fence below); a dedicated connection
// still carries the renewals and LISTEN, so a killed connection is seen
// at once, not at the next renewal.

// leaseName is the one lease: the scheduler and dispatcher.
const leaseName = "leader"

// WakeChannel is the NOTIFY channel of outbox work: a transaction not
// made by the leader that queues a message notifies it on commit, and the
// leader's elector, LISTENing, wakes the dispatcher.
const WakeChannel = "cadence_wake"

// LeaseStatus is what a replica last saw of the lease.
type LeaseStatus struct {
	Known      bool   // the lease has been read (or found absent) at least once
	Leading    bool   // this replica holds it
	Holder     string // who holds it ("" if nobody ever did)
	Epoch      int64
	ConfigHash string // the holder's config hash
	ExpiresAt  time.Time
	// Err is the last failure to reach the database, nil once it works.
	Err error
}

// ElectorConfig configures NewElector.
type ElectorConfig struct {
	// Holder names this replica in the lease (host, process, run): unique
	// per process, so a restarted process is a new holder.
	Holder     string
	ConfigHash string
	TTL        time.Duration
	Logger     zerolog.Logger
	// OnWake is called (without blocking) when another replica queued
	// outbox work.
	OnWake func()
	// Now is the local clock the lease's local deadline is measured on
	// (time.Now). It must be monotonic: a lease is real time, not the
	// engine's (possibly simulated) clock.
	Now func() time.Time
}

// Elector implements cadence.Leadership with the lease row. Run it for as
// long as the replica lives; Campaign hands out terms.
type Elector struct {
	db   *DB
	conn *pgx.ConnConfig
	cfg  ElectorConfig

	mu         sync.Mutex
	hash       string
	st         LeaseStatus
	term       *term // while leading
	want       bool  // a Campaign is waiting
	won        chan cadence.Term
	loggedDiff string // the leader's hash last reported as differing
}

// term is one leadership: lost closes when the renewal failed or the
// local deadline passed, whichever comes first.
type term struct {
	epoch    int64
	lost     chan struct{}
	once     sync.Once
	timer    *time.Timer
	deadline time.Time
}

func (t *term) lose() { t.once.Do(func() { close(t.lost) }) }

func (t *term) isLost() bool {
	select {
	case <-t.lost:
		return true
	default:
		return false
	}
}

var _ cadence.Leadership = (*Elector)(nil)

// NewElector returns an elector on db's database; it does nothing until
// Run.
func (db *DB) NewElector(cfg ElectorConfig) *Elector {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.OnWake == nil {
		cfg.OnWake = func() {}
	}
	return &Elector{db: db, conn: db.pool.Config().ConnConfig.Copy(), cfg: cfg, hash: cfg.ConfigHash, won: make(chan cadence.Term, 1)}
}

// SetConfigHash records a reloaded config's hash; the leader writes it at
// its next renewal.
func (e *Elector) SetConfigHash(h string) {
	e.mu.Lock()
	e.hash = h
	e.mu.Unlock()
}

// Status returns what the elector last saw.
func (e *Elector) Status() LeaseStatus {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.st
	st.Leading = e.term != nil && !e.term.isLost()
	return st
}

// ConfigDiffers reports the leader's config hash when it is not this
// replica's (a follower started from another file), or "".
func (e *Elector) ConfigDiffers() (ours, leaders string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.st.Known || e.st.Holder == "" || e.st.ConfigHash == e.hash || e.term != nil {
		return "", ""
	}
	return e.hash, e.st.ConfigHash
}

// Campaign implements cadence.Leadership: it waits until Run wins the
// lease for this replica.
func (e *Elector) Campaign(ctx context.Context) (cadence.Term, error) {
	e.mu.Lock()
	e.want = true
	e.mu.Unlock()
	select {
	case t := <-e.won:
		return t, nil
	case <-ctx.Done():
		e.mu.Lock()
		e.want = false
		e.mu.Unlock()
		return cadence.Term{}, ctx.Err()
	}
}

// Run keeps a connection of its own to the database, LISTENs on
// WakeChannel, and renews the lease while leading or tries to take it
// while a Campaign waits, until ctx ends; then it gives up a lease it
// holds, so the next leader need not wait for it to expire. A lost
// connection ends the term at once (its fenced writes would fail anyway)
// and is retried.
func (e *Elector) Run(ctx context.Context) {
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := e.session(ctx)
		e.endTerm("the database connection of the lease failed")
		if ctx.Err() != nil {
			return
		}
		e.mu.Lock()
		e.st.Err = err
		e.mu.Unlock()
		e.cfg.Logger.Warn().Err(err).Dur("retry_in", wait).Msg("leader lease: database unreachable; retrying")
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(2*wait, e.cfg.TTL/2)
	}
}

// session is one connection's life.
func (e *Elector) session(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, max(e.cfg.TTL, DefaultConnectTimeout))
	conn, err := pgx.ConnectConfig(cctx, e.conn)
	cancel()
	if err != nil {
		return fmt.Errorf("connect to %s: %w", e.db.host, redact(err))
	}
	defer func() {
		if ctx.Err() != nil {
			e.resign(conn)
		}
		_ = conn.Close(context.Background())
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+WakeChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	e.mu.Lock()
	e.st.Err = nil
	e.mu.Unlock()
	for {
		if err := e.step(ctx, conn); err != nil {
			return err
		}
		// Renew three times a TTL; candidates look four times, so a dead
		// leader is replaced within about 1¼ TTL.
		every := e.cfg.TTL / 4
		if e.leading() {
			every = e.cfg.TTL / 3
		}
		until := e.cfg.Now().Add(every)
		for {
			wctx, cancel := context.WithDeadline(ctx, until)
			_, err := conn.WaitForNotification(wctx)
			timedOut := wctx.Err() != nil
			cancel()
			if err == nil {
				e.cfg.OnWake()
				continue
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if timedOut && pgconn.Timeout(err) {
				break
			}
			return fmt.Errorf("wait for notifications: %w", err)
		}
	}
}

func (e *Elector) leading() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.term != nil && !e.term.isLost()
}

// step renews the lease, or tries to take it, or reads who holds it.
func (e *Elector) step(ctx context.Context, conn *pgx.Conn) error {
	e.mu.Lock()
	t, hash, want := e.term, e.hash, e.want
	e.mu.Unlock()
	if t != nil && t.isLost() {
		// The local deadline passed before a renewal: this term is over
		// for good, even if the row would still take a renewal.
		e.endTerm("the lease was not renewed in time")
		t = nil
	}
	qctx, cancel := context.WithTimeout(ctx, e.cfg.TTL/3)
	defer cancel()
	ttl := e.cfg.TTL.Microseconds()
	start := e.cfg.Now()
	if t != nil {
		var exp time.Time
		err := conn.QueryRow(qctx, `UPDATE leader_lease SET expires_at = clock_timestamp() + $4 * interval '1 microsecond', config_hash = $3
			WHERE name = $5 AND holder = $1 AND epoch = $2 AND expires_at > clock_timestamp() RETURNING expires_at`,
			e.cfg.Holder, t.epoch, hash, ttl, leaseName).Scan(&exp)
		if errors.Is(err, pgx.ErrNoRows) {
			e.endTerm("the lease expired before it was renewed")
			return e.read(qctx, conn)
		}
		if err != nil {
			return fmt.Errorf("renew the lease: %w", err)
		}
		e.renewed(t, start, hash, exp)
		return nil
	}
	if !want {
		return e.read(qctx, conn)
	}
	// Take the lease if nobody holds it, it has expired, or it is this
	// process's own (a term it lost locally): a new epoch each time. FOR
	// UPDATE waits for the old leader's fenced transactions (FOR KEY
	// SHARE) to end, so none of them commits inside the new term.
	var epoch int64
	var exp time.Time
	taken := false
	// It may wait out a long transaction of the old leader's: longer
	// than a renewal may take.
	tctx, tcancel := context.WithTimeout(ctx, 2*e.cfg.TTL+DefaultConnectTimeout)
	defer tcancel()
	qctx = tctx
	err := pgx.BeginFunc(qctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(qctx, `INSERT INTO leader_lease (name, epoch, holder, config_hash, acquired_at, expires_at)
			VALUES ($1, 0, '', '', clock_timestamp(), '-infinity') ON CONFLICT (name) DO NOTHING`, leaseName); err != nil {
			return err
		}
		var holder string
		var expired bool
		if err := tx.QueryRow(qctx, `SELECT holder, expires_at <= clock_timestamp() FROM leader_lease WHERE name = $1 FOR UPDATE`,
			leaseName).Scan(&holder, &expired); err != nil {
			return err
		}
		if !expired && holder != e.cfg.Holder {
			return nil
		}
		taken = true
		return tx.QueryRow(qctx, `UPDATE leader_lease SET epoch = epoch + 1, holder = $1, config_hash = $2, acquired_at = clock_timestamp(),
			expires_at = clock_timestamp() + $3 * interval '1 microsecond' WHERE name = $4 RETURNING epoch, expires_at`,
			e.cfg.Holder, hash, ttl, leaseName).Scan(&epoch, &exp)
	})
	if err != nil {
		return fmt.Errorf("take the lease: %w", err)
	}
	if !taken {
		return e.read(qctx, conn)
	}
	nt := &term{epoch: epoch, lost: make(chan struct{})}
	e.mu.Lock()
	e.term, e.want = nt, false
	e.mu.Unlock()
	e.renewed(nt, start, hash, exp)
	e.cfg.Logger.Info().Int64("epoch", epoch).Str("holder", e.cfg.Holder).Dur("lease_ttl", e.cfg.TTL).Msg("leading: this replica runs the scheduler and the dispatcher")
	e.won <- cadence.Term{Epoch: epoch, Lost: nt.lost}
	return nil
}

// renewed moves the term's local deadline: TTL after the renewal was
// sent, less a tenth. The database set the expiry TTL after it received
// the statement, so the replica stops before the lease can expire —
// before anyone else can lead.
func (e *Elector) renewed(t *term, sent time.Time, hash string, exp time.Time) {
	deadline := sent.Add(e.cfg.TTL - e.cfg.TTL/10)
	e.mu.Lock()
	defer e.mu.Unlock()
	t.deadline = deadline
	if t.timer == nil {
		t.timer = time.AfterFunc(deadline.Sub(e.cfg.Now()), t.lose)
	} else {
		t.timer.Reset(deadline.Sub(e.cfg.Now()))
	}
	e.st = LeaseStatus{Known: true, Holder: e.cfg.Holder, Epoch: t.epoch, ConfigHash: hash, ExpiresAt: exp}
}

// read records who holds the lease, and says so when their config is not
// this replica's.
func (e *Elector) read(ctx context.Context, conn *pgx.Conn) error {
	var st LeaseStatus
	err := conn.QueryRow(ctx, "SELECT holder, epoch, config_hash, expires_at FROM leader_lease WHERE name = $1", leaseName).
		Scan(&st.Holder, &st.Epoch, &st.ConfigHash, &st.ExpiresAt)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("read the lease: %w", err)
	}
	st.Known = true
	e.mu.Lock()
	e.st = st
	ours := e.hash
	report := st.Holder != "" && st.ConfigHash != ours && st.ConfigHash != e.loggedDiff
	if report {
		e.loggedDiff = st.ConfigHash
	}
	e.mu.Unlock()
	if report {
		e.cfg.Logger.Warn().Str("leader", st.Holder).Int64("epoch", st.Epoch).Str("leader_config", st.ConfigHash).Str("our_config", ours).
			Msg("this replica's config differs from the leader's: the leader's rituals run; deploy one config to every replica")
	}
	return nil
}

// endTerm ends the current term, if any.
func (e *Elector) endTerm(why string) {
	e.mu.Lock()
	t := e.term
	e.term = nil
	e.mu.Unlock()
	if t == nil {
		return
	}
	if t.timer != nil {
		t.timer.Stop()
	}
	if !t.isLost() {
		e.cfg.Logger.Warn().Int64("epoch", t.epoch).Msg("leadership ends: " + why)
	}
	t.lose()
}

// resign expires a lease this replica holds, at shutdown: the next leader
// takes over at its next look instead of after the TTL.
func (e *Elector) resign(conn *pgx.Conn) {
	e.mu.Lock()
	t := e.term
	e.mu.Unlock()
	if t == nil {
		return
	}
	e.endTerm("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, "UPDATE leader_lease SET expires_at = clock_timestamp() WHERE name = $1 AND holder = $2 AND epoch = $3",
		leaseName, e.cfg.Holder, t.epoch); err != nil {
		e.cfg.Logger.Warn().Err(err).Msg("could not give up the lease; the next leader takes over when it expires")
	}
}
