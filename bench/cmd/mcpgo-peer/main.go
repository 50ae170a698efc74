// Command mcpgo-peer serves the bench's mark3labs/mcp-go peer (package
// mcpgopeer) on a loopback address: mcpgo-peer -addr 127.0.0.1:PORT -db DATA/contoso.db
package main

import (
	"github.com/contoso/contoso-mcp/bench/internal/serve"
	"github.com/contoso/contoso-mcp/bench/mcpgopeer"
)

func main() { serve.Peer(mcpgopeer.Handler) }
