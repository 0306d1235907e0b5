package dashboard_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"

	"github.com/cadencebot/cadencebot/cadence"
)

func httptestDo(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

type failingService struct{ *fakeService }

func (f *failingService) Report(context.Context, cadence.ReportQuery) (*cadence.Report, error) {
	return nil, errors.New("bolt: database file /var/lib/cadencebot/db is corrupt")
}
