package dashboard

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/cadencebot/cadencebot/cadence"
)

// ErrNoData is returned by ChartPNG when no week had a ritual held, so
// there is nothing to draw; the digest then goes out without an image.
var ErrNoData = errors.New("dashboard: no week with a held ritual to chart")

var (
	lineColor = color.RGBA{R: 37, G: 99, B: 235, A: 255}
	gridColor = color.Gray{Y: 225}
)

// ChartPNG renders the team score per ISO week (0–100) as a PNG, for
// chat platforms that show images (a Slack file upload, the local chat).
// Weeks may come in any order; weeks with nothing held are gaps.
func ChartPNG(weeks []cadence.WeekAdherence) ([]byte, error) {
	if len(weeks) == 0 {
		return nil, ErrNoData
	}
	ws := slices.Clone(weeks)
	slices.SortFunc(ws, func(a, b cadence.WeekAdherence) int { return a.Start.Compare(b.Start) })
	pts := trendPoints(ws, ws[0].Start, ws[len(ws)-1].Start.Add(time.Hour))
	if !slices.ContainsFunc(pts, func(p trendPoint) bool { return p.Has }) {
		return nil, ErrNoData
	}

	p := plot.New()
	p.Title.Text = "Team adherence score per ISO week"
	p.Y.Min, p.Y.Max = 0, 100
	p.Y.Label.Text = "score"
	p.Y.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0"}, {Value: 25, Label: "25"}, {Value: 50, Label: "50"}, {Value: 75, Label: "75"}, {Value: 100, Label: "100"}})
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	grid.Horizontal.Color = gridColor
	p.Add(grid)

	step := (len(pts) + 11) / 12
	names := make([]string, len(pts))
	for i, pt := range pts {
		if i%step == 0 || i == len(pts)-1 {
			names[i] = pt.Week[5:]
			if i == 0 || pt.Week[:4] != pts[max(0, i-step)].Week[:4] {
				names[i] = pt.Week // show the year where it starts
			}
		}
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.5, float64(len(pts))-0.5

	var run, all plotter.XYs
	addRun := func() error {
		if len(run) > 1 {
			l, err := plotter.NewLine(run)
			if err != nil {
				return err
			}
			l.Color, l.Width = lineColor, vg.Points(2)
			p.Add(l)
		}
		run = nil
		return nil
	}
	for i, pt := range pts {
		if !pt.Has {
			if err := addRun(); err != nil {
				return nil, fmt.Errorf("chart: %w", err)
			}
			continue
		}
		xy := plotter.XY{X: float64(i), Y: pt.Score}
		run, all = append(run, xy), append(all, xy)
	}
	if err := addRun(); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	sc, err := plotter.NewScatter(all)
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: lineColor, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	p.Add(sc)

	c := vgimg.NewWith(vgimg.UseWH(8*vg.Inch, 3*vg.Inch), vgimg.UseDPI(144))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: encoding png: %w", err)
	}
	return buf.Bytes(), nil
}
