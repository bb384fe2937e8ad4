package loadgen

import (
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Chart colours: readable on white, distinguishable in grey-scale print.
var (
	colThroughput = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	colP50        = color.RGBA{R: 44, G: 160, B: 44, A: 255}
	colP99        = color.RGBA{R: 214, G: 39, B: 40, A: 255}
	colMoved      = color.RGBA{R: 255, G: 127, B: 14, A: 255}
	colAsk        = color.RGBA{R: 148, G: 103, B: 189, A: 255}
	colTryAgain   = color.RGBA{R: 140, G: 86, B: 75, A: 255}
	colErrors     = color.RGBA{R: 214, G: 39, B: 40, A: 255}
	colEvent      = color.RGBA{R: 90, G: 90, B: 90, A: 255}
)

// ChartSize is the size of timeline.png/svg.
var (
	ChartWidth  = 11 * vg.Inch
	ChartHeight = 9 * vg.Inch
)

// WriteChart draws the timeline as three aligned panels sharing the time
// axis — throughput, p50/p99 latency, redirections and errors per second —
// with every event as a labelled vertical line, and writes it in format
// ("png" or "svg").
func WriteChart(w io.Writer, r *Result, title, format string) error {
	panels := chartPanels(r, title)
	c, err := draw.NewFormattedCanvas(ChartWidth, ChartHeight, format)
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	dc := draw.New(c)
	tiles := draw.Tiles{
		Rows: len(panels), Cols: 1,
		PadX: vg.Millimeter, PadY: 4 * vg.Millimeter,
		PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter,
		PadLeft: 2 * vg.Millimeter, PadRight: 4 * vg.Millimeter,
	}
	grid := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		grid[i] = []*plot.Plot{p}
	}
	canvases := plot.Align(grid, tiles, dc)
	for i, p := range panels {
		p.Draw(canvases[i][0])
	}
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	return nil
}

// chartPanels builds the three panels.
func chartPanels(r *Result, title string) []*plot.Plot {
	end := r.Duration.Seconds()
	for _, e := range r.Events { // events after the load stopped still show
		if x := eventX(r, e); x > end {
			end = x
		}
	}
	if end <= 0 {
		end = 1
	}
	mk := func(name, ylabel string) *plot.Plot {
		p := plot.New()
		p.Title.Text = name
		p.Y.Label.Text = ylabel
		p.X.Min, p.X.Max = 0, end
		p.Y.Min = 0
		p.Legend.Top = true
		p.Add(plotter.NewGrid())
		return p
	}
	rows := r.Timeline
	if n := len(rows); n > 1 && rows[n-1].SpanMs < 100 {
		// A sliver of a second (requests answered while the run stopped)
		// would plot as a spike or a cliff: the CSV keeps it, the chart
		// does not.
		rows = rows[:n-1]
	}
	tp := mk(title, "ops/sec")
	addLine(tp, rows, "ops/sec", colThroughput, nil, func(s Second) float64 { return s.OpsPerSec() })

	lat := mk("latency per second", "ms")
	addLine(lat, rows, "p50", colP50, nil, func(s Second) float64 { return s.P50Ms })
	addLine(lat, rows, "p99", colP99, nil, func(s Second) float64 { return s.P99Ms })

	red := mk("redirections and errors per second", "count/sec")
	red.X.Label.Text = "seconds since start"
	perSec := func(get func(Second) int64) func(Second) float64 {
		return func(s Second) float64 { return float64(get(s)) * 1000 / float64(s.SpanMs) }
	}
	addLine(red, rows, "MOVED", colMoved, nil, perSec(func(s Second) int64 { return s.Moved }))
	addLine(red, rows, "ASK", colAsk, nil, perSec(func(s Second) int64 { return s.Ask }))
	addLine(red, rows, "TRYAGAIN", colTryAgain, []vg.Length{vg.Points(4), vg.Points(2)},
		perSec(func(s Second) int64 { return s.TryAgain }))
	addLine(red, rows, "errors", colErrors, []vg.Length{vg.Points(1), vg.Points(2)},
		perSec(func(s Second) int64 { return s.Errors }))

	panels := []*plot.Plot{tp, lat, red}
	for i, p := range panels {
		p.Add(newEventLines(r, i == 0))
		p.Y.Max = max(p.Y.Max*1.08, 1) // headroom; an all-zero panel still gets an axis
	}
	return panels
}

// addLine adds one series as steps: each row's value is held over its
// span, which is what a per-second bucket means (and a run shorter than a
// second still shows).
func addLine(p *plot.Plot, rows []Second, name string, c color.Color, dashes []vg.Length, y func(Second) float64) {
	xys := make(plotter.XYs, 0, 2*len(rows))
	for _, s := range rows {
		v := y(s)
		x := float64(s.Second)
		xys = append(xys, plotter.XY{X: x, Y: v}, plotter.XY{X: x + float64(s.SpanMs)/1000, Y: v})
	}
	if len(xys) == 0 {
		return
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return // NaN/Inf cannot come from counts; skip the series rather than fail the chart
	}
	l.Color = c
	l.Width = vg.Points(1.2)
	l.Dashes = dashes
	p.Add(l)
	p.Legend.Add(name, l)
}

func eventX(r *Result, e Event) float64 { return float64(e.UnixMs-r.StartMs) / 1000 }

// eventLines draws events as vertical dashed lines across the data area;
// the top panel also prints their labels, staggered so neighbours do not
// overlap.
type eventLines struct {
	xs     []float64
	labels []string
	label  bool
	line   draw.LineStyle
	text   draw.TextStyle
}

func newEventLines(r *Result, label bool) *eventLines {
	e := &eventLines{
		label: label,
		line:  draw.LineStyle{Color: colEvent, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(3), vg.Points(3)}},
		text:  plot.New().Legend.TextStyle,
	}
	e.text.Font.Size = vg.Points(8)
	e.text.Color = colEvent
	for _, ev := range r.Events {
		e.xs = append(e.xs, eventX(r, ev))
		e.labels = append(e.labels, ev.Label)
	}
	return e
}

// Plot implements plot.Plotter.
func (e *eventLines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	h := e.text.Height("M")
	for i, x := range e.xs {
		px := trX(x)
		if px < c.Min.X || px > c.Max.X {
			continue
		}
		c.StrokeLine2(e.line, px, c.Min.Y, px, c.Max.Y)
		if e.label {
			c.FillText(e.text, vg.Point{X: px + vg.Points(2), Y: c.Max.Y - h*vg.Length(i%4+1)}, e.labels[i])
		}
	}
}
