package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// EnvChild marks a process started by the harness to run one phase (see
// child.go); its arguments are the phase's.
const EnvChild = "NEWSARCHIVE_BENCH_CHILD"

// childCmd returns the command that runs this binary as a child for one
// phase. Its stderr goes to logFile.
func childCmd(ctx context.Context, logFile string, args ...string) (*exec.Cmd, *os.File, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), EnvChild+"=1")
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	f, err := os.Create(logFile)
	if err != nil {
		return nil, nil, err
	}
	cmd.Stderr = f
	return cmd, f, nil
}

// usage is what a finished child used: its peak resident set (the
// kernel's ru_maxrss) and CPU time.
type usage struct {
	MaxRSS  int64 // bytes
	CPU     time.Duration
	Elapsed time.Duration
}

func usageOf(ps *os.ProcessState, elapsed time.Duration) usage {
	u := usage{CPU: ps.UserTime() + ps.SystemTime(), Elapsed: elapsed}
	u.MaxRSS = maxRSS(ps)
	return u
}

// runChild runs a child to completion and returns its stdout.
func runChild(ctx context.Context, logFile string, args ...string) ([]byte, usage, error) {
	cmd, f, err := childCmd(ctx, logFile, args...)
	if err != nil {
		return nil, usage{}, err
	}
	defer f.Close()
	var out bytes.Buffer
	cmd.Stdout = &out
	start := time.Now()
	err = cmd.Run()
	if err != nil {
		return nil, usage{}, fmt.Errorf("%s: %w (log: %s)", strings.Join(args, " "), err, tail(logFile))
	}
	return out.Bytes(), usageOf(cmd.ProcessState, time.Since(start)), nil
}

// server is a serving child.
type server struct {
	cmd *exec.Cmd
	log *os.File
	URL string // http://host:port
	// Loaded is the payload of a "loaded ..." line the child printed
	// before listening (the brute-force baseline's load figures).
	Loaded string
	// Startup is the payload of a "startup ..." line (ours: where the
	// time to ready goes).
	Startup string
	Ready   time.Duration
	start   time.Time
	// warm is closed when the child prints "warm ..." (ours: the folded
	// text is loaded), with Warm the time from the start.
	warm chan struct{}
	Warm time.Duration
}

// waitWarm waits until the child is warm, at most d; false if it was not.
func (s *server) waitWarm(d time.Duration) bool {
	select {
	case <-s.warm:
		return true
	case <-time.After(d):
		return false
	}
}

// startServer starts a serving child and waits until its /readyz answers
// 200; Ready is the time from the start of the process to that answer.
func startServer(ctx context.Context, logFile string, args ...string) (*server, error) {
	cmd, f, err := childCmd(ctx, logFile, args...)
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		f.Close()
		return nil, err
	}
	s := &server{cmd: cmd, log: f, start: time.Now(), warm: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "loaded "); ok {
				s.Loaded = v
			}
			if v, ok := strings.CutPrefix(sc.Text(), "startup "); ok {
				s.Startup = v
			}
			if strings.HasPrefix(sc.Text(), "warm ") {
				s.Warm = time.Since(s.start)
				close(s.warm)
			}
			if u, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				select {
				case line <- u:
				default:
				}
			}
		}
		close(line)
	}()
	select {
	case u, ok := <-line:
		if !ok {
			s.stop()
			return nil, fmt.Errorf("%s exited before listening (log: %s)", strings.Join(args, " "), tail(logFile))
		}
		s.URL = u
	case <-time.After(10 * time.Minute):
		s.stop()
		return nil, fmt.Errorf("%s did not listen within 10 minutes", strings.Join(args, " "))
	}
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get(s.URL + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.Ready = time.Since(s.start)
				return s, nil
			}
		}
		if time.Since(s.start) > 10*time.Minute {
			s.stop()
			return nil, errors.New("server not ready within 10 minutes")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// peakRSS reads the child's VmHWM while it runs.
func (s *server) peakRSS() int64 { return s.procStatus("VmHWM") }

// rss reads the child's resident set now, split into anonymous memory
// (its heap and the folded text: what only it holds) and mapped files
// (pages of the index it read, which the kernel can take back).
func (s *server) rss() (anon, file int64) { return s.procStatus("RssAnon"), s.procStatus("RssFile") }

// procStatus reads a figure in kB of the child's /proc status, in bytes (0
// when there is none).
func (s *server) procStatus(key string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(s.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// stop ends the child with SIGTERM and returns what it used.
func (s *server) stop() usage {
	defer s.log.Close()
	if s.cmd.Process == nil {
		return usage{}
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		s.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
	if s.cmd.ProcessState == nil {
		return usage{}
	}
	return usageOf(s.cmd.ProcessState, time.Since(s.start))
}

// tail returns the end of a log file, for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}
