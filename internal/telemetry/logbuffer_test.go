package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer that counts the writes it receives.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSuffix(l.b.String(), "\n"), "\n")
}

func (l *lockedBuffer) count() (string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String(), l.writes
}

func TestLogBufferBatchesUntilIntervalOrWarning(t *testing.T) {
	out := &lockedBuffer{}
	log, lb, err := OpenLog(out, "json", "info", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		log.Info("call", "n", i)
	}
	if s, _ := out.count(); s != "" {
		t.Fatalf("info records were written before the interval: %q", s)
	}
	log.With("route", "/mcp").Warn("backend slow")
	lines := out.lines()
	if len(lines) != 4 {
		t.Fatalf("a warning must write itself and everything before it; got %d lines: %q", len(lines), lines)
	}
	for i, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("line %d is not a whole JSON record: %q", i, l)
		}
		if i < 3 && rec["n"] != float64(i) {
			t.Fatalf("line %d out of order: %q", i, l)
		}
		if i == 3 && (rec["msg"] != "backend slow" || rec["route"] != "/mcp") {
			t.Fatalf("the warning lost its attributes: %q", l)
		}
	}
	if _, writes := out.count(); writes != 1 {
		t.Fatalf("four records took %d writes, want 1", writes)
	}
	log.Debug("below the level")
	log.Info("left in the buffer")
	if err := lb.Close(); err != nil {
		t.Fatal(err)
	}
	if lines := out.lines(); len(lines) != 5 || !strings.Contains(lines[4], "left in the buffer") {
		t.Fatalf("close must write what is left: %q", lines)
	}
	log.Info("after close")
	if lines := out.lines(); len(lines) != 6 {
		t.Fatalf("a record after close must be written at once: %q", lines)
	}
}

func TestLogBufferWritesWithinTheInterval(t *testing.T) {
	out := &lockedBuffer{}
	log, lb, err := OpenLog(out, "text", "info", 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer lb.Close()
	log.Info("first")
	log.Info("second")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if s, writes := out.count(); strings.Contains(s, "second") {
			if writes != 1 {
				t.Fatalf("two records in one interval took %d writes", writes)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("records not written within 5 s of a 20 ms interval")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The timer is set again by the next record, not left running.
	log.Info("third")
	for s, _ := out.count(); !strings.Contains(s, "third"); s, _ = out.count() {
		if time.Now().After(deadline) {
			t.Fatal("a record after the first flush was never written")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLogBufferBoundedAndConcurrent(t *testing.T) {
	out := &lockedBuffer{}
	log, lb, err := OpenLog(out, "json", "info", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				log.Info("call", "worker", w, "i", i, "pad", strings.Repeat("x", 100))
			}
		})
	}
	wg.Wait()
	before, writes := out.count()
	if writes == 0 {
		t.Fatal("a full buffer must be written without waiting for the interval")
	}
	if err := lb.Close(); err != nil {
		t.Fatal(err)
	}
	after, _ := out.count()
	if held := len(after) - len(before); held >= logBufferMax {
		t.Fatalf("the buffer held %d bytes; it must write at %d", held, logBufferMax)
	}
	lines := out.lines()
	if len(lines) != workers*each {
		t.Fatalf("%d lines, want %d", len(lines), workers*each)
	}
	next := make([]int, workers)
	for _, l := range lines {
		var rec struct{ Worker, I int }
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("torn record %q: %v", l, err)
		}
		if rec.I != next[rec.Worker] {
			t.Fatalf("worker %d: record %d after %d", rec.Worker, rec.I, next[rec.Worker]-1)
		}
		next[rec.Worker]++
	}
}

func TestOpenLogUnbuffered(t *testing.T) {
	out := &lockedBuffer{}
	log, lb, err := OpenLog(out, "json", "info", 0)
	if err != nil {
		t.Fatal(err)
	}
	if lb != nil {
		t.Fatal("with no interval there is no buffer")
	}
	log.InfoContext(context.Background(), "at once")
	if s, _ := out.count(); !strings.Contains(s, "at once") {
		t.Fatal("with no interval a record must be written at once")
	}
	if err := lb.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := OpenLog(out, "xml", "info", time.Second); err == nil || !strings.Contains(err.Error(), "LOG_FORMAT") {
		t.Fatalf("a bad format must be refused: %v", err)
	}
}

// gatedWriter, once armed, holds its next Write until released, so that a
// test can log while a flush is writing.
type gatedWriter struct {
	lockedBuffer
	armed            atomic.Bool
	writing, release chan struct{}
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	if g.armed.CompareAndSwap(true, false) {
		close(g.writing)
		<-g.release
	}
	return g.lockedBuffer.Write(p)
}

// TestLogBufferRecordsDuringAFlush: records that arrive while a flush is
// writing never touch the bytes it writes, also after a flush that found
// nothing to write.
func TestLogBufferRecordsDuringAFlush(t *testing.T) {
	g := &gatedWriter{writing: make(chan struct{}), release: make(chan struct{})}
	b := NewLogBuffer(g, time.Hour)
	b.Write([]byte("first\n"))
	b.Flush()
	b.Flush() // nothing to write
	b.Write([]byte("second\n"))
	g.armed.Store(true)
	done := make(chan error)
	go func() { done <- b.Flush() }()
	<-g.writing
	b.Write([]byte("XXXXXX\n"))
	close(g.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	b.Close()
	if got, _ := g.count(); got != "first\nsecond\nXXXXXX\n" {
		t.Fatalf("written %q: a record logged during a flush changed the bytes being written", got)
	}
}
