package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// profileResult is one CPU profile of the pprof build under the read load.
type profileResult struct {
	Era       era         `json:"era"`
	Point     result      `json:"point"`               // the pprof build's own load point
	Reference *result     `json:"reference,omitempty"` // the real binary, same point, earlier in the run
	File      string      `json:"file"`
	TotalSec  float64     `json:"total_sec"`
	TopCum    []pprofLine `json:"top_cum"`
	Buckets   []bucket    `json:"buckets"`
	AllocTop  []pprofLine `json:"alloc_top"`
	AllocTot  float64     `json:"alloc_total_bytes"`
	Frames    []bucket    `json:"key_frames"`
	// Decoders are the callers of the go-sdk's internal JSON decoding,
	// by bytes allocated; DecodeBytes is its cumulative total.
	Decoders    []pprofLine `json:"decoders"`
	DecodeBytes float64     `json:"decode_bytes"`
	Error       string      `json:"error,omitempty"`
}

type pprofLine struct {
	Flat, FlatPct, Cum, CumPct float64
	Name                       string
}

type bucket struct {
	Name string  `json:"name"`
	Pct  float64 `json:"pct"` // of the profile's samples (flat)
	Us   float64 `json:"us_per_call"`
}

// profile runs the read load (get_customer_detail, 16 clients) on the
// pprof build in each era while it takes a CPU profile, and an allocation
// profile of the same window.
func (s *suite) profile(k *serverKind) {
	t, p, _, err := s.start(k)
	if err != nil {
		s.note("profile: %v", err)
		return
	}
	defer p.stop()
	secs := max(1, int(s.cfg.ProfileDur.Seconds())-1)
	for _, e := range []era{eraStateless, eraSession} {
		pr := profileResult{Era: e}
		tag := strings.ReplaceAll(string(e), "-", "")
		pr.File = filepath.Join(s.cfg.Work, "cpu-"+tag+".pprof")
		alloc0, alloc1 := filepath.Join(s.cfg.Work, "allocs-"+tag+"-0.pprof"), filepath.Join(s.cfg.Work, "allocs-"+tag+"-1.pprof")
		if err := httpGet("http://"+t.debugAddr+"/debug/pprof/allocs", alloc0); err != nil {
			pr.Error = err.Error()
		}
		done := make(chan error, 1)
		go func() {
			time.Sleep(s.cfg.Warmup + 250*time.Millisecond)
			done <- httpGet(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", t.debugAddr, secs), pr.File)
		}()
		pt := &point{target: t, era: e, tool: customerDetailTool(), conc: 16, warmup: s.cfg.Warmup, dur: s.cfg.ProfileDur, pid: p.pid, core: s.serverCore(), variant: "pprof build"}
		pr.Point = pt.run()
		if err := <-done; err != nil {
			pr.Error = err.Error()
		}
		if err := httpGet("http://"+t.debugAddr+"/debug/pprof/allocs", alloc1); err != nil && pr.Error == "" {
			pr.Error = err.Error()
		}
		for i := range s.Results.Points {
			q := &s.Results.Points[i]
			if q.Server == "contoso" && q.Era == e && q.Tool == "get_customer_detail" && q.Conc == 16 {
				pr.Reference = q
			}
		}
		if pr.Error == "" {
			s.analyse(&pr, alloc0, alloc1)
		}
		s.logf("profile %s: %.0f µs CPU/call (real binary: %.0f), %.0f allocs/call, %.1f KiB/call, %.0f GC/s",
			e, pr.Point.CPUus, refCPU(pr.Reference), pr.Point.AllocsPerCall, pr.Point.BytesPerCall/1024, pr.Point.GCPerSec)
		s.Results.Profiles = append(s.Results.Profiles, pr)
	}
}

func refCPU(r *result) float64 {
	if r == nil {
		return 0
	}
	return r.CPUus
}

func (s *suite) analyse(pr *profileResult, alloc0, alloc1 string) {
	out, err := exec.Command("go", "tool", "pprof", "-top", "-cum", "-nodecount=100000", "-nodefraction=0", pr.File).Output()
	if err != nil {
		pr.Error = "pprof -top -cum: " + err.Error()
		return
	}
	var all []pprofLine
	pr.TotalSec, all = parseTop(out)
	pr.TopCum = all[:min(len(all), 30)]
	sums := map[string]float64{}
	for _, l := range all {
		sums[classify(l.Name)] += l.FlatPct
	}
	for name, pct := range sums {
		pr.Buckets = append(pr.Buckets, bucket{Name: name, Pct: pct, Us: pct / 100 * pr.Point.CPUus})
	}
	slices.SortFunc(pr.Buckets, func(a, b bucket) int { return int((b.Pct - a.Pct) * 1000) })
	for _, k := range keyFrames {
		var pct float64
		for _, l := range all {
			if k.re.MatchString(l.Name) {
				if k.sum {
					pct += l.CumPct
				} else {
					pct = max(pct, l.CumPct)
				}
			}
		}
		pr.Frames = append(pr.Frames, bucket{Name: k.label, Pct: pct, Us: pct / 100 * pr.Point.CPUus})
	}
	// Allocations in the profile's window: every site (for the total), the
	// top sites, and who calls the go-sdk's internal JSON decoding.
	out, err = exec.Command("go", "tool", "pprof", "-sample_index=alloc_space", "-top", "-nodecount=100000", "-nodefraction=0", "-diff_base", alloc0, alloc1).Output()
	if err != nil {
		return
	}
	_, sites := parseTop(out)
	for _, l := range sites {
		if l.Flat > 0 {
			pr.AllocTot += l.Flat
		}
	}
	pr.AllocTop = sites[:min(len(sites), 12)]
	out, err = exec.Command("go", "tool", "pprof", "-sample_index=alloc_space", "-peek", `go-sdk/internal/json\.Unmarshal$`, "-nodefraction=0", "-edgefraction=0", "-diff_base", alloc0, alloc1).Output()
	if err == nil {
		pr.Decoders, pr.DecodeBytes = parsePeek(out)
	}
}

// keyFrames are the functions whose cumulative share says what a call pays
// for; they overlap (a share includes the allocations made inside).
var keyFrames = []struct {
	label string
	re    *regexp.Regexp
	sum   bool
}{
	{"allocation, incl. GC assists (runtime.mallocgc)", regexp.MustCompile(`^runtime\.mallocgc$`), false},
	{"background GC marking (runtime.gcBgMarkWorker)", regexp.MustCompile(`^runtime\.gcBgMarkWorker$`), false},
	{"goroutine stack growth (runtime.newstack: copystack)", regexp.MustCompile(`^runtime\.newstack$`), false},
	{"go-sdk internal JSON decoding (internal/json.Unmarshal)", regexp.MustCompile(`go-sdk/internal/json\.Unmarshal$`), false},
	{"go-sdk input defaults and validation (mcp.applySchema)", regexp.MustCompile(`go-sdk/mcp\.applySchema$`), false},
	{"JSON Schema validation, input and output (jsonschema Resolved.Validate)", regexp.MustCompile(`jsonschema\.\(\*Resolved\)\.Validate$`), false},
	{"encoding/json.Marshal (results, structured content through maps)", regexp.MustCompile(`^encoding/json\.Marshal$`), false},
	{"the tool handler: three SQLite queries and the join (tools.getCustomerDetail)", regexp.MustCompile(`internal/tools\.getCustomerDetail$`), false},
	{"token check (auth: verified-token cache)", regexp.MustCompile(`internal/auth\.\(\*[A-Za-z]+\)\.Verify$`), false},
	{"logging (log/slog, two JSON lines per call, incl. their writes)", regexp.MustCompile(`^log/slog\.\(\*Logger\)\.(log|logAttrs)$`), true},
	{"socket reads and writes (internal/poll FD.Read + FD.Write)", regexp.MustCompile(`^internal/poll\.\(\*FD\)\.(Read|Write)$`), true},
	{"go-sdk stateless request: a server session per POST (serveStateless)", regexp.MustCompile(`StreamableHTTPHandler\)\.serveStateless$`), false},
}

var peekCaller = regexp.MustCompile(`^\s+(-?[\d.]+)([a-zA-Z]*)\s+(-?[\d.]+)%\s+\|\s+(\S.*)$`)
var peekNode = regexp.MustCompile(`^\s*-?[\d.]+[a-zA-Z]*\s+-?[\d.]+%\s+-?[\d.]+%\s+(-?[\d.]+)([a-zA-Z]*)\s+-?[\d.]+%\s+\|\s+(\S.*)$`)

// parsePeek reads the callers of the peeked function and its cumulative bytes.
func parsePeek(out []byte) ([]pprofLine, float64) {
	var callers []pprofLine
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := peekNode.FindStringSubmatch(line); m != nil {
			v, _ := strconv.ParseFloat(m[1], 64)
			return callers, v * unitMult[m[2]]
		}
		if m := peekCaller.FindStringSubmatch(line); m != nil {
			v, _ := strconv.ParseFloat(m[1], 64)
			pct, _ := strconv.ParseFloat(m[3], 64)
			callers = append(callers, pprofLine{Flat: v * unitMult[m[2]], FlatPct: pct, Name: m[4]})
		}
	}
	return callers, 0
}

