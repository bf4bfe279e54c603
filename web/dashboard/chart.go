package dashboard

import (
	"fmt"
	"html"
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
)

// palette colours the countries of a chart (the most active first).
var palette = [...]string{"#c0392b", "#2471a3", "#239b56", "#b9770e", "#7d3c98", "#5d6d7e"}

// trafficChart draws outbound messages per day and country as an inline
// SVG: one line per country (the six with most messages), day on the x
// axis, a legend with each country's messages and cost. Drawn here so the
// page needs no script. Every text is escaped.
func trafficChart(points []TrafficPoint) template.HTML {
	if len(points) == 0 {
		return ""
	}
	const w, ht, left, bottom, top = 720.0, 260.0, 48.0, 28.0, 12.0
	var days []time.Time
	seenDay := map[time.Time]bool{}
	total := map[string]int{}
	cost := map[string]float64{}
	series := map[string]map[time.Time]int{}
	maxY := 1
	for _, p := range points {
		d := p.Day.UTC().Truncate(24 * time.Hour)
		if !seenDay[d] {
			seenDay[d] = true
			days = append(days, d)
		}
		if series[p.Country] == nil {
			series[p.Country] = map[time.Time]int{}
		}
		series[p.Country][d] += p.Messages
		maxY = max(maxY, series[p.Country][d])
		total[p.Country] += p.Messages
		cost[p.Country] += p.Cost
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	countries := make([]string, 0, len(total))
	for c := range total {
		countries = append(countries, c)
	}
	sort.Slice(countries, func(i, j int) bool {
		if total[countries[i]] != total[countries[j]] {
			return total[countries[i]] > total[countries[j]]
		}
		return countries[i] < countries[j]
	})
	if len(countries) > len(palette) {
		countries = countries[:len(palette)]
	}
	x := func(i int) float64 {
		if len(days) == 1 {
			return left + (w-left-8)/2
		}
		return left + float64(i)*(w-left-8)/float64(len(days)-1)
	}
	y := func(v int) float64 { return top + (ht-top-bottom)*(1-float64(v)/float64(maxY)) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="outbound messages per day by country">`, w, ht+22*float64((len(countries)+2)/3))
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" class="axis"/>`, left, ht-bottom, w-8, ht-bottom)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" class="axis"/>`, left, top, left, ht-bottom)
	fmt.Fprintf(&b, `<text x="4" y="%.0f" class="tick">%d</text><text x="4" y="%.0f" class="tick">0</text>`, top+10, maxY, ht-bottom)
	step := max(1, len(days)/6)
	for i := 0; i < len(days); i += step {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" class="tick" text-anchor="middle">%s</text>`, x(i), ht-8, days[i].Format("Jan 2"))
	}
	for ci, c := range countries {
		var pts []string
		for i, d := range days {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(series[c][d])))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, palette[ci], strings.Join(pts, " "))
		lx, ly := 8+float64(ci%3)*240, ht+16+22*float64(ci/3)
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="12" height="12" fill="%s"/>`, lx, ly-10, palette[ci])
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" class="legend">%s: %d msgs, $%.2f</text>`, lx+18, ly,
			html.EscapeString(atoguard.Printable(c)), total[c], cost[c])
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built above; every text is escaped
}
