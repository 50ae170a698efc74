// Command floor serves the bench's floor (package floor) on a loopback
// address: floor -addr 127.0.0.1:PORT -db DATA/contoso.db
package main

import (
	"github.com/contoso/contoso-mcp/bench/floor"
	"github.com/contoso/contoso-mcp/bench/internal/serve"
)

func main() { serve.Peer(floor.Handler) }
