// Package peerdata is the SQLite read the bench's reference servers share
// (the floor and the go-sdk and mark3labs/mcp-go peers): the same queries
// the product runs for get_customer_detail and search_knowledge_base, on the
// same database file, with the same driver (modernc.org/sqlite), prepared
// once, and the same result shapes (field names and contents of the
// product's structured content and text summary). It deliberately does not
// import the product: a peer is what someone would write without it.
package peerdata

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unicode"

	_ "modernc.org/sqlite" // the "sqlite" driver, as the product uses
)

// ErrNotFound is returned for a customer that does not exist.
var ErrNotFound = errors.New("not found")

// Customer is a row of customers.
type Customer struct {
	CustomerID   int64  `json:"customer_id"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Email        string `json:"email"`
	Phone        string `json:"phone"`
	Address      string `json:"address"`
	LoyaltyLevel string `json:"loyalty_level"`
}

// Subscription is a row of subscriptions with its product's name and category.
type Subscription struct {
	SubscriptionID  int64    `json:"subscription_id"`
	CustomerID      int64    `json:"customer_id"`
	ProductID       int64    `json:"product_id"`
	StartDate       string   `json:"start_date"`
	EndDate         string   `json:"end_date,omitempty"`
	Status          string   `json:"status"`
	RoamingEnabled  bool     `json:"roaming_enabled"`
	ServiceStatus   string   `json:"service_status"`
	SpeedTier       string   `json:"speed_tier,omitempty"`
	DataCapGB       *float64 `json:"data_cap_gb"`
	AutopayEnabled  bool     `json:"autopay_enabled"`
	ProductName     string   `json:"product_name"`
	ProductCategory string   `json:"product_category"`
}

// CustomerDetail is get_customer_detail's structured content.
type CustomerDetail struct {
	Customer      Customer       `json:"customer"`
	Subscriptions []Subscription `json:"subscriptions"`
}

// Hit is one search result.
type Hit struct {
	DocumentID int64   `json:"document_id"`
	Title      string  `json:"title"`
	DocType    string  `json:"doc_type"`
	Snippet    string  `json:"snippet"`
	Score      float64 `json:"score"`
	Content    string  `json:"content"`
}

// SearchResults is search_knowledge_base's structured content.
type SearchResults struct {
	Query   string `json:"query"`
	Results []Hit  `json:"results"`
}

// DB holds the prepared statements on a read pool sized as the product's.
type DB struct {
	db                                       *sql.DB
	getCustomer, customerSubs, products, fts *sql.Stmt
}

// Open opens path read-only (query_only) with the product's pragmas.
func Open(ctx context.Context, path string) (*DB, error) {
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	d := &DB{db: db}
	for _, p := range []struct {
		st **sql.Stmt
		q  string
	}{
		{&d.getCustomer, `SELECT customer_id, first_name, last_name, email, phone, address, loyalty_level FROM customers WHERE customer_id = ?`},
		{&d.customerSubs, `SELECT subscription_id, customer_id, product_id, start_date, end_date, status, roaming_enabled, service_status, speed_tier, data_cap_gb, autopay_enabled FROM subscriptions WHERE customer_id = ? ORDER BY subscription_id`},
		{&d.products, `SELECT product_id, name, description, category, monthly_fee FROM products ORDER BY product_id`},
		{&d.fts, `SELECT d.document_id, d.title, d.doc_type,
				snippet(knowledge_fts, -1, '[', ']', '...', 24),
				bm25(knowledge_fts, 10.0, 1.0) AS score,
				d.content
			FROM knowledge_fts JOIN knowledge_documents d ON d.document_id = knowledge_fts.rowid
			WHERE knowledge_fts MATCH ?
			ORDER BY score, d.document_id
			LIMIT ?`},
	} {
		if *p.st, err = db.PrepareContext(ctx, p.q); err != nil {
			db.Close()
			return nil, fmt.Errorf("peerdata: preparing %q: %w", p.q, err)
		}
	}
	return d, nil
}

// Close closes the pool.
func (d *DB) Close() error { return d.db.Close() }

type product struct{ name, category string }

// CustomerDetail runs the product's three queries for get_customer_detail
// (the customer, their subscriptions, every product) and joins them.
func (d *DB) CustomerDetail(ctx context.Context, id int64) (CustomerDetail, error) {
	var out CustomerDetail
	c := &out.Customer
	err := d.getCustomer.QueryRowContext(ctx, id).Scan(&c.CustomerID, &c.FirstName, &c.LastName, &c.Email, &c.Phone, &c.Address, &c.LoyaltyLevel)
	if errors.Is(err, sql.ErrNoRows) {
		return out, ErrNotFound
	}
	if err != nil {
		return out, err
	}
	rows, err := d.customerSubs.QueryContext(ctx, id)
	if err != nil {
		return out, err
	}
	out.Subscriptions = []Subscription{}
	for rows.Next() {
		var s Subscription
		var end, tier sql.NullString
		var capGB sql.NullFloat64
		if err := rows.Scan(&s.SubscriptionID, &s.CustomerID, &s.ProductID, &s.StartDate, &end, &s.Status,
			&s.RoamingEnabled, &s.ServiceStatus, &tier, &capGB, &s.AutopayEnabled); err != nil {
			rows.Close()
			return out, err
		}
		s.EndDate, s.SpeedTier = end.String, tier.String
		if capGB.Valid {
			v := capGB.Float64
			s.DataCapGB = &v
		}
		out.Subscriptions = append(out.Subscriptions, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	rows, err = d.products.QueryContext(ctx)
	if err != nil {
		return out, err
	}
	products := map[int64]product{}
	for rows.Next() {
		var id, fee int64
		var name, desc, cat string
		if err := rows.Scan(&id, &name, &desc, &cat, &fee); err != nil {
			rows.Close()
			return out, err
		}
		products[id] = product{name, cat}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	for i := range out.Subscriptions {
		p := products[out.Subscriptions[i].ProductID]
		out.Subscriptions[i].ProductName, out.Subscriptions[i].ProductCategory = p.name, p.category
	}
	return out, nil
}

// Search runs the product's full-text query (the words of q, quoted and
// joined with OR).
func (d *DB) Search(ctx context.Context, q string, k int) (SearchResults, error) {
	out := SearchResults{Query: q, Results: []Hit{}}
	var terms []string
	for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		terms = append(terms, `"`+w+`"`)
	}
	if len(terms) == 0 {
		return out, errors.New("the search query has no searchable word")
	}
	rows, err := d.fts.QueryContext(ctx, strings.Join(terms, " OR "), k)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var h Hit
		if err := rows.Scan(&h.DocumentID, &h.Title, &h.DocType, &h.Snippet, &h.Score, &h.Content); err != nil {
			return out, err
		}
		h.Score = -h.Score
		out.Results = append(out.Results, h)
	}
	return out, rows.Err()
}

// Summary is the product's text content for a customer detail.
func (o CustomerDetail) Summary() string {
	c := o.Customer
	var subs []string
	for _, s := range o.Subscriptions {
		subs = append(subs, fmt.Sprintf("subscription %d (%s, %s, service %s)", s.SubscriptionID, s.ProductName, s.Status, s.ServiceStatus))
	}
	tail := strings.Join(subs, "; ")
	if len(subs) == 0 {
		tail = "No subscriptions."
	}
	return fmt.Sprintf("Customer %d: %s %s, %s loyalty. %s", c.CustomerID, c.FirstName, c.LastName, c.LoyaltyLevel, tail)
}

// Summary is the product's text content for search results.
func (o SearchResults) Summary() string {
	if len(o.Results) == 0 {
		return "No knowledge document matches."
	}
	var b strings.Builder
	for i, r := range o.Results {
		fmt.Fprintf(&b, "%d. %s (%s): %s\n", i+1, r.Title, r.DocType, r.Snippet)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
