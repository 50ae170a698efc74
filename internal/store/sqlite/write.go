package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/contoso/contoso-mcp/internal/contoso"
)

// inTx runs fn in one write transaction (BEGIN IMMEDIATE on the single
// writer connection) and commits it when fn returns nil. fn returns errors
// that are already *contoso.Error values.
func (s *Store) inTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return contoso.Internal(err, what)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return contoso.Internal(err, what)
	}
	return nil
}

// txOne is one() for a statement of the writer used inside tx.
func txOne[T any](ctx context.Context, tx *sql.Tx, st *sql.Stmt, scan func(scanner, *T) error, noun string, id int64) (T, error) {
	return one(ctx, tx.StmtContext(ctx, st), scan, noun, id)
}

func txExists(ctx context.Context, tx *sql.Tx, st *sql.Stmt, noun string, id int64) error {
	ok, err := exists(ctx, tx.StmtContext(ctx, st), id, "checking "+noun)
	if err != nil {
		return err
	}
	if !ok {
		return notFound(noun, id)
	}
	return nil
}

// nullString stores "" as NULL.
func nullString(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// PayInvoice records a payment in one transaction: the invoice must exist
// (KindNotFound), the amount must not exceed what is outstanding
// (KindInvalid), and an invoice with nothing outstanding is KindConflict.
// An idempotency key is bound to the principal, invoice, amount and method
// of the payment that first used it. An exact repeat replays that payment:
// nothing is recorded, Replayed is set, and the result is the first call's
// (OutstandingBefore and OutstandingAfter as they were around that
// payment). The key with any other principal, invoice, amount or method is
// KindConflict, whatever the state of the invoice.
func (s *Store) PayInvoice(ctx context.Context, req contoso.PaymentRequest) (contoso.PaymentResult, error) {
	if err := req.Validate(); err != nil {
		return contoso.PaymentResult{}, err
	}
	var res contoso.PaymentResult
	err := s.inTx(ctx, "recording a payment", func(tx *sql.Tx) error {
		var prior *contoso.Payment
		if req.IdempotencyKey != "" {
			var p contoso.Payment
			err := scanPayment(tx.StmtContext(ctx, s.ws.paymentByKey).QueryRowContext(ctx, req.IdempotencyKey), &p)
			switch {
			case err == nil:
				if !contoso.SamePayment(p, req) {
					return contoso.ErrIdempotencyKeyReused()
				}
				prior = &p
			case !errors.Is(err, sql.ErrNoRows):
				return contoso.Internal(err, "checking the idempotency key")
			}
		}
		inv, err := txOne(ctx, tx, s.ws.getInvoice, scanInvoice, "invoice", req.InvoiceID)
		if err != nil {
			return err
		}
		payments, err := list(ctx, tx.StmtContext(ctx, s.ws.invoicePayments), scanPayment, "reading payments", req.InvoiceID)
		if err != nil {
			return err
		}
		if prior != nil {
			res = contoso.ReplayedPayment(inv, payments, *prior)
			return nil
		}
		outstanding := contoso.Outstanding(inv, payments)

		owed, amount := contoso.Cents(outstanding), contoso.Cents(req.Amount)
		if owed == 0 {
			return contoso.Errorf(contoso.KindConflict, "invoice already paid: nothing is outstanding on invoice %d", req.InvoiceID)
		}
		if amount > owed {
			return contoso.Errorf(contoso.KindInvalid, "amount %.2f exceeds the %.2f outstanding on invoice %d",
				contoso.Dollars(amount), contoso.Dollars(owed), req.InvoiceID)
		}
		status := "partial"
		if amount == owed {
			status = "successful"
		}
		// The principal is kept only with a key: it is what the key is bound to.
		principal := req.Principal
		if req.IdempotencyKey == "" {
			principal = ""
		}
		r, err := tx.StmtContext(ctx, s.ws.insertPayment).ExecContext(ctx,
			req.InvoiceID, req.Date, amount, req.Method, status, nullString(req.IdempotencyKey), nullString(principal))
		if err != nil {
			return contoso.Internal(err, "recording a payment")
		}
		id, err := r.LastInsertId()
		if err != nil {
			return contoso.Internal(err, "recording a payment")
		}
		res = contoso.PaymentResult{
			Payment: contoso.Payment{
				PaymentID: id, InvoiceID: req.InvoiceID, PaymentDate: req.Date, Amount: contoso.Dollars(amount),
				Method: req.Method, Status: status, IdempotencyKey: req.IdempotencyKey, IdempotencyPrincipal: principal,
			},
			OutstandingBefore: contoso.Dollars(owed),
			OutstandingAfter:  contoso.Dollars(owed - amount),
		}
		return nil
	})
	if err != nil {
		return contoso.PaymentResult{}, err
	}
	return res, nil
}

// CreateSupportTicket opens a ticket for a subscription of the customer.
func (s *Store) CreateSupportTicket(ctx context.Context, t contoso.NewTicket) (contoso.SupportTicket, error) {
	if err := t.Validate(); err != nil {
		return contoso.SupportTicket{}, err
	}
	openedAt := t.OpenedAt
	if openedAt.IsZero() {
		openedAt = time.Now()
	}
	agent := strings.TrimSpace(t.CSAgent)
	if agent == "" {
		agent = "unassigned"
	}
	var out contoso.SupportTicket
	err := s.inTx(ctx, "opening a support ticket", func(tx *sql.Tx) error {
		if err := txExists(ctx, tx, s.ws.customerExists, "customer", t.CustomerID); err != nil {
			return err
		}
		sub, err := txOne(ctx, tx, s.ws.getSubscription, scanSubscription, "subscription", t.SubscriptionID)
		if err != nil {
			return err
		}
		if sub.CustomerID != t.CustomerID {
			return contoso.Errorf(contoso.KindInvalid, "subscription %d does not belong to customer %d", t.SubscriptionID, t.CustomerID)
		}
		r, err := tx.StmtContext(ctx, s.ws.insertTicket).ExecContext(ctx,
			t.CustomerID, t.SubscriptionID, t.Category, openedAt.UTC().Format(contoso.TimestampLayout),
			t.Priority, strings.TrimSpace(t.Subject), strings.TrimSpace(t.Description), agent)
		if err != nil {
			return contoso.Internal(err, "opening a support ticket")
		}
		id, err := r.LastInsertId()
		if err != nil {
			return contoso.Internal(err, "opening a support ticket")
		}
		out, err = txOne(ctx, tx, s.ws.getTicket, scanTicket, "support ticket", id)
		return err
	})
	if err != nil {
		return contoso.SupportTicket{}, err
	}
	return out, nil
}

// UpdateSubscription changes the fields set in u and returns the
// subscription as stored.
func (s *Store) UpdateSubscription(ctx context.Context, subscriptionID int64, u contoso.SubscriptionUpdate) (contoso.Subscription, error) {
	if err := u.Validate(); err != nil {
		return contoso.Subscription{}, err
	}
	var out contoso.Subscription
	err := s.inTx(ctx, "updating a subscription", func(tx *sql.Tx) error {
		cur, err := txOne(ctx, tx, s.ws.getSubscription, scanSubscription, "subscription", subscriptionID)
		if err != nil {
			return err
		}
		if u.ProductID != nil {
			if err := txExists(ctx, tx, s.ws.productExists, "product", *u.ProductID); err != nil {
				return err
			}
		}
		next := u.Apply(cur)
		if err := next.CheckDates(); err != nil {
			return err
		}
		var dataCap any
		if next.DataCapGB != nil {
			dataCap = *next.DataCapGB
		}
		if _, err := tx.StmtContext(ctx, s.ws.updateSubscription).ExecContext(ctx,
			next.ProductID, next.StartDate, nullString(next.EndDate), next.Status, next.RoamingEnabled,
			next.ServiceStatus, next.SpeedTier, dataCap, next.AutopayEnabled, subscriptionID); err != nil {
			return contoso.Internal(err, "updating a subscription")
		}
		out, err = txOne(ctx, tx, s.ws.getSubscription, scanSubscription, "subscription", subscriptionID)
		return err
	})
	if err != nil {
		return contoso.Subscription{}, err
	}
	return out, nil
}

// UnlockAccount records an account_unlocked event for a locked account.
func (s *Store) UnlockAccount(ctx context.Context, customerID int64, at time.Time) (contoso.SecurityLog, error) {
	if at.IsZero() {
		at = time.Now()
	}
	var out contoso.SecurityLog
	err := s.inTx(ctx, "unlocking an account", func(tx *sql.Tx) error {
		if err := txExists(ctx, tx, s.ws.customerExists, "customer", customerID); err != nil {
			return err
		}
		logs, err := list(ctx, tx.StmtContext(ctx, s.ws.securityLogs), scanSecurityLog, "reading security logs", customerID)
		if err != nil {
			return err
		}
		if !contoso.IsLocked(logs) {
			return contoso.Errorf(contoso.KindConflict, "account is not locked: customer %d has no lock newer than its last unlock", customerID)
		}
		out = contoso.SecurityLog{
			CustomerID:     customerID,
			EventType:      "account_unlocked",
			EventTimestamp: at.UTC().Format(contoso.TimestampLayout),
			Description:    "Account unlocked by support after identity verification",
		}
		if contoso.IsLocked(append(logs, out)) {
			return contoso.Errorf(contoso.KindInvalid, "the unlock time %s is not after the account was locked", out.EventTimestamp)
		}
		r, err := tx.StmtContext(ctx, s.ws.insertSecurityLog).ExecContext(ctx,
			out.CustomerID, out.EventType, out.EventTimestamp, out.Description)
		if err != nil {
			return contoso.Internal(err, "unlocking an account")
		}
		out.LogID, err = r.LastInsertId()
		if err != nil {
			return contoso.Internal(err, "unlocking an account")
		}
		return nil
	})
	if err != nil {
		return contoso.SecurityLog{}, err
	}
	return out, nil
}
