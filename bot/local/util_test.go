package local_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
)

func strconvU(v uint64) string { return strconv.FormatUint(v, 10) }

func ioCopy(b *strings.Builder, resp *http.Response) (int64, error) { return io.Copy(b, resp.Body) }
