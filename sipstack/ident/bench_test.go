package ident

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkBranch(b *testing.B) {
	g, _ := New(rand.New(rand.NewPCG(1, 2)), "here.com")
	b.ReportAllocs()
	for b.Loop() {
		_ = g.Branch()
	}
}

func BenchmarkAppendBranch(b *testing.B) {
	g, _ := New(rand.New(rand.NewPCG(1, 2)), "here.com")
	buf := make([]byte, 0, BranchLen)
	b.ReportAllocs()
	for b.Loop() {
		buf = g.AppendBranch(buf[:0])
	}
}

func BenchmarkTag(b *testing.B) {
	g, _ := New(rand.New(rand.NewPCG(1, 2)), "here.com")
	b.ReportAllocs()
	for b.Loop() {
		_ = g.Tag()
	}
}

func BenchmarkCallID(b *testing.B) {
	g, _ := New(rand.New(rand.NewPCG(1, 2)), "here.com")
	b.ReportAllocs()
	for b.Loop() {
		_ = g.CallID()
	}
}
