package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pipe is one transaction on one connection with its statements
// pipelined. What nobody waits on — BEGIN, the write lock, the lease
// fence, writes whose result no caller reads — is queued and goes to the
// server in one round trip with the next statement someone waits on, or
// with COMMIT. An answer used to take a round trip per statement; the
// server still runs them one by one, in the same order, in the same
// transaction.
//
// A queued statement that fails loses the transaction: the pipe keeps
// the error and every later call, and the commit, returns it.
type pipe struct {
	conn   *pgxpool.Conn
	queued []queued
	failed error
	// open is the batch whose last result a caller is still reading
	// (rows not yet closed): it is finished before anything else is sent.
	open pgx.BatchResults
	// sent: something went to the server, and with it, and checked,
	// everything queued before it.
	sent bool
}

// queued is a statement and what to make of its result.
type queued struct {
	sql  string
	args []any
	// check reads the statement's result from the batch; nil: an Exec
	// whose error is labelled with what.
	check func(pgx.BatchResults) error
	what  string
}

// queue adds a statement whose result only matters if it fails.
func (p *pipe) queue(what, sql string, args ...any) {
	p.queued = append(p.queued, queued{sql: sql, args: args, what: what})
}

// queueCheck adds a statement whose result check reads.
func (p *pipe) queueCheck(check func(pgx.BatchResults) error, sql string, args ...any) {
	p.queued = append(p.queued, queued{sql: sql, args: args, check: check})
}

// send sends the queued statements and then extra, and returns the batch
// with the queued results read: extra's are next.
func (p *pipe) send(ctx context.Context, extra ...queued) (pgx.BatchResults, error) {
	if err := p.finish(); err != nil {
		return nil, err
	}
	if p.failed != nil {
		return nil, p.failed
	}
	b := &pgx.Batch{}
	for _, q := range p.queued {
		b.Queue(q.sql, q.args...)
	}
	for _, q := range extra {
		b.Queue(q.sql, q.args...)
	}
	queued := p.queued
	p.queued = nil
	p.sent = true
	br := p.conn.SendBatch(ctx, b)
	for _, q := range queued {
		var err error
		if q.check != nil {
			err = q.check(br)
		} else if _, err = br.Exec(); err != nil {
			err = fmt.Errorf("%s: %w", q.what, err)
		}
		if err != nil {
			p.failed = err
			_ = br.Close()
			return nil, err
		}
	}
	p.open = br
	return br, nil
}

// finish ends the batch a caller was reading, if any.
func (p *pipe) finish() error {
	if p.open == nil {
		return nil
	}
	err := p.open.Close()
	p.open = nil
	if err != nil && p.failed == nil {
		p.failed = err
	}
	return err
}

// flush sends what is queued, waiting for it.
func (p *pipe) flush(ctx context.Context) error {
	if len(p.queued) == 0 {
		return p.finish()
	}
	if _, err := p.send(ctx); err != nil {
		return err
	}
	return p.finish()
}

func (p *pipe) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	br, err := p.send(ctx, queued{sql: sql, args: args})
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := p.finish(); err == nil {
		err = cerr
	}
	if err != nil && p.failed == nil {
		p.failed = err
	}
	return tag, err
}

func (p *pipe) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	br, err := p.send(ctx, queued{sql: sql, args: args})
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		_ = p.finish()
		return nil, err
	}
	return &pipeRows{Rows: rows, p: p}, nil
}

func (p *pipe) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	br, err := p.send(ctx, queued{sql: sql, args: args})
	if err != nil {
		return errRow{err}
	}
	return pipeRow{row: br.QueryRow(), p: p}
}

// SendBatch sends what is queued and then b's statements, whose results
// the caller reads from the returned batch and closes.
func (p *pipe) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	extra := make([]queued, len(b.QueuedQueries))
	for i, q := range b.QueuedQueries {
		extra[i] = queued{sql: q.SQL, args: q.Arguments}
	}
	br, err := p.send(ctx, extra...)
	if err != nil {
		return errBatch{err}
	}
	return pipeBatch{BatchResults: br, p: p}
}

// pipeRows closes the batch with the rows.
type pipeRows struct {
	pgx.Rows
	p *pipe
}

func (r *pipeRows) Close() {
	r.Rows.Close()
	if r.p.open != nil {
		_ = r.p.finish()
	}
}

type pipeRow struct {
	row pgx.Row
	p   *pipe
}

func (r pipeRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if cerr := r.p.finish(); err == nil {
		err = cerr
	}
	return err
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

type pipeBatch struct {
	pgx.BatchResults
	p *pipe
}

func (b pipeBatch) Close() error { return b.p.finish() }

type errBatch struct{ err error }

func (b errBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, b.err }
func (b errBatch) Query() (pgx.Rows, error)         { return nil, b.err }
func (b errBatch) QueryRow() pgx.Row                { return errRow(b) }
func (b errBatch) Close() error                     { return b.err }

// rollback drops what is queued and ends the transaction if the server
// began it. A connection left inside one is closed by the pool on
// release.
func (p *pipe) rollback(ctx context.Context) {
	p.queued = nil
	_ = p.finish()
	if p.conn.Conn().PgConn().TxStatus() != 'I' {
		_, _ = p.conn.Exec(ctx, "ROLLBACK")
	}
}

func (b errBatch) Tx() pgx.Tx { return nil }
