package telemetry

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// LogBuffer batches log records into one write per interval instead of one
// write per record: on a busy service the write system call of each record
// costs more than formatting it (two records per tool call). A record at
// warning level or above is written at once, together with everything
// before it, so problems are never late and lines stay in order. Close
// writes what is left; at most one interval of lines is lost if the process
// dies without it (a kill -9, a crash).
type LogBuffer struct {
	w     io.Writer
	every time.Duration

	mu      sync.Mutex
	buf     []byte
	pending bool // the flush timer is set
	closed  bool
	timer   *time.Timer

	wmu   sync.Mutex // one flush writes at a time, in order
	spare []byte
}

// logBufferMax is the most a LogBuffer holds: a record that takes it past
// this is written by its caller at once.
const logBufferMax = 64 << 10

// NewLogBuffer returns a buffer writing to w at most every interval.
func NewLogBuffer(w io.Writer, every time.Duration) *LogBuffer {
	b := &LogBuffer{w: w, every: every}
	b.timer = time.AfterFunc(time.Hour, func() { b.Flush() })
	b.timer.Stop()
	return b
}

// Write takes one record (slog handlers write each record whole).
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		// After any flush still writing (a timer's), so lines keep their order.
		b.wmu.Lock()
		defer b.wmu.Unlock()
		return b.w.Write(p)
	}
	b.buf = append(b.buf, p...)
	full := len(b.buf) >= logBufferMax
	if !full && !b.pending {
		b.pending = true
		b.timer.Reset(b.every)
	}
	b.mu.Unlock()
	if full {
		return len(p), b.Flush()
	}
	return len(p), nil
}

// Flush writes what the buffer holds. A nil LogBuffer (logging unbuffered)
// has nothing to write.
func (b *LogBuffer) Flush() error {
	if b == nil {
		return nil
	}
	b.wmu.Lock()
	defer b.wmu.Unlock()
	b.mu.Lock()
	p := b.buf
	b.pending = false
	if len(p) == 0 {
		// Nothing to write, and no swap: swapping would leave buf and
		// spare on one array, and the next flush would write it while
		// Write appends to it.
		b.mu.Unlock()
		return nil
	}
	b.buf = b.spare[:0]
	b.mu.Unlock()
	_, err := b.w.Write(p)
	b.spare = p[:0]
	if cap(b.spare) > logBufferMax*2 {
		b.spare = nil // a burst grew it; do not keep it
	}
	return err
}

// Close writes what is left; later records are written one by one.
func (b *LogBuffer) Close() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	b.closed = true
	b.timer.Stop()
	b.mu.Unlock()
	return b.Flush()
}

// flushOnWarn writes the buffer out after every record at warning level or
// above.
type flushOnWarn struct {
	slog.Handler
	b *LogBuffer
}

func (h flushOnWarn) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		if ferr := h.b.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

func (h flushOnWarn) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushOnWarn{h.Handler.WithAttrs(attrs), h.b}
}

func (h flushOnWarn) WithGroup(name string) slog.Handler {
	return flushOnWarn{h.Handler.WithGroup(name), h.b}
}

// OpenLog is NewLogger for a long-running process: with every > 0 the
// records go through a LogBuffer written at least that often (nil
// otherwise). Flush it before writing to w directly, so that lines keep
// their order; Close it before the process exits.
func OpenLog(w io.Writer, format, level string, every time.Duration) (*slog.Logger, *LogBuffer, error) {
	if every <= 0 {
		log, err := NewLogger(w, format, level)
		return log, nil, err
	}
	b := NewLogBuffer(w, every)
	log, err := NewLogger(b, format, level)
	if err != nil {
		return nil, nil, err
	}
	return slog.New(flushOnWarn{log.Handler(), b}), b, nil
}
