package storetest

import "github.com/contoso/contoso-mcp/internal/contoso"

// Fixture returns the small, hand-written data set the contract suite loads
// into every store, freshly allocated on each call so a test may change it.
//
// What it holds, and what the assertions rely on:
//   - customers 1-4; customer 4 has nothing at all (empty lists).
//   - products 1-5: mobile 1 and 5, internet 2, bundle 3, addon 4.
//   - subscriptions 1 and 2 (customer 1), 3 and 5 (customer 2), 4 (customer 3);
//     subscription 5 has no invoices, payments, usage or incidents.
//   - invoices: 1 paid (60.00), 2 owes 100.00 of 150.00 (a partial 50.00
//     payment counts; a failed 100.00 and a pending 25.00 do not), 3 owes
//     15.00 (no payments), 4 paid with a keyed payment, 5 owes 100.00, 6 owes
//     95.50 (a failed payment only). Invoices 2 and 3 share a date.
//   - security logs: customer 3 is locked, customer 2 was locked then
//     unlocked, customer 1 has two login attempts with the same timestamp.
//   - knowledge documents 1-5: "roaming" is in the title of 3 and only in the
//     content of 5; "zebra" is in none.
func Fixture() *contoso.Dataset {
	capped := func(gb float64) *float64 { return &gb }
	return &contoso.Dataset{
		Customers: []contoso.Customer{
			{CustomerID: 1, FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Phone: "+1-555-0101", Address: "1 Analytical Way, Seattle, WA", LoyaltyLevel: "Gold"},
			{CustomerID: 2, FirstName: "Grace", LastName: "Hopper", Email: "grace@example.com", Phone: "+1-555-0102", Address: "2 Compiler Street, Arlington, VA", LoyaltyLevel: "Silver"},
			{CustomerID: 3, FirstName: "Alan", LastName: "Turing", Email: "alan@example.com", Phone: "+1-555-0103", Address: "3 Enigma Road, Portland, OR", LoyaltyLevel: "Bronze"},
			{CustomerID: 4, FirstName: "Katherine", LastName: "Johnson", Email: "katherine@example.com", Phone: "+1-555-0104", Address: "4 Orbit Lane, Hampton, VA", LoyaltyLevel: "Platinum"},
		},
		Products: []contoso.Product{
			{ProductID: 1, Name: "Mobile Basic", Description: "5 GB of data, unlimited calls and texts", Category: "mobile", MonthlyFee: 30},
			{ProductID: 2, Name: "Fiber 300", Description: "300 Mbps home internet", Category: "internet", MonthlyFee: 60},
			{ProductID: 3, Name: "Home Bundle", Description: "1 Gbps internet with a mobile line", Category: "bundle", MonthlyFee: 95.5},
			{ProductID: 4, Name: "International Roaming", Description: "Use your plan abroad", Category: "addon", MonthlyFee: 15},
			{ProductID: 5, Name: "Mobile Unlimited", Description: "Unlimited data, calls and texts", Category: "mobile", MonthlyFee: 45.99},
		},
		Subscriptions: []contoso.Subscription{
			{SubscriptionID: 1, CustomerID: 1, ProductID: 2, StartDate: "2024-01-15", Status: "active", RoamingEnabled: false, ServiceStatus: "slow", SpeedTier: "300Mbps", DataCapGB: capped(10), AutopayEnabled: true},
			{SubscriptionID: 2, CustomerID: 1, ProductID: 1, StartDate: "2024-03-01", Status: "active", RoamingEnabled: true, ServiceStatus: "normal", AutopayEnabled: false},
			{SubscriptionID: 3, CustomerID: 2, ProductID: 5, StartDate: "2023-06-01", EndDate: "2025-01-31", Status: "inactive", ServiceStatus: "offline", DataCapGB: capped(20.5)},
			{SubscriptionID: 4, CustomerID: 3, ProductID: 3, StartDate: "2024-09-10", Status: "active", ServiceStatus: "normal", SpeedTier: "1Gbps", AutopayEnabled: true},
			{SubscriptionID: 5, CustomerID: 2, ProductID: 4, StartDate: "2025-05-01", Status: "active", ServiceStatus: "normal"},
		},
		Invoices: []contoso.Invoice{
			{InvoiceID: 1, SubscriptionID: 1, InvoiceDate: "2025-04-01", Amount: 60, Description: "Standard monthly charge", DueDate: "2025-04-15"},
			{InvoiceID: 2, SubscriptionID: 1, InvoiceDate: "2025-05-01", Amount: 150, Description: "Unexpected overage charges", DueDate: "2025-05-15"},
			{InvoiceID: 3, SubscriptionID: 1, InvoiceDate: "2025-05-01", Amount: 15, Description: "Roaming add-on", DueDate: "2025-05-15"},
			{InvoiceID: 4, SubscriptionID: 2, InvoiceDate: "2025-05-01", Amount: 30, Description: "Mobile monthly charge", DueDate: "2025-05-15"},
			{InvoiceID: 5, SubscriptionID: 3, InvoiceDate: "2025-01-01", Amount: 100, Description: "Final bill", DueDate: "2025-01-15"},
			{InvoiceID: 6, SubscriptionID: 4, InvoiceDate: "2025-05-10", Amount: 95.5, Description: "Bundle monthly charge", DueDate: "2025-05-24"},
		},
		Payments: []contoso.Payment{
			{PaymentID: 1, InvoiceID: 1, PaymentDate: "2025-04-10", Amount: 60, Method: "credit_card", Status: "successful"},
			{PaymentID: 2, InvoiceID: 2, PaymentDate: "2025-05-05", Amount: 50, Method: "ach", Status: "partial"},
			{PaymentID: 3, InvoiceID: 2, PaymentDate: "2025-05-06", Amount: 100, Method: "paypal", Status: "failed"},
			{PaymentID: 4, InvoiceID: 2, PaymentDate: "2025-05-07", Amount: 25, Method: "apple_pay", Status: "pending"},
			{PaymentID: 5, InvoiceID: 4, PaymentDate: "2025-05-03", Amount: 30, Method: "credit_card", Status: "successful", IdempotencyKey: "fixture-key-5"},
			{PaymentID: 6, InvoiceID: 6, PaymentDate: "2025-05-12", Amount: 95.5, Method: "ach", Status: "failed"},
		},
		Promotions: []contoso.Promotion{
			{PromotionID: 1, ProductID: 1, Name: "Mobile Loyalty Discount", Description: "10% off for loyal mobile customers",
				Eligibility: contoso.Eligibility{LoyaltyLevels: []string{"Gold", "Platinum"}, ProductCategory: "mobile"},
				StartDate:   "2025-01-01", EndDate: "2025-12-31", DiscountPercent: 10},
			{PromotionID: 2, ProductID: 2, Name: "New Fiber Welcome", Description: "20% off the first months of fiber",
				Eligibility: contoso.Eligibility{ProductCategory: "internet", NewSubscriberDays: 90},
				StartDate:   "2025-03-01", EndDate: "2025-09-30", DiscountPercent: 20},
			{PromotionID: 3, ProductID: 4, Name: "Travel Weekend", Description: "5% off the add-on for everyone",
				StartDate: "2025-06-01", EndDate: "2025-06-30", DiscountPercent: 5},
		},
		SecurityLogs: []contoso.SecurityLog{
			{LogID: 1, CustomerID: 3, EventType: "login_attempt", EventTimestamp: "2025-05-20T10:00:00Z", Description: "Failed login: wrong password"},
			{LogID: 2, CustomerID: 3, EventType: "login_attempt", EventTimestamp: "2025-05-20T10:01:00Z", Description: "Failed login: wrong password"},
			{LogID: 3, CustomerID: 3, EventType: "account_locked", EventTimestamp: "2025-05-20T10:02:00Z", Description: "Locked after repeated failed logins"},
			{LogID: 4, CustomerID: 2, EventType: "account_locked", EventTimestamp: "2025-05-01T08:00:00Z", Description: "Locked after repeated failed logins"},
			{LogID: 5, CustomerID: 2, EventType: "account_unlocked", EventTimestamp: "2025-05-01T09:00:00Z", Description: "Unlocked after identity check"},
			{LogID: 6, CustomerID: 2, EventType: "password_reset", EventTimestamp: "2025-05-01T09:05:00Z", Description: "Password reset"},
			{LogID: 7, CustomerID: 1, EventType: "login_attempt", EventTimestamp: "2025-05-20T10:02:00Z", Description: "Successful login"},
			{LogID: 8, CustomerID: 1, EventType: "login_attempt", EventTimestamp: "2025-05-20T10:02:00Z", Description: "Successful login"},
			{LogID: 9, CustomerID: 3, EventType: "login_attempt", EventTimestamp: "2025-05-19T23:00:00Z", Description: "Successful login"},
		},
		Orders: []contoso.Order{
			{OrderID: 1, CustomerID: 1, ProductID: 1, OrderDate: "2025-03-01", Amount: 199.99, OrderStatus: "delivered"},
			{OrderID: 2, CustomerID: 1, ProductID: 4, OrderDate: "2025-05-10", Amount: 15, OrderStatus: "pending"},
			{OrderID: 3, CustomerID: 2, ProductID: 5, OrderDate: "2025-04-20", Amount: 75, OrderStatus: "returned"},
			{OrderID: 4, CustomerID: 1, ProductID: 2, OrderDate: "2025-04-01", Amount: 49, OrderStatus: "completed"},
		},
		SupportTickets: []contoso.SupportTicket{
			{TicketID: 1, CustomerID: 1, SubscriptionID: 1, Category: "technical", OpenedAt: "2025-05-02T09:00:00Z", ClosedAt: "2025-05-03T12:00:00Z",
				Status: "closed", Priority: "normal", Subject: "Slow internet", Description: "Speeds are far below the plan in the evenings.", CSAgent: "agent.kim"},
			{TicketID: 2, CustomerID: 1, SubscriptionID: 2, Category: "call_drop", OpenedAt: "2025-05-15T14:30:00Z",
				Status: "open", Priority: "high", Subject: "Calls drop downtown", Description: "Three calls dropped near 5th and Pine.", CSAgent: "unassigned"},
			{TicketID: 3, CustomerID: 1, SubscriptionID: 1, Category: "billing", OpenedAt: "2025-05-10T08:00:00Z",
				Status: "pending", Priority: "low", Subject: "Question about my bill", Description: "Why is the May bill higher?", CSAgent: "agent.lee"},
			{TicketID: 4, CustomerID: 2, SubscriptionID: 3, Category: "account", OpenedAt: "2025-02-01T10:00:00Z", ClosedAt: "2025-02-02T10:00:00Z",
				Status: "closed", Priority: "urgent", Subject: "Cancel my line", Description: "Please end the subscription.", CSAgent: "agent.kim"},
		},
		DataUsage: []contoso.DataUsage{
			{UsageID: 1, SubscriptionID: 1, UsageDate: "2025-05-03", DataUsedMB: 812.5, VoiceMinutes: 0, SMSCount: 0},
			{UsageID: 2, SubscriptionID: 1, UsageDate: "2025-05-01", DataUsedMB: 845.25, VoiceMinutes: 0, SMSCount: 0},
			{UsageID: 3, SubscriptionID: 1, UsageDate: "2025-05-02", DataUsedMB: 900, VoiceMinutes: 0, SMSCount: 0},
			{UsageID: 4, SubscriptionID: 1, UsageDate: "2025-05-05", DataUsedMB: 799.75, VoiceMinutes: 0, SMSCount: 0},
			{UsageID: 5, SubscriptionID: 1, UsageDate: "2025-05-04", DataUsedMB: 860, VoiceMinutes: 0, SMSCount: 0},
			{UsageID: 6, SubscriptionID: 2, UsageDate: "2025-05-03", DataUsedMB: 120.5, VoiceMinutes: 42, SMSCount: 17},
		},
		ServiceIncidents: []contoso.ServiceIncident{
			{IncidentID: 1, SubscriptionID: 1, IncidentDate: "2025-05-18", Description: "Slow speeds in the area for 3 days", ResolutionStatus: "investigating"},
			{IncidentID: 2, SubscriptionID: 1, IncidentDate: "2025-04-02", Description: "Fiber cut repaired", ResolutionStatus: "resolved"},
			{IncidentID: 3, SubscriptionID: 4, IncidentDate: "2025-05-01", Description: "Planned maintenance", ResolutionStatus: "resolved"},
		},
		KnowledgeDocuments: []contoso.KnowledgeDocument{
			{DocumentID: 1, Title: "Data Overage Policy", DocType: "Policy",
				Content: "Data used above the monthly cap is billed per GB. A customer may upgrade to a larger plan retroactively within 15 days of the bill; loyalty discounts do not apply to overage charges."},
			{DocumentID: 2, Title: "Troubleshooting Slow Internet", DocType: "Troubleshooting",
				Content: "Check the cables, run a speed test, reboot the router and change the Wi-Fi channel. Look for open service incidents in the area and escalate when speeds stay under a quarter of the tier."},
			{DocumentID: 3, Title: "International Roaming Options", DocType: "Policy",
				Content: "Roaming packages cover calls, texts and data abroad. Check that the device is unlocked and change the plan at least 3 days before travel."},
			{DocumentID: 4, Title: "Account Unlock Procedure", DocType: "Procedure",
				Content: "Verify the caller's identity with two-factor authentication or security questions, unlock the account, send a temporary code and force a password reset. Refer suspicious cases to the fraud team."},
			{DocumentID: 5, Title: "Billing FAQ", DocType: "FAQ",
				Content: "Bills are issued monthly and are due within 14 days. Charges for add-ons such as roaming appear on the next bill. Autopay customers are charged on the due date."},
		},
	}
}
