package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cadencebot/cadencebot/cadence"
)

// The store maps domain types to its own records field by field. This
// test fills every field of every stored type, so a field added to the
// domain but not to a record fails here instead of vanishing on disk.
func TestEveryDomainFieldSurvivesTheStore(t *testing.T) {
	db := openTemp(t)
	occ := fill[cadence.Occurrence]()
	occ.ID = cadence.OccurrenceID(occ.RitualID, occ.Scheduled)
	ans := fill[cadence.Answer]()
	ans.OccurrenceID = occ.ID
	msg := fill[cadence.Message]()
	msg.To = cadence.Recipient{Person: "ana"} // exactly one of the two
	msg.Compacted = false                     // holds only while the body is empty (compact.go)
	rs := fill[cadence.RitualState]()
	ps := fill[cadence.PersonState]()

	update(t, db, func(tx cadence.Tx) error {
		require.NoError(t, tx.PutOccurrence(occ))
		require.NoError(t, tx.PutAnswer(ans))
		require.NoError(t, tx.PutMessage(msg))
		require.NoError(t, tx.PutRitualState(rs))
		return tx.PutPersonState(ps)
	})
	view(t, db, func(tx cadence.Tx) error {
		gotOcc, err := tx.Occurrence(occ.ID)
		require.NoError(t, err)
		assert.Equal(t, occ, gotOcc)
		gotAns, err := tx.Answer(ans.OccurrenceID, ans.PersonID)
		require.NoError(t, err)
		assert.Equal(t, ans, gotAns)
		gotMsg, err := tx.Message(msg.Key)
		require.NoError(t, err)
		assert.Equal(t, msg, gotMsg)
		gotRS, err := tx.RitualState(rs.RitualID)
		require.NoError(t, err)
		assert.Equal(t, rs, gotRS)
		gotPS, err := tx.PersonState(ps.PersonID)
		require.NoError(t, err)
		assert.Equal(t, ps, gotPS)
		return nil
	})
}

// fill returns a T with every field set to a non-zero value.
func fill[T any]() *T {
	v := new(T)
	n := 0
	fillValue(reflect.ValueOf(v).Elem(), &n)
	return v
}

func fillValue(v reflect.Value, n *int) {
	*n++
	if v.Type() == reflect.TypeFor[time.Time]() {
		v.Set(reflect.ValueOf(t0.Add(time.Duration(*n) * time.Minute)))
		return
	}
	if v.Type() == reflect.TypeFor[cadence.Date]() {
		v.Set(reflect.ValueOf(cadence.Date{Year: 2026, Month: time.Month(1 + *n%12), Day: 1 + *n%28}))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + string(rune('a'+*n%26)))
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Uint8:
		v.SetUint(uint64(*n % 256))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillValue(v.Elem(), n)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillValue(v.Field(i), n)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fillValue(s.Index(i), n)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		fillValue(k, n)
		e := reflect.New(v.Type().Elem()).Elem()
		fillValue(e, n)
		m.SetMapIndex(k, e)
		v.Set(m)
	default:
		panic("fill: no filler for " + v.Type().String())
	}
}
