// Package sqlite is the SQLite backend of contoso.Store: one database file
// per tenant, opened with the pure-Go modernc.org/sqlite driver (no cgo).
//
// A Store holds two pools on the same file: a read pool of several
// connections (query_only, so nothing can write through it) and a writer of
// exactly one connection whose transactions start with BEGIN IMMEDIATE.
// Writes are therefore serialised in the process before they reach SQLite,
// and a write transaction holds the database's write lock from its first
// statement, so it never fails with SQLITE_BUSY half-way through and two
// concurrent payments cannot both see the same outstanding amount. The file
// is in WAL mode, so readers never wait for the writer.
//
// The schema is applied by embedded, numbered migrations (migrations/NNNN_name.sql),
// each in its own transaction and recorded in schema_migrations.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/contoso/contoso-mcp/internal/contoso"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Store is one tenant's SQLite database. It is safe for concurrent use.
type Store struct {
	path string
	r    *sql.DB // read pool, query_only
	w    *sql.DB // the single writer connection

	rs readStmts
	ws writeStmts

	// catalogue caches every product (see ListProducts).
	catalogue atomic.Pointer[catalogue]

	applied []int // migration versions applied by Open, for tests
}

var _ contoso.Store = (*Store)(nil)

// catalogue is the product list as read at a time.
type catalogue struct {
	products []contoso.Product
	read     time.Time
}

// catalogueTTL bounds how long ListProducts serves the cached catalogue.
// Products change only when a data set is loaded: Load in this process
// drops the cache at once; a load by another process on the same file is
// seen within this.
const catalogueTTL = 2 * time.Second

// busyTimeout is how long a connection waits for a lock held by another
// process (or, for readers, by a checkpoint) before giving up.
const busyTimeout = 10 * time.Second

var tenantPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// TenantPath returns the database file of a tenant: dataDir/<tenant>.db. The
// tenant must match ^[a-z0-9][a-z0-9-]{0,62}$, so that it can never name a
// file outside dataDir.
func TenantPath(dataDir, tenant string) (string, error) {
	if dataDir == "" {
		return "", errors.New("sqlite: the data directory is not set")
	}
	if !tenantPattern.MatchString(tenant) {
		return "", fmt.Errorf("sqlite: invalid tenant name %q: use 1 to 63 lower-case letters, digits and hyphens, starting with a letter or digit", tenant)
	}
	return filepath.Join(dataDir, tenant+".db"), nil
}

// Open opens (creating it and its directory if needed) the database at path,
// applies the migrations it lacks and prepares every statement. A database
// whose schema is newer than this binary knows is refused.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: unsupported database path %q: give a plain file path", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: creating the database directory: %w", err)
	}
	ms, err := loadMigrations()
	if err != nil {
		return nil, err
	}

	pragmas := "_pragma=busy_timeout(" + strconv.FormatInt(busyTimeout.Milliseconds(), 10) + ")" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	w, err := sql.Open("sqlite", path+"?"+pragmas+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &Store{path: path, w: w}

	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	if s.applied, err = migrate(ctx, w, ms); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: migrating %s: %w", path, err)
	}

	r, err := sql.Open("sqlite", path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxLifetime(0)
	r.SetConnMaxIdleTime(0)
	s.r = r

	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: preparing statements on %s: %w", path, err)
	}
	return s, nil
}

// Close closes the statements and both pools.
func (s *Store) Close() error {
	var errs []error
	for _, st := range s.rs.all() {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	for _, st := range s.ws.all() {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

var migrationName = regexp.MustCompile(`^([0-9]{4})_([a-z0-9_]+)\.sql$`)

// loadMigrations reads the embedded migrations in version order; versions
// must be 1, 2, 3... without gaps.
func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: reading embedded migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("sqlite: embedded migration %q is not named NNNN_name.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("sqlite: reading migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: m[2], sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("sqlite: embedded migrations must be numbered 1, 2, 3...; found %04d at position %d", m.version, i+1)
		}
	}
	return ms, nil
}

// migrate applies the migrations the database lacks, each in its own
// (immediate) transaction, and returns the versions it applied.
func migrate(ctx context.Context, db *sql.DB, ms []migration) ([]int, error) {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	) STRICT`); err != nil {
		return nil, fmt.Errorf("creating schema_migrations: %w", err)
	}
	var current int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return nil, fmt.Errorf("reading the schema version: %w", err)
	}
	known := len(ms)
	if current > known {
		return nil, fmt.Errorf("the database schema is at version %d but this binary knows only versions up to %d: it was written by a newer release; upgrade the binary (or point it at another data directory)", current, known)
	}
	var applied []int
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		done, err := applyMigration(ctx, db, m)
		if err != nil {
			return applied, fmt.Errorf("migration %04d_%s: %w", m.version, m.name, err)
		}
		if done {
			applied = append(applied, m.version)
		}
	}
	return applied, nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	// Another process may have applied it since we looked.
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, time.Now().UTC().Format(contoso.TimestampLayout)); err != nil {
		return false, err
	}
	return true, tx.Commit()
}