var (
	topLine  = regexp.MustCompile(`^\s*(-?[\d.]+)([a-zA-Zµ]*)\s+(-?[\d.]+)%\s+(-?[\d.]+)%\s+(-?[\d.]+)([a-zA-Zµ]*)\s+(-?[\d.]+)%\s+(.+)$`)
	totalRe  = regexp.MustCompile(`of (-?[\d.]+)([a-zA-Zµ]*) total`)
	unitMult = map[string]float64{"": 1, "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "min": 60, "h": 3600,
		"B": 1, "kB": 1 << 10, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}
)

// parseTop reads `go tool pprof -top` output: the total and the rows (seconds
// or bytes).
func parseTop(out []byte) (float64, []pprofLine) {
	var total float64
	var lines []pprofLine
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := totalRe.FindStringSubmatch(line); m != nil && total == 0 {
			v, _ := strconv.ParseFloat(m[1], 64)
			total = v * unitMult[m[2]]
			continue
		}
		m := topLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		f := func(i int) float64 { v, _ := strconv.ParseFloat(m[i], 64); return v }
		lines = append(lines, pprofLine{Flat: f(1) * unitMult[m[2]], FlatPct: f(3), Cum: f(5) * unitMult[m[6]], CumPct: f(7), Name: m[8]})
	}
	return total, lines
}

