package charts

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// niceTicks marks a linear axis every 1, 2, 2.5 or 5 times a power of ten,
// so that about six labelled ticks cover the range, with one unlabelled
// tick between two labelled ones. Labels have the fewest decimals the step
// needs. (plot.DefaultTicks often labels only three values, which is too
// few to read a value off a slide.)
type niceTicks struct{}

// Ticks implements [plot.Ticker].
func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	step, decimals := niceStep((hi - lo) / 6)
	var ticks []plot.Tick
	first := math.Ceil(lo/step-1e-9) * step
	for k := 0; ; k++ {
		v := first + float64(k)*step
		if v > hi+step*1e-9 || k > 100 {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0 // no "-0"
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
		if minor := v + step/2; minor < hi {
			ticks = append(ticks, plot.Tick{Value: minor})
		}
	}
	if minor := first - step/2; minor > lo {
		ticks = append(ticks, plot.Tick{Value: minor})
	}
	return ticks
}

// niceStep returns the smallest step of the form {1, 2, 2.5, 5} × 10^k not
// below raw, and the number of decimals its labels need.
func niceStep(raw float64) (step float64, decimals int) {
	exp := math.Floor(math.Log10(raw))
	pow := math.Pow(10, exp)
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*pow >= raw*(1-1e-9) {
			step = m * pow
			decimals = int(-exp)
			if m == 2.5 {
				decimals++
			}
			if m == 10 {
				decimals--
			}
			return step, max(decimals, 0)
		}
	}
	return raw, 0 // not reached
}
