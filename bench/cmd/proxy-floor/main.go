// Command proxy-floor serves the bench's proxy floor (package proxyfloor):
// a bare net/http reverse proxy on a loopback address in front of one
// backend on loopback.
//
//	proxy-floor -listen 127.0.0.1:PORT -backend http://127.0.0.1:PORT/mcp
package main

import "github.com/contoso/contoso-mcp/bench/proxyfloor"

func main() { proxyfloor.Main() }