// classify puts a function (by its flat samples) into a component.
func classify(name string) string {
	has := func(prefixes ...string) bool {
		for _, p := range prefixes {
			if strings.HasPrefix(name, p) {
				return true
			}
		}
		return false
	}
	switch {
	case has("modernc.org/", "database/sql"):
		return "SQLite (modernc.org/sqlite, database/sql)"
	case has("github.com/google/jsonschema-go"):
		return "JSON Schema validation (jsonschema-go)"
	case has("encoding/json", "github.com/segmentio/", "encoding/base64", "unicode/utf8", "strconv"):
		return "JSON encoding and decoding"
	case has("github.com/modelcontextprotocol/go-sdk"):
		return "go-sdk (mcp, jsonrpc2) own code"
	case has("github.com/golang-jwt", "github.com/MicahParks", "crypto/", "github.com/contoso/contoso-mcp/internal/auth", "math/big", "hash/", "vendor/golang.org/x/crypto"):
		return "token check (JWT, RS256, cache)"
	case has("log/slog"):
		return "logging (log/slog)"
	case has("github.com/contoso/contoso-mcp/"):
		return "contoso-mcp own code (tools, guard, store glue, telemetry)"
	case has("syscall.", "internal/runtime/syscall", "runtime/internal/syscall", "internal/poll", "runtime.netpoll", "runtime.futex", "runtime.epoll", "runtime.usleep", "runtime.write", "runtime.read"):
		return "syscalls and polling (read, write, epoll, futex)"
	case has("net/http", "net.", "net/textproto", "bufio", "net/url", "mime", "io."):
		return "net/http and I/O buffering"
	case has("runtime.(*unwinder)", "runtime.pcvalue", "runtime.step", "runtime.(*stkframe)", "runtime.(*moduledata).textAddr",
		"runtime.readvarint", "runtime.funcspdelta", "runtime.copystack", "runtime.adjust", "runtime.findfunc", "runtime.funcMaxSPDelta",
		"runtime.newstack", "runtime.morestack", "runtime.scanframeworker", "runtime.scanstack", "runtime.funcInfo", "runtime.pcdatavalue",
		"runtime.getStackMap", "runtime.stackalloc", "runtime.stackfree", "runtime.stackcache", "runtime.adjustpointers", "runtime.gentraceback"):
		return "goroutine stacks: growth, copying, scanning (runtime)"
	case strings.HasPrefix(name, "runtime.") && isGC(name), strings.HasPrefix(name, "internal/runtime/gc"):
		return "GC and allocation (runtime)"
	case has("runtime.", "internal/", "sync", "context", "time."):
		return "runtime: scheduler, maps, sync, other"
	case has("reflect", "sort", "slices", "strings", "bytes", "fmt", "unicode", "regexp", "errors", "maps", "iter"):
		return "reflection, fmt, strings, containers"
	}
	return "other"
}

