-- 0001: the twelve tables of the Contoso domain, their indexes and the
-- full-text index over the knowledge base.
--
-- Conventions: integer primary keys; amounts in INTEGER cents; dates as
-- TEXT 'YYYY-MM-DD'; instants as TEXT RFC 3339 in UTC; booleans as INTEGER
-- 0/1; an empty optional value (end_date, closed_at, idempotency_key) is NULL.

CREATE TABLE customers (
    customer_id   INTEGER PRIMARY KEY,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    phone         TEXT NOT NULL,
    address       TEXT NOT NULL,
    loyalty_level TEXT NOT NULL CHECK (loyalty_level IN ('Bronze', 'Silver', 'Gold', 'Platinum'))
) STRICT;

CREATE TABLE products (
    product_id  INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    category    TEXT NOT NULL CHECK (category IN ('mobile', 'internet', 'bundle', 'addon')),
    monthly_fee INTEGER NOT NULL CHECK (monthly_fee >= 0) -- cents
) STRICT;

CREATE TABLE subscriptions (
    subscription_id INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers (customer_id),
    product_id      INTEGER NOT NULL REFERENCES products (product_id),
    start_date      TEXT NOT NULL CHECK (start_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    end_date        TEXT CHECK (end_date IS NULL OR end_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    status          TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
    roaming_enabled INTEGER NOT NULL CHECK (roaming_enabled IN (0, 1)),
    service_status  TEXT NOT NULL CHECK (service_status IN ('normal', 'slow', 'offline')),
    speed_tier      TEXT NOT NULL DEFAULT '',
    data_cap_gb     REAL CHECK (data_cap_gb IS NULL OR data_cap_gb > 0), -- NULL = unlimited
    autopay_enabled INTEGER NOT NULL CHECK (autopay_enabled IN (0, 1))
) STRICT;
CREATE INDEX subscriptions_customer ON subscriptions (customer_id, subscription_id);
CREATE INDEX subscriptions_product ON subscriptions (product_id);

CREATE TABLE invoices (
    invoice_id      INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (subscription_id),
    invoice_date    TEXT NOT NULL CHECK (invoice_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    amount          INTEGER NOT NULL CHECK (amount >= 0), -- cents
    description     TEXT NOT NULL,
    due_date        TEXT NOT NULL CHECK (due_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
) STRICT;
CREATE INDEX invoices_subscription ON invoices (subscription_id, invoice_date, invoice_id);

CREATE TABLE payments (
    payment_id      INTEGER PRIMARY KEY,
    invoice_id      INTEGER NOT NULL REFERENCES invoices (invoice_id),
    payment_date    TEXT NOT NULL CHECK (payment_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    amount          INTEGER NOT NULL CHECK (amount >= 0), -- cents
    method          TEXT NOT NULL CHECK (method IN ('credit_card', 'ach', 'paypal', 'apple_pay')),
    status          TEXT NOT NULL CHECK (status IN ('successful', 'partial', 'pending', 'failed')),
    idempotency_key TEXT
) STRICT;
CREATE INDEX payments_invoice ON payments (invoice_id, payment_id);
CREATE UNIQUE INDEX payments_idempotency_key ON payments (idempotency_key);

CREATE TABLE promotions (
    promotion_id     INTEGER PRIMARY KEY,
    product_id       INTEGER NOT NULL REFERENCES products (product_id),
    name             TEXT NOT NULL,
    description      TEXT NOT NULL,
    eligibility      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(eligibility)), -- contoso.Eligibility as JSON
    start_date       TEXT NOT NULL CHECK (start_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    end_date         TEXT NOT NULL CHECK (end_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    discount_percent REAL NOT NULL CHECK (discount_percent >= 0 AND discount_percent <= 100)
) STRICT;
CREATE INDEX promotions_product ON promotions (product_id);

CREATE TABLE security_logs (
    log_id          INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers (customer_id),
    event_type      TEXT NOT NULL CHECK (event_type IN ('login_attempt', 'account_locked', 'account_unlocked', 'password_reset')),
    event_timestamp TEXT NOT NULL,
    description     TEXT NOT NULL
) STRICT;
CREATE INDEX security_logs_customer ON security_logs (customer_id, event_timestamp, log_id);

CREATE TABLE orders (
    order_id     INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers (customer_id),
    product_id   INTEGER NOT NULL REFERENCES products (product_id),
    order_date   TEXT NOT NULL CHECK (order_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    amount       INTEGER NOT NULL CHECK (amount >= 0), -- cents
    order_status TEXT NOT NULL CHECK (order_status IN ('delivered', 'completed', 'pending', 'returned'))
) STRICT;
CREATE INDEX orders_customer ON orders (customer_id, order_date, order_id);
CREATE INDEX orders_product ON orders (product_id);

CREATE TABLE support_tickets (
    ticket_id       INTEGER PRIMARY KEY,
    customer_id     INTEGER NOT NULL REFERENCES customers (customer_id),
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (subscription_id),
    category        TEXT NOT NULL CHECK (category IN ('billing', 'technical', 'account', 'call_drop', 'sms_issue')),
    opened_at       TEXT NOT NULL,
    closed_at       TEXT,
    status          TEXT NOT NULL CHECK (status IN ('open', 'pending', 'closed')),
    priority        TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    subject         TEXT NOT NULL,
    description     TEXT NOT NULL,
    cs_agent        TEXT NOT NULL
) STRICT;
CREATE INDEX support_tickets_customer ON support_tickets (customer_id, opened_at, ticket_id);
CREATE INDEX support_tickets_subscription ON support_tickets (subscription_id);

CREATE TABLE data_usage (
    usage_id        INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (subscription_id),
    usage_date      TEXT NOT NULL CHECK (usage_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    data_used_mb    REAL NOT NULL CHECK (data_used_mb >= 0),
    voice_minutes   INTEGER NOT NULL CHECK (voice_minutes >= 0),
    sms_count       INTEGER NOT NULL CHECK (sms_count >= 0)
) STRICT;
CREATE INDEX data_usage_subscription_date ON data_usage (subscription_id, usage_date, usage_id);

CREATE TABLE service_incidents (
    incident_id       INTEGER PRIMARY KEY,
    subscription_id   INTEGER NOT NULL REFERENCES subscriptions (subscription_id),
    incident_date     TEXT NOT NULL CHECK (incident_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    description       TEXT NOT NULL,
    resolution_status TEXT NOT NULL CHECK (resolution_status IN ('investigating', 'resolved'))
) STRICT;
CREATE INDEX service_incidents_subscription ON service_incidents (subscription_id, incident_date, incident_id);

CREATE TABLE knowledge_documents (
    document_id INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    doc_type    TEXT NOT NULL CHECK (doc_type IN ('Policy', 'Procedure', 'FAQ', 'Troubleshooting')),
    content     TEXT NOT NULL
) STRICT;

-- Full-text index over the knowledge base (external content: the text lives
-- in knowledge_documents only). The porter stemmer lets "dropping" find
-- "dropped"; the triggers keep the index in step with every change.
CREATE VIRTUAL TABLE knowledge_fts USING fts5 (
    title,
    content,
    content = 'knowledge_documents',
    content_rowid = 'document_id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER knowledge_documents_ai AFTER INSERT ON knowledge_documents BEGIN
    INSERT INTO knowledge_fts (rowid, title, content) VALUES (new.document_id, new.title, new.content);
END;

CREATE TRIGGER knowledge_documents_ad AFTER DELETE ON knowledge_documents BEGIN
    INSERT INTO knowledge_fts (knowledge_fts, rowid, title, content) VALUES ('delete', old.document_id, old.title, old.content);
END;

CREATE TRIGGER knowledge_documents_au AFTER UPDATE ON knowledge_documents BEGIN
    INSERT INTO knowledge_fts (knowledge_fts, rowid, title, content) VALUES ('delete', old.document_id, old.title, old.content);
    INSERT INTO knowledge_fts (rowid, title, content) VALUES (new.document_id, new.title, new.content);
END;
