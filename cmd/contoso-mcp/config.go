package main

import (
	"flag"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// config is every setting of serve and seed, read in one place from the
// environment and then the flags (a flag wins), validated before anything
// starts. Errors name the variable or flag.
type config struct {
	Addr           string
	DataDir        string
	Stdio          bool
	Tenants        []string
	SeedOnStartup  bool
	ForceSeed      bool
	SeedCustomers  int
	AsOf           time.Time
	LogLevel       string
	LogFormat      string
	SessionTimeout time.Duration
	MaxBodyBytes   int64
	ShutdownGrace  time.Duration
	Fixtures       bool
	UseCosmos      bool
}

// envVars documents every variable; the README's table is generated from
// the same facts by hand and a test keeps the two in step.
var envVars = []struct{ Name, Default, Meaning string }{
	{"ADDR", "127.0.0.1:8000", "Address to listen on (host:port). Until token checks exist, only loopback addresses are accepted."},
	{"PORT", "", "Port to listen on at 127.0.0.1 when ADDR is not set."},
	{"DATA_DIR", "./data", "Directory holding one SQLite file per tenant (<tenant>.db)."},
	{"TENANTS", "contoso", "Comma-separated tenant names; each gets its own database. The first is served."},
	{"SEED_ON_STARTUP", "true", "Seed a tenant's database on start when it is empty."},
	{"FORCE_SEED", "false", "Rebuild every tenant's data set on start (destroys changes)."},
	{"SEED_CUSTOMER_COUNT", "250", "Ordinary customers to generate (the nine scenario customers come on top)."},
	{"AS_OF", "today (UTC)", "Date (YYYY-MM-DD) the generated data is relative to."},
	{"LOG_LEVEL", "info", "debug, info, warn or error."},
	{"LOG_FORMAT", "json", "json or text (logs go to stderr)."},
	{"SESSION_IDLE_TIMEOUT", "30m", "Close 2025-11-25 sessions idle this long."},
	{"MAX_BODY_BYTES", "1048576", "Largest request body accepted (413 above)."},
	{"SHUTDOWN_TIMEOUT", "15s", "How long SIGTERM waits for requests in flight."},
	{"CONFORMANCE_FIXTURES", "false", "Add the MCP conformance suite's test fixtures (tests only; never in production)."},
	{"USE_COSMOSDB", "false", "Use Azure Cosmos DB instead of SQLite (not available in this build yet)."},
}

func defaultsFor(getenv func(string) string) map[string]string {
	m := make(map[string]string, len(envVars))
	for _, v := range envVars {
		m[v.Name] = v.Default
		if s := getenv(v.Name); s != "" {
			m[v.Name] = s
		}
	}
	return m
}

// parseConfig reads the environment, then the flags of the serve or seed
// command.
func parseConfig(cmd string, args []string, getenv func(string) string, now time.Time) (*config, *flag.FlagSet, error) {
	env := defaultsFor(getenv)
	if getenv("ADDR") == "" && getenv("PORT") != "" {
		env["ADDR"] = "127.0.0.1:" + getenv("PORT")
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	addr := fs.String("addr", env["ADDR"], "address to listen on (ADDR, PORT)")
	dataDir := fs.String("data-dir", env["DATA_DIR"], "data directory (DATA_DIR)")
	stdio := fs.Bool("stdio", false, "serve MCP over stdin/stdout instead of HTTP")
	asOf := fs.String("as-of", env["AS_OF"], "date the generated data is relative to, YYYY-MM-DD (AS_OF)")
	fixtures := fs.Bool("conformance-fixtures", false, "add the conformance suite's test fixtures (CONFORMANCE_FIXTURES)")
	tenant := fs.String("tenant", "", "seed only this tenant (seed command)")
	force := fs.Bool("force", false, "rebuild the data set even when present (seed command; FORCE_SEED)")
	customers := fs.String("customers", env["SEED_CUSTOMER_COUNT"], "ordinary customers to generate (SEED_CUSTOMER_COUNT)")
	if err := fs.Parse(args); err != nil {
		return nil, fs, err
	}
	if fs.NArg() > 0 {
		return nil, fs, fmt.Errorf("%s: unexpected argument %q", cmd, fs.Arg(0))
	}
	c := &config{Addr: *addr, DataDir: *dataDir, Stdio: *stdio, LogLevel: env["LOG_LEVEL"], LogFormat: env["LOG_FORMAT"]}
	var err error
	bools := []struct {
		name string
		dst  *bool
	}{{"SEED_ON_STARTUP", &c.SeedOnStartup}, {"FORCE_SEED", &c.ForceSeed}, {"CONFORMANCE_FIXTURES", &c.Fixtures}, {"USE_COSMOSDB", &c.UseCosmos}}
	for _, b := range bools {
		if *b.dst, err = strconv.ParseBool(env[b.name]); err != nil {
			return nil, fs, fmt.Errorf("%s: %q is not true or false", b.name, env[b.name])
		}
	}
	c.ForceSeed = c.ForceSeed || *force
	c.Fixtures = c.Fixtures || *fixtures
	if c.SeedCustomers, err = strconv.Atoi(*customers); err != nil || c.SeedCustomers < 0 || c.SeedCustomers > 100000 {
		return nil, fs, fmt.Errorf("SEED_CUSTOMER_COUNT: %q is not a whole number from 0 to 100000", *customers)
	}
	if *asOf == "today (UTC)" || *asOf == "" {
		c.AsOf = now.UTC().Truncate(24 * time.Hour)
	} else if c.AsOf, err = time.Parse("2006-01-02", *asOf); err != nil {
		return nil, fs, fmt.Errorf("AS_OF (--as-of): %q is not a date in YYYY-MM-DD form", *asOf)
	}
	for _, t := range strings.Split(env["TENANTS"], ",") {
		if t = strings.TrimSpace(t); t != "" {
			c.Tenants = append(c.Tenants, t)
		}
	}
	if *tenant != "" {
		c.Tenants = []string{*tenant}
	}
	if len(c.Tenants) == 0 {
		return nil, fs, fmt.Errorf("TENANTS: no tenant named")
	}
	durations := []struct {
		name string
		dst  *time.Duration
	}{{"SESSION_IDLE_TIMEOUT", &c.SessionTimeout}, {"SHUTDOWN_TIMEOUT", &c.ShutdownGrace}}
	for _, d := range durations {
		if *d.dst, err = time.ParseDuration(env[d.name]); err != nil || *d.dst <= 0 {
			return nil, fs, fmt.Errorf("%s: %q is not a positive duration such as 30s or 5m", d.name, env[d.name])
		}
	}
	if c.MaxBodyBytes, err = strconv.ParseInt(env["MAX_BODY_BYTES"], 10, 64); err != nil || c.MaxBodyBytes < 1024 {
		return nil, fs, fmt.Errorf("MAX_BODY_BYTES: %q is not a number of bytes of at least 1024", env["MAX_BODY_BYTES"])
	}
	if c.UseCosmos {
		return nil, fs, fmt.Errorf("USE_COSMOSDB=true: the Cosmos DB backend is not part of this build yet; unset it to use the embedded SQLite store")
	}
	if !c.Stdio && cmd == "serve" {
		if err := requireLoopback(c.Addr); err != nil {
			return nil, fs, err
		}
	}
	return c, fs, nil
}

// requireLoopback refuses any listen address that is not on the loopback
// interface: until bearer-token checks exist, the service must not be
// reachable from another machine.
func requireLoopback(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("ADDR (--addr): %q is not host:port: %v", addr, err)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("ADDR (--addr): port %q is not a number from 0 to 65535", port)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("ADDR (--addr): refusing to listen on %q: this build has no token checks yet, so it serves loopback addresses only (127.0.0.1, ::1, localhost)", addr)
}
