// Package wiretest plays clients that misbehave on the wire, for the tests
// of serve and the gateway.
package wiretest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// SlowAnswer is what a slow client saw.
type SlowAnswer struct {
	Status  int           // 0: no answer before the client gave up
	Body    string        // the answer's body
	After   time.Duration // from the end of the headers to the answer
	Sent    int           // body bytes sent before the answer
	Closed  bool          // the server closed the connection after answering
	Headers http.Header
}

// SlowPost sends a POST to addr (host:port) whose headers arrive at once
// and whose body of declared length bodyLen arrives one byte every gap,
// until the server answers or giveUp has passed. header lines are added
// as given ("Authorization: Bearer ...").
func SlowPost(t testing.TB, addr, path string, bodyLen int, gap, giveUp time.Duration, header ...string) SlowAnswer {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: %d\r\n", path, addr, bodyLen)
	for _, h := range header {
		head += h + "\r\n"
	}
	if _, err := io.WriteString(conn, head+"\r\n"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	answered := make(chan SlowAnswer, 1)
	go func() {
		var a SlowAnswer
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			answered <- a
			return
		}
		a.Status, a.After, a.Headers = resp.StatusCode, time.Since(start), resp.Header
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		a.Body = string(b)
		resp.Body.Close()
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = br.ReadByte()
		a.Closed = err == io.EOF || (err != nil && !isTimeout(err))
		answered <- a
	}()
	sent := 0
	tick := time.NewTicker(gap)
	defer tick.Stop()
	deadline := time.After(giveUp)
	for {
		select {
		case a := <-answered:
			a.Sent = sent
			return a
		case <-deadline:
			return SlowAnswer{Sent: sent}
		case <-tick.C:
			if sent < bodyLen {
				if _, err := conn.Write([]byte{' '}); err == nil {
					sent++
				}
			}
		}
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
