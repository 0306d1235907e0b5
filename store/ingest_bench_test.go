package store_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/cadence"
)

// Issue 11.7: ingestion at 10, 100 and 1,000 people per occurrence,
// through the engine against the physical floor, on the real file with
// fsync (the daemon's setting):
//
//	go test ./store -run '^$' -bench Ingest -benchtime 2000x
//
// The floor is not an estimate. The engine first runs the same answers
// on a copy of the file while every bucket is diffed after each one; that
// records, per answer, exactly the keys and bytes its transaction wrote
// or deleted: the answer and its time index, the receipt and its two
// outbox indexes, the summary figures and their dirty mark. "raw" then
// replays those writes on another copy of the same file, one bolt Update
// per answer. "engine" is Engine.SubmitAnswer (validation, reads, rules,
// encoding and the same writes) on a third copy. Answers fill each
// occurrence person by person, so with -benchtime a multiple of 1,000
// the 1,000-people case pays for the last answers of full occurrences.
//
// The two take turns answer by answer (the order alternating), each
// timed on its own, as store/postgres's BenchmarkIngest does: on a
// shared machine a burst of load, or a slow fsync, falls on both alike
// instead of on whichever ran at that moment. Besides the ratio of the
// totals it reports the ratio of the median answer times, which such a
// burst hardly moves.
func BenchmarkIngest(b *testing.B) {
	for _, team := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("people=%d", team), func(b *testing.B) { benchIngest(b, team, false) })
	}
}

// BenchmarkIngestNoSync is BenchmarkIngest with fsync off on both sides:
// what is left is CPU, so the ratio is the engine's own work (reads,
// rules, encoding) against bbolt's work for the same writes, which a
// slow shared disk does not blur.
func BenchmarkIngestNoSync(b *testing.B) {
	for _, team := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("people=%d", team), func(b *testing.B) { benchIngest(b, team, true) })
	}
}

func benchIngest(b *testing.B, team int, noSync bool) {
	rig := newTeamRig(b, b.N, team)
	ops := rig.recordWrites(b)
	bdb, err := bolt.Open(rig.copyFile(b), 0o600, &bolt.Options{NoSync: noSync})
	if err != nil {
		b.Fatal(err)
	}
	defer bdb.Close()
	db, e := rig.open(b, noSync)
	defer db.Close()
	var total int
	for _, w := range ops {
		total += w.bytes()
	}
	ctx := context.Background()
	steps := [2]func(i int) error{
		func(i int) error { return bdb.Update(ops[i].apply) },
		func(i int) error {
			t := rig.targets[i]
			_, err := e.SubmitAnswer(ctx, cadence.AnswerInput{OccurrenceID: t.occurrence, PersonID: t.person, Responses: rig.resp, Via: "bench"})
			return err
		},
	}
	var spent [2]time.Duration // raw, engine
	var each [2][]time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range 2 {
			which := (i + k) % 2
			start := time.Now()
			if err := steps[which](i); err != nil {
				b.Fatal(err)
			}
			d := time.Since(start)
			spent[which] += d
			each[which] = append(each[which], d)
		}
	}
	b.StopTimer()
	rate := func(d time.Duration) float64 { return float64(b.N) / d.Seconds() }
	med := func(k int) time.Duration {
		slices.Sort(each[k])
		return each[k][len(each[k])/2]
	}
	b.ReportMetric(rate(spent[1]), "answers/s")
	b.ReportMetric(rate(spent[0]), "floor/s")
	b.ReportMetric(float64(spent[0])/float64(spent[1]), "ratio")
	b.ReportMetric(float64(med(0))/float64(med(1)), "median-ratio")
	b.ReportMetric(float64(med(1).Microseconds()), "median-µs/answer")
	b.ReportMetric(float64(total)/float64(b.N), "B/answer")
}

// answerWrites is what one answer's transaction changed: puts and
// deletes per bucket.
type answerWrites struct {
	puts []kv
	dels []kv
}

type kv struct{ bucket, key, val []byte }

func (w answerWrites) bytes() int {
	n := 0
	for _, p := range w.puts {
		n += len(p.key) + len(p.val)
	}
	for _, d := range w.dels {
		n += len(d.key)
	}
	return n
}

func (w answerWrites) apply(tx *bolt.Tx) error {
	for _, p := range w.puts {
		if err := tx.Bucket(p.bucket).Put(p.key, p.val); err != nil {
			return err
		}
	}
	for _, d := range w.dels {
		if err := tx.Bucket(d.bucket).Delete(d.key); err != nil {
			return err
		}
	}
	return nil
}

// copyFile copies the rig's prepared database to a new file.
func (rig *answerRig) copyFile(b *testing.B) string {
	b.Helper()
	src, err := os.Open(filepath.Join(rig.dir, "engine.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(b.TempDir(), "copy.db")
	dst, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		b.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// recordWrites runs the rig's answers through the engine on a copy of
// its file (untimed) and returns what each one wrote, found by diffing
// every bucket before and after.
func (rig *answerRig) recordWrites(b *testing.B) []answerWrites {
	b.Helper()
	path := rig.copyFile(b)
	// The engine opens the prepared file by name: swap the copy in.
	saved := rig.dir
	rig.dir = filepath.Dir(path)
	if err := os.Rename(path, filepath.Join(rig.dir, "engine.db")); err != nil {
		b.Fatal(err)
	}
	db, e := rig.open(b, true)
	rig.dir = saved
	defer db.Close()
	// before holds every bucket's keys and values as they are now; each
	// answer's walk compares in place and copies only what changed.
	before := map[string]map[string][]byte{}
	walk := func(each func(bucket string, vals map[string][]byte, k, v []byte)) int {
		n := 0
		if err := db.Bolt().View(func(tx *bolt.Tx) error {
			return tx.ForEach(func(name []byte, bk *bolt.Bucket) error {
				vals := before[string(name)]
				if vals == nil {
					vals = map[string][]byte{}
					before[string(name)] = vals
				}
				return bk.ForEach(func(k, v []byte) error {
					n++
					each(string(name), vals, k, v)
					return nil
				})
			})
		}); err != nil {
			b.Fatal(err)
		}
		return n
	}
	size := func() int {
		n := 0
		for _, vals := range before {
			n += len(vals)
		}
		return n
	}
	walk(func(_ string, vals map[string][]byte, k, v []byte) { vals[string(k)] = bytes.Clone(v) })
	out := make([]answerWrites, len(rig.targets))
	for i, t := range rig.targets {
		if _, err := e.SubmitAnswer(context.Background(), cadence.AnswerInput{OccurrenceID: t.occurrence, PersonID: t.person, Responses: rig.resp, Via: "bench"}); err != nil {
			b.Fatal(err)
		}
		w := &out[i]
		n := walk(func(bucket string, vals map[string][]byte, k, v []byte) {
			if old, ok := vals[string(k)]; !ok || !bytes.Equal(old, v) {
				vals[string(k)] = bytes.Clone(v)
				w.puts = append(w.puts, kv{[]byte(bucket), bytes.Clone(k), vals[string(k)]})
			}
		})
		if n != size() { // something was deleted: find it
			seen := map[string]bool{}
			walk(func(bucket string, _ map[string][]byte, k, _ []byte) { seen[bucket+"\x00"+string(k)] = true })
			for bucket, vals := range before {
				for k := range vals {
					if !seen[bucket+"\x00"+k] {
						w.dels = append(w.dels, kv{bucket: []byte(bucket), key: []byte(k)})
						delete(vals, k)
					}
				}
			}
		}
	}
	return out
}
