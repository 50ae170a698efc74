// Command gosdk-peer serves the bench's official go-sdk peer (package
// gosdkpeer) on a loopback address: gosdk-peer -addr 127.0.0.1:PORT -db DATA/contoso.db
package main

import (
	"github.com/contoso/contoso-mcp/bench/gosdkpeer"
	"github.com/contoso/contoso-mcp/bench/internal/serve"
)

func main() { serve.Peer(gosdkpeer.Handler) }
