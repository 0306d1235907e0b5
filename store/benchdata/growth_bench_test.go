package benchdata_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/cadencebot/cadencebot/store/benchdata"
)

// Issue 11's database growth: a year and two years of 500 people × 5
// rituals with the outbox as the engine and the dispatcher leave it,
// compacted after the default retention. The figures are the files'
// sizes (what `ls -l` shows: bbolt grows a file by whole allocations)
// and the pages in use; the second year must add about what the first
// did (bounded: compacted messages take the place of whole ones, the
// freed pages are reused). The goal is ≤ 250 MiB a year.
//
//	go test ./store/benchdata -run '^$' -bench Growth -benchtime 1x
//
// Both files are built once (minutes) and cached in os.TempDir.
func BenchmarkGrowthYear500x5(b *testing.B) {
	var sizes, used [2]int64
	for b.Loop() {
		for i, weeks := range []int{52, 104} {
			d, err := benchdata.Build(benchdata.Spec{People: 500, Rituals: 5, Weeks: weeks, Seed: 9})
			if err != nil {
				b.Fatal(err)
			}
			b.Log(d.Summary())
			sizes[i] = d.SizeBytes
			st, err := bucketStats(d.Path)
			if err != nil {
				b.Fatal(err)
			}
			used[i] = st.used
			b.Logf("%d weeks: %.1f MiB file, %.1f MiB up to its last page in use (the rest: bbolt grows files by steps)\n%s", weeks,
				mib(d.SizeBytes), mib(st.used), st.table)
		}
	}
	b.ReportMetric(mib(sizes[0]), "year1-MiB")
	b.ReportMetric(mib(sizes[1]-sizes[0]), "year2-MiB")
	b.ReportMetric(mib(used[0]), "year1-used-MiB")
	b.ReportMetric(mib(used[1]-used[0]), "year2-used-MiB")
	b.Logf("growth: year 1 %.1f MiB, year 2 %.1f MiB (%.2f× year 1); pages in use %.1f then %.1f MiB; goal ≤ 250 MiB a year",
		mib(sizes[0]), mib(sizes[1]-sizes[0]), float64(sizes[1]-sizes[0])/float64(sizes[0]), mib(used[0]), mib(used[1]-used[0]))
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

type fileStats struct {
	used  int64 // up to the last page in use (bbolt's Tx.Size)
	table string
}

// bucketStats lists each top-level bucket's pages, keys and bytes,
// largest first.
func bucketStats(path string) (fileStats, error) {
	var out fileStats
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return out, err
	}
	defer db.Close()
	type row struct {
		name                 string
		keys                 int
		alloc, inuse, kb, vb int64
	}
	var rows []row
	err = db.View(func(tx *bolt.Tx) error {
		out.used = tx.Size()
		return tx.ForEach(func(name []byte, bk *bolt.Bucket) error {
			s := bk.Stats()
			r := row{name: string(name), keys: s.KeyN, alloc: int64(s.BranchAlloc + s.LeafAlloc), inuse: int64(s.BranchInuse + s.LeafInuse)}
			err := bk.ForEach(func(k, v []byte) error {
				r.kb += int64(len(k))
				r.vb += int64(len(v))
				return nil
			})
			rows = append(rows, r)
			return err
		})
	})
	if err != nil {
		return out, err
	}
	slices.SortFunc(rows, func(a, b row) int { return int(b.alloc - a.alloc) })
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-22s %9s %10s %10s %10s %10s\n", "bucket", "keys", "pages MiB", "in use MiB", "keys MiB", "values MiB")
	for _, r := range rows {
		if r.keys == 0 {
			continue
		}
		fmt.Fprintf(&sb, "%-22s %9d %10.1f %10.1f %10.1f %10.1f\n", r.name, r.keys, mib(r.alloc), mib(r.inuse), mib(r.kb), mib(r.vb))
	}
	out.table = sb.String()
	return out, nil
}
