package analysis

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
)

// Param is one parameter a sweep varies, with its values in order.
type Param struct {
	// Name names the parameter ("loss", "transport").
	Name string
	// Values are the values as the runner applies them ("5%", "udp").
	Values []string
	// Numbers holds the values in base units for the tables and plots
	// (0.05 for "5%"), or nil when the parameter is not a number.
	Numbers []float64
}

// Cell returns how value i is written in a table: the number in base
// units, or the value itself.
func (p *Param) Cell(i int) string {
	if p.Numbers != nil {
		return formatFloat(p.Numbers[i])
	}
	return p.Values[i]
}

// Sweep runs replications over the cartesian product of parameter values
// on several goroutines, and hands over the results point by point in a
// fixed order, so that its output is the same for any number of workers:
// each replication is its own simulator with a seed derived from the
// sweep's seed, the point and the replication index alone (DESIGN.md,
// determinism rules).
type Sweep struct {
	// Params are the varied parameters; the first varies slowest.
	Params []Param
	// Reps is the number of replications per point (at least 1).
	Reps int
	// Seed is the sweep's seed.
	Seed uint64
	// Workers is the number of replications run at once; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
	// Run runs one replication of the point whose values (one per
	// parameter, Params order) are given, with the given seed. It is
	// called from several goroutines at once.
	Run func(values []string, seed uint64) (*RepStats, error)
	// Progress, if set, is called after each replication with the number
	// done and the total, from one goroutine.
	Progress func(done, total int)
}

// Point is one point of a sweep and its replications.
type Point struct {
	// Index is the point's rank in the product, from 0.
	Index int
	// Values holds the index of each parameter's value.
	Values []int
	// Seeds are the replications' seeds; Reps their results, in
	// replication order.
	Seeds []uint64
	Reps  []*RepStats
}

// Points returns the number of points of the product.
func (s *Sweep) Points() int {
	n := 1
	for _, p := range s.Params {
		n *= len(p.Values)
	}
	return n
}

// point returns the value indexes of point i: the last parameter varies
// fastest.
func (s *Sweep) point(i int) []int {
	idx := make([]int, len(s.Params))
	for k := len(s.Params) - 1; k >= 0; k-- {
		n := len(s.Params[k].Values)
		idx[k] = i % n
		i /= n
	}
	return idx
}

// RepSeed derives the seed of replication rep of point from the sweep's
// seed: three rounds of SplitMix64 (Steele, Lea and Flood, OOPSLA 2014)
// so that neighbouring points and replications get unrelated streams.
func RepSeed(seed uint64, point, rep int) uint64 {
	return mix64(mix64(mix64(seed)^uint64(point)) ^ uint64(rep))
}

func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

type sweepJob struct{ point, rep int }

type sweepDone struct {
	sweepJob
	stats *RepStats
	err   error
}

// Execute runs every replication and calls emit once per point, in point
// order, as soon as the point and every point before it are complete:
// only the points still waiting are held in memory. It stops at the
// first error of Run or emit and returns it.
func (s *Sweep) Execute(emit func(*Point) error) error {
	if s.Run == nil || s.Reps < 1 {
		return errors.New("sweep: no Run function or no replication")
	}
	workers := s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	total := s.Points() * s.Reps
	jobs := make(chan sweepJob)
	results := make(chan sweepDone)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				vals := s.point(j.point)
				values := make([]string, len(vals))
				for k, v := range vals {
					values[k] = s.Params[k].Values[v]
				}
				st, err := s.Run(values, RepSeed(s.Seed, j.point, j.rep))
				if st == nil && err == nil {
					err = errors.New("no result")
				}
				select {
				case results <- sweepDone{j, st, err}:
				case <-stop:
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := 0; i < total; i++ {
			select {
			case jobs <- sweepJob{i / s.Reps, i % s.Reps}:
			case <-stop:
				return
			}
		}
	}()
	finish := func(err error) error {
		close(stop)
		wg.Wait()
		return err
	}

	waiting := map[int]*Point{}
	next, done := 0, 0
	for done < total {
		r := <-results
		done++
		if r.err != nil {
			return finish(fmt.Errorf("point %d (%s), replication %d: %w", r.point, s.describe(r.point), r.rep, r.err))
		}
		p := waiting[r.point]
		if p == nil {
			p = &Point{Index: r.point, Values: s.point(r.point), Seeds: make([]uint64, s.Reps), Reps: make([]*RepStats, s.Reps)}
			waiting[r.point] = p
		}
		p.Seeds[r.rep] = RepSeed(s.Seed, r.point, r.rep)
		p.Reps[r.rep] = r.stats
		if s.Progress != nil {
			s.Progress(done, total)
		}
		for {
			p := waiting[next]
			if p == nil || !complete(p) {
				break
			}
			delete(waiting, next)
			next++
			if err := emit(p); err != nil {
				return finish(err)
			}
		}
	}
	return finish(nil)
}

func complete(p *Point) bool {
	for _, r := range p.Reps {
		if r == nil {
			return false
		}
	}
	return true
}

// describe names point i's values, for error messages.
func (s *Sweep) describe(i int) string {
	vals := s.point(i)
	parts := make([]string, len(vals))
	for k, v := range vals {
		parts[k] = s.Params[k].Name + "=" + s.Params[k].Values[v]
	}
	return strings.Join(parts, " ")
}
