package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clkTck is the kernel's clock tick (USER_HZ) for /proc/PID/stat; 100 on
// every Linux this runs on, checked against getconf at start.
var clkTck = 100.0

func initClkTck() {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err == nil {
		if v, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64); err == nil && v > 0 {
			clkTck = v
		}
	}
}

// cpuSeconds is utime+stime of a process (all its threads) from
// /proc/PID/stat; pid 0 is this process.
func cpuSeconds(pid int) (float64, error) {
	path := "/proc/self/stat"
	if pid != 0 {
		path = fmt.Sprintf("/proc/%d/stat", pid)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("%s: no ')'", path)
	}
	f := strings.Fields(string(b[i+1:]))
	// After the command: state is field 3; utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("%s: too few fields", path)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return float64(u+s) / clkTck, nil
}

// rssKiB is VmRSS of a process.
func rssKiB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, errors.New("no VmRSS")
}

// proc is a server this run started (pinned with taskset); only these are
// ever stopped, by their pid.
type proc struct {
	name string
	cmd  *exec.Cmd
	pid  int
	done chan struct{}
}

var (
	procsMu sync.Mutex
	procs   = map[*proc]bool{}
)

// startProc starts argv pinned to cpu, its output appended to logPath.
func startProc(name, cpu, logPath string, env []string, argv ...string) (*proc, error) {
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(lf, "=== %s: %s\n", time.Now().Format(time.RFC3339Nano), strings.Join(argv, " "))
	cmd := exec.Command("taskset", append([]string{"-c", cpu}, argv...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, err
	}
	p := &proc{name: name, cmd: cmd, pid: cmd.Process.Pid, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		lf.Close()
		close(p.done)
	}()
	procsMu.Lock()
	procs[p] = true
	procsMu.Unlock()
	return p, nil
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, and SIGKILL after 5 s.
func (p *proc) stop() {
	if p == nil {
		return
	}
	procsMu.Lock()
	delete(procs, p)
	procsMu.Unlock()
	if p.exited() {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

func stopAll() {
	procsMu.Lock()
	var ps []*proc
	for p := range procs {
		ps = append(ps, p)
	}
	procsMu.Unlock()
	for _, p := range ps {
		p.stop()
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitReady polls a stateless tools/list until it is answered (or the
// process exits, or timeout); it returns when the answer arrived.
func waitReady(t *target, p *proc, timeout time.Duration) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	body := t.listBody()
	head := t.head(eraStateless, "tools/list", "", "")
	var r response
	var last string
	for time.Now().Before(deadline) {
		if p != nil && p.exited() {
			return time.Time{}, fmt.Errorf("%s exited before it answered tools/list", t.name)
		}
		c, err := dial(t.addr)
		if err != nil {
			last = err.Error()
			time.Sleep(time.Millisecond)
			continue
		}
		err = c.do(head, body, time.Now().Add(5*time.Second), &r)
		c.Close()
		if err == nil && check(&r) == "" {
			return time.Now(), nil
		}
		if err != nil {
			last = err.Error()
		} else {
			last = check(&r)
		}
		time.Sleep(time.Millisecond)
	}
	return time.Time{}, fmt.Errorf("%s: no tools/list answer within %s: %s", t.name, timeout, last)
}

// memStats reads /debug/memstats from a bench build (gc=true collects first).
type memStats struct {
	HeapAlloc, HeapInuse, HeapSys, Sys, TotalAlloc, Mallocs, NumGC, PauseTotalNs uint64
}

func readMemStats(debugAddr string, gc bool) (memStats, error) {
	var m memStats
	url := "http://" + debugAddr + "/debug/memstats"
	if gc {
		url += "?gc=1"
	}
	resp, err := http.Get(url)
	if err != nil {
		return m, err
	}
	defer resp.Body.Close()
	return m, json.NewDecoder(resp.Body).Decode(&m)
}

// coreTimes is one core's line of /proc/stat, in seconds.
type coreTimes struct{ busy, steal float64 }

// readCore reads core n's busy time (user, nice, system: what processes
// ran) and steal time; ok is false when it cannot.
func readCore(n int) (coreTimes, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return coreTimes{}, false
	}
	prefix := fmt.Sprintf("cpu%d ", n)
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 9 {
			return coreTimes{}, false
		}
		v := func(i int) float64 { x, _ := strconv.ParseFloat(f[i], 64); return x / clkTck }
		return coreTimes{busy: v(1) + v(2) + v(3), steal: v(8)}, true
	}
	return coreTimes{}, false
}
