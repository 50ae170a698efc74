package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// conn is a minimal HTTP/1.1 keep-alive client on one TCP connection. The
// generator shares one core with the whole run, so it must cost far less per
// call than the cheapest server it measures: requests are pre-rendered
// bytes, and a response is read into a reused buffer (Content-Length or
// chunked bodies, which covers Go's net/http and Node's http servers).
type conn struct {
	addr string
	c    net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
	num  []byte
}

func dial(addr string) (*conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	return &conn{addr: addr, c: c, br: bufio.NewReaderSize(c, 64<<10), bw: bufio.NewWriterSize(c, 16<<10)}, nil
}

func (c *conn) Close() error { return c.c.Close() }

// response is one HTTP response; body is reused between calls.
type response struct {
	status    int
	sessionID string
	body      []byte
	close     bool
}

var (
	hdrContentLength = []byte("content-length:")
	hdrTransferEnc   = []byte("transfer-encoding:")
	hdrSessionID     = []byte("mcp-session-id:")
	hdrConnection    = []byte("connection:")
)

// do sends head (request line and headers, each ending in CRLF, without
// Content-Length and the blank line) and body, and reads the response.
func (c *conn) do(head, body []byte, deadline time.Time, r *response) error {
	c.c.SetDeadline(deadline)
	c.bw.Write(head)
	c.bw.WriteString("Content-Length: ")
	c.num = strconv.AppendInt(c.num[:0], int64(len(body)), 10)
	c.bw.Write(c.num)
	c.bw.WriteString("\r\n\r\n")
	c.bw.Write(body)
	if err := c.bw.Flush(); err != nil {
		return err
	}
	return c.read(r)
}

func (c *conn) read(r *response) error {
	r.status, r.sessionID, r.body, r.close = 0, "", r.body[:0], false
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return fmt.Errorf("bad status line %q", line)
	}
	r.status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return fmt.Errorf("bad status line %q", line)
	}
	length, chunked := int64(-1), false
	for {
		line, err = c.br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		switch {
		case hasPrefixFold(line, hdrContentLength):
			length, err = strconv.ParseInt(string(trim(line[len(hdrContentLength):])), 10, 64)
			if err != nil {
				return fmt.Errorf("bad Content-Length %q", line)
			}
		case hasPrefixFold(line, hdrTransferEnc):
			chunked = bytes.Contains(bytes.ToLower(line), []byte("chunked"))
		case hasPrefixFold(line, hdrSessionID):
			r.sessionID = string(trim(line[len(hdrSessionID):]))
		case hasPrefixFold(line, hdrConnection):
			r.close = bytes.Contains(bytes.ToLower(line), []byte("close"))
		}
	}
	switch {
	case chunked:
		for {
			line, err = c.br.ReadSlice('\n')
			if err != nil {
				return err
			}
			sz := trim(line)
			if i := bytes.IndexByte(sz, ';'); i >= 0 {
				sz = sz[:i]
			}
			n, err := strconv.ParseInt(string(sz), 16, 64)
			if err != nil {
				return fmt.Errorf("bad chunk size %q", line)
			}
			if n == 0 {
				for { // trailers
					line, err = c.br.ReadSlice('\n')
					if err != nil {
						return err
					}
					if len(line) <= 2 {
						return nil
					}
				}
			}
			if err := c.readN(r, n+2); err != nil {
				return err
			}
			r.body = r.body[:len(r.body)-2]
		}
	case length >= 0:
		return c.readN(r, length)
	case r.close:
		b, err := io.ReadAll(c.br)
		r.body = append(r.body, b...)
		return err
	}
	return nil
}

func (c *conn) readN(r *response, n int64) error {
	start := len(r.body)
	if need := start + int(n); need > cap(r.body) {
		nb := make([]byte, start, max(need, 2*cap(r.body)))
		copy(nb, r.body)
		r.body = nb
	}
	r.body = r.body[:start+int(n)]
	_, err := io.ReadFull(c.br, r.body[start:])
	return err
}

func hasPrefixFold(s, prefix []byte) bool {
	return len(s) >= len(prefix) && bytes.EqualFold(s[:len(prefix)], prefix)
}

func trim(b []byte) []byte { return bytes.TrimSpace(b) }