func isGC(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"malloc", "gc", "scan", "mark", "sweep", "span", "heap", "alloc", "memclr", "grey", "findobject",
		"wbbuf", "barrier", "typepointers", "nextfree", "mcache", "mcentral", "pagealloc", "scavenge", "newobject", "makeslice",
		"growslice", "makemap", "newarray", "assist", "arena", "mprof", "(*bucket)", "concatstring", "rawstring", "slicebytetostring",
		"stringtoslicebyte", "addb"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// microResult is one line of `go test -bench` output.
type microResult struct {
	Name     string             `json:"name"`
	N        int64              `json:"n"`
	NsOp     float64            `json:"ns_op"`
	BOp      float64            `json:"b_op"`
	AllocsOp float64            `json:"allocs_op"`
	Extra    map[string]float64 `json:"extra,omitempty"`
}

// benchLine is a result line; go test runs with -cpu 1, so names carry no
// -N suffix (the eras in them end in digits).
var benchLine = regexp.MustCompile(`^(Benchmark\S+)\s+(\d+)\s+(.*)$`)

// micro runs bench/micro's benchmarks pinned to the server core.
func (s *suite) micro() {
	if s.cfg.BenchDir == "" {
		return
	}
	s.logf("micro-benchmarks (go test -bench, -benchtime %s, pinned to core %s)", s.cfg.MicroTime, s.cfg.ServerCPU)
	cmd := exec.Command("taskset", "-c", s.cfg.ServerCPU, "go", "test", "-run", "^$", "-bench", ".", "-benchmem", "-cpu", "1",
		"-benchtime", s.cfg.MicroTime, "-timeout", "10m", "./micro/")
	cmd.Dir = s.cfg.BenchDir
	out, err := cmd.CombinedOutput()
	os.WriteFile(filepath.Join(s.cfg.Work, "micro.txt"), out, 0o644)
	if err != nil {
		s.note("micro-benchmarks failed: %v (see micro.txt): %.500s", err, out)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		r := microResult{Name: m[1], Extra: map[string]float64{}}
		r.N, _ = strconv.ParseInt(m[2], 10, 64)
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				r.NsOp = v
			case "B/op":
				r.BOp = v
			case "allocs/op":
				r.AllocsOp = v
			default:
				r.Extra[f[i+1]] = v
			}
		}
		s.Results.Micro = append(s.Results.Micro, r)
	}
}
