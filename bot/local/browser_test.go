package local_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const chromiumPath = "/usr/bin/chromium"

// TestChannelPageOnLaptopAndPhone opens a month-long channel at 1280 and
// 390 px: a page must fit the width and stay a few screens tall (a month
// on one page was 24,000–64,000 px). Skips without Chromium unless CI is
// set; screenshots go to $CADENCEBOT_ARTIFACTS when set.
func TestChannelPageOnLaptopAndPhone(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
			t.Fatalf("CI=%s but %s is missing: apt-get install -y chromium", ci, chromiumPath)
		}
		t.Skipf("skipping the headless browser test: %s not found", chromiumPath)
	}
	h := newHarness(t, "")
	postThreads(t, h, 120)

	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	require.NoError(t, chromedp.Do(bctx))

	for _, width := range []int64{1280, 390} {
		for _, path := range []string{"/c/mlops", "/c/mlops?person=ana"} {
			ctx, cancel := context.WithTimeout(bctx, 30*time.Second)
			vp := chromedp.EmulateViewport(width, 900)
			if width < 600 {
				vp = chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile)
			}
			require.NoError(t, chromedp.Do(ctx, vp))
			_, err := chromedp.RunResponse(ctx, chromedp.Navigate(h.url(path)))
			require.NoError(t, err)
			got, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
				ScrollW, ViewW, Height float64
				Threads                int
				Older                  bool
			}](`({scrollW: document.documentElement.scrollWidth, viewW: window.innerWidth,
			     height: document.documentElement.scrollHeight,
			     threads: document.querySelectorAll('main > article.msg').length,
			     older: !!document.querySelector('.pager a[rel=next]')})`))
			require.NoError(t, err)
			assert.LessOrEqual(t, got.ScrollW, got.ViewW+1, "%s at %d px scrolls sideways", path, width)
			assert.Equal(t, 20, got.Threads, "%s at %d px", path, width)
			assert.True(t, got.Older, "%s at %d px links the older threads", path, width)
			assert.Less(t, got.Height, 12000.0, "%s at %d px: one page stays a few screens tall", path, width)
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			require.NoError(t, err)
			if dir := os.Getenv("CADENCEBOT_ARTIFACTS"); dir != "" {
				require.NoError(t, os.MkdirAll(dir, 0o755))
				name := fmt.Sprintf("local-channel-%d-%d.png", width, len(path))
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), png, 0o644))
			}
			cancel()
		}
	}
}
