package seed

import "github.com/contoso/contoso-mcp/internal/contoso"

// knowledgeDocuments returns the seventeen knowledge-base documents of
// docs/DOMAIN.md, ids 1 to 17 in the order of its list.
func knowledgeDocuments() []contoso.KnowledgeDocument {
	docs := make([]contoso.KnowledgeDocument, len(knowledge))
	for i, k := range knowledge {
		docs[i] = contoso.KnowledgeDocument{DocumentID: int64(i + 1), Title: k.title, DocType: k.docType, Content: k.content}
	}
	return docs
}

var knowledge = [...]struct{ title, docType, content string }{
	{
		"Invoice Adjustment Policy", "Policy",
		`When a customer believes an invoice contains a wrong or unexpected charge, the agent records a formal billing inquiry instead of promising a correction on the spot. The inquiry is a support ticket in the billing category that names the invoice number, the amount in question, the reason the customer gives, and any evidence such as usage records or earlier correspondence.

The billing team reviews each inquiry against the plan terms, the usage data and the payment history, normally within five business days. If the review finds in the customer's favour, the correction is posted as a credit on the account and appears on the invoice of the next one to two billing cycles; it is never paid out in cash unless the account is closed. The customer is told the expected cycle when the credit is approved.

While an inquiry is open, the customer should still pay the part of the invoice that is not in question; no late fee is charged on the disputed amount during the review. Agents may grant a goodwill credit of up to $25 without approval; larger credits need a supervisor. Charges for data used above the plan cap are handled under the Data Overage Policy, which offers a retroactive upgrade. If the customer does not accept the outcome, follow the Billing Dispute Escalation procedure.`,
	},
	{
		"Troubleshooting Slow Internet", "Troubleshooting",
		`Use these steps, in order, when a customer says the home internet connection is slower than it should be.

1. Check the cables. Make sure the power cable, the fibre or coaxial line and any Ethernet cables are firmly connected at both ends and are not bent, pinched or damaged.
2. Run a speed test. Ask the customer to test from a computer connected to the router with a cable, with other devices paused, and write down the download and upload results.
3. Reboot the equipment. Unplug the router (and the modem or optical terminal, if separate) for 30 seconds, plug it back in, wait until the lights are steady, then test again.
4. Look at the Wi-Fi. If wired speed is fine but wireless is slow, move the router to an open, central spot, prefer the 5 GHz band and change the Wi-Fi channel to one that neighbouring networks do not crowd.
5. Check for incidents. Look at the subscription's service status and its open service incidents; a known problem in the area explains the slowdown and the customer should be told that it is being worked on.

Escalate to network operations when, after all the steps above, the measured wired speed is still below 25% of the subscribed speed tier (for example under 75Mbps on a 300Mbps plan). Attach the speed test results and the steps already taken to the ticket.`,
	},
	{
		"International Roaming Options", "FAQ",
		`Which roaming packages are there? Customers on a mobile or bundle plan can add International Roaming, a monthly add-on that lets them call, text and use data in more than 150 countries at the rates of their home plan. Travellers who only go abroad now and then can also buy a day pass that runs for 24 hours from the first use, or a travel data pack for longer trips with heavy data use. Roaming is billed only while it is enabled on the line.

What should be checked on the device? Before the trip, confirm that the phone is not locked to another carrier, that it supports the frequency bands used in the destination country, and that data roaming is switched on in the phone's settings once the add-on is active. Customers should update the phone's software and know how to turn roaming off again.

When should the plan be changed? Ask customers to add roaming or change their plan at least 3 days before they travel. That leaves time to fix a device or account problem before they leave. Requests made closer to departure are still possible, but the activation cut-off times then matter; see Roaming Activation Cut-off Times. Without roaming, the phone works abroad only on Wi-Fi.`,
	},
	{
		"Account Unlock Procedure", "Procedure",
		`An online account is locked automatically after repeated failed sign-in attempts. Only staff holding the security role may unlock it, and only after the steps below.

1. Verify identity. Send a two-factor code to the phone number or email address on file and ask the customer to read it back. If the customer cannot receive the code, run the full identity check instead: full name, service address, date of birth and the last four digits of the payment method on the account. Do not unlock on partial answers.
2. Review the security log. Look at where and when the failed attempts came from. If they are from unfamiliar places or devices, come in large bursts, or the customer says they did not make them, do not unlock: refer the case to the fraud team and tell the customer that the account stays protected while it is reviewed.
3. Unlock the account and issue a temporary access code. The code is valid for one sign-in within 24 hours.
4. Force a password reset. The customer must choose a new password at the next sign-in; the old one no longer works.
5. Record what was done in the ticket, including how identity was verified. Suggest that the customer turns on two-factor sign-in to prevent future lockouts.`,
	},
	{
		"Promotion Eligibility Guidelines", "Policy",
		`Every promotion states the dates it runs and the conditions a customer must meet. A customer qualifies only when today falls within those dates and every stated condition holds: the loyalty level, holding an active subscription in the named product category, and, for offers aimed at newcomers, a subscription that started within the stated number of days. An offer that has not started yet cannot be applied early, and an expired offer cannot be revived.

Loyalty level shapes what is offered. Gold and Platinum members receive the better offers: larger discounts, longer terms and early access to new promotions. Silver and Bronze members have their own offers, such as discounts on add-ons, and move up a level with tenure and on-time payment.

New-subscriber offers are meant to win new customers. A former customer counts as new only after at least a 6-month lapse with no Contoso subscription; closing and reopening a line to requalify is not allowed.

When customers ask what they can get, check eligibility against their actual account rather than reading the whole list to them, explain any condition they miss, and mention offers that will start soon without promising them. Only one promotion applies to a subscription at a time; if several apply, choose the one worth most to the customer.`,
	},
	{
		"Return Policy", "Policy",
		`Customers may return devices and equipment bought from Contoso within 30 days of the order date. To be accepted, a return needs proof of purchase, meaning the order number or the receipt, and the item should come back with its accessories and, where possible, its original packaging. Items damaged by the customer, or with missing parts, may be refused or have their refund reduced.

Returns can be made at a store or by post with the prepaid label that support sends by email. Once the return reaches the warehouse and has been checked, the refund goes back to the original payment method within 7 to 10 business days. The customer is emailed when the refund is issued; the bank may take a little longer to show it.

If the customer cancels a service that came with the order during the same 30 days, the monthly charge is prorated to the day the service ended. Returns after 30 days are not accepted, but a faulty item may still be covered by the manufacturer's warranty, and support can help arrange a repair. When checking whether a return is inside the window, count from the order date shown on the customer's order.`,
	},
	{
		"Billing Dispute Escalation", "Procedure",
		`This procedure applies when a customer does not accept the result of an invoice adjustment inquiry.

First, confirm that a formal inquiry was made and closed, and note its outcome and the reason the customer disagrees. Then request a second review. A senior billing specialist who took no part in the first decision examines the invoice, the usage and payment records, and anything new the customer provides. The second review is completed within ten business days, and the customer is told the outcome in writing with the reasoning behind it.

If the customer still disagrees after the second review, explain the right to independent arbitration. Contoso will share the complete case file with the arbitration service; its decision binds Contoso, and the customer keeps any other rights under consumer law. Give the customer the contact details and the time limit for applying.

Throughout the dispute, no collection action is taken on the amount under dispute and no late fee is added to it, but the customer must keep paying the undisputed charges and new invoices. Keep every step recorded on the billing ticket, and never tell a customer that a dispute has been settled before the written outcome exists.`,
	},
	{
		"Late Payment Fee Policy", "Policy",
		`A late payment fee is added when an invoice is not paid in full by its due date. The fee is 1.5% of the overdue balance for each month, or part of a month, that the balance stays unpaid, and it appears as a separate line on the next invoice. Payments that fail, or are returned by the bank, leave the balance overdue just like a missed payment.

The fee is charged on the unpaid balance only: a customer who paid part of the invoice is charged on what remains. Disputed amounts that are under formal review are not charged a late fee while the review lasts.

Late fees can be waived for customers in financial hardship, for example after job loss, illness or a family emergency. The agent records the reason on the account and may waive the fees already charged; a customer who enrols in the Financial Hardship Payment Plan has late fees frozen for as long as the plan is kept. Outside hardship, a supervisor may waive a single late fee as a courtesy for a customer with a good payment record.

Remind customers that autopay avoids late fees, and that an overdue account may also be suspended under the Payment Failure & Reinstatement rules.`,
	},
	{
		"Troubleshooting Call Dropping", "Troubleshooting",
		`Use this guide when a customer says mobile calls end on their own.

Start with the pattern. Ask where and when the calls drop: always in the same place, while moving, only indoors, or everywhere. Drops in one place usually point to coverage or a cell site problem; drops everywhere usually point to the phone or SIM.

Check the network side. Look for open service incidents on the subscription and for maintenance on sites near the customer's location. If there is a known problem, tell the customer, and that it is being worked on.

Then work on the device:
- Restart the phone, and toggle airplane mode on and off to force it to find the network again.
- Install pending software and carrier settings updates.
- Remove and reseat the SIM card, or check that the eSIM profile is active.
- Turn Wi-Fi calling on for indoor drops, and make sure 4G/5G calling is enabled.
- Try another handset with the same SIM if one is available.

If the calls keep dropping in the same places after these steps, do not keep repeating them: open a call_drop ticket and follow the Dropped Call Investigation Workflow, which gathers the evidence that RF engineering needs. Customers affected by a long network fault may be due a credit under the Service Reliability SLA Credit Matrix.`,
	},
	{
		"Text Messaging FAQ", "FAQ",
		`My texts are not sending. What should I try? Check that the phone has signal, restart it, and make sure the message app has not filled the phone's storage. Delete very old conversations if storage is full. If a single contact never receives your messages, check that the number is saved with the right country code and that you have not been blocked.

Why do group messages or picture messages fail? Group and picture messages travel as multimedia messages, which need mobile data to be switched on even when you are on Wi-Fi. Turn on mobile data and try again.

Why do messages arrive late? Short delays happen when the network is busy or the phone was out of coverage. Delays of hours, or repeated delays, should be reported so that support can check for an incident.

I am not receiving verification codes. Some banks and services do not send codes to numbers that were recently ported or changed; ask the service to resend, and check that short codes are not blocked in the phone's settings.

Can I text abroad? Yes, with roaming enabled on the line; international texts from home are charged at international rates unless the plan includes them.

How do I report spam texts? Forward the message to 7726 and then delete it. Never reply to or open links in messages you did not expect.`,
	},
	{
		"Data Overage Policy", "Policy",
		`Plans with a data cap include a set number of gigabytes each billing cycle. Data used beyond the cap is billed per GB: every gigabyte, or part of one, over the allowance is charged at the overage rate of the plan and shown as its own line on the invoice. Customers receive a text and an email when they reach 80% and 100% of their cap, and can check their usage at any time.

A customer who receives an overage bill can ask for a retroactive upgrade within 15 days of the invoice date. The account is then moved to a larger plan, or an unlimited one, from the start of the billing cycle in question; the bill is recalculated at the new plan's price, the overage line is removed, and the difference is credited on the following invoice. After 15 days the overage stands, though the customer may still upgrade for future cycles.

Loyalty discounts and promotional percentages apply to the plan fee only; they never reduce overage charges. When a customer has gone over the cap in more than one recent cycle, suggest a plan with a larger allowance rather than repeated overage. Questions about whether the usage itself is correct follow the Invoice Adjustment Policy.`,
	},
	{
		"Payment Failure & Reinstatement", "Policy",
		`When a payment fails, or an invoice is not paid by its due date, the account enters a grace period of 10 days counted from the due date. During the grace period the service keeps working, and the customer is reminded by email and text with a link to pay. Retrying a failed card or switching to another payment method is enough to clear it.

If the overdue balance is still unpaid when the 10-day grace period ends, the service is suspended: the subscription becomes inactive and the line or connection goes offline. Suspension does not cancel the contract and does not stop late payment fees from accruing.

To reinstate the service the customer pays the overdue balance in full, or enrols in the Financial Hardship Payment Plan and makes its first payment. Service is normally restored within four hours of the payment clearing. A reconnection fee is charged on reinstatement, except that the first reconnection in any 12-month period is waived. A customer who needs help paying should be offered the hardship plan before the account is suspended where possible. Accounts suspended for more than 60 days are closed and the remaining balance is sent to collections.`,
	},
	{
		"Financial Hardship Payment Plan", "Policy",
		`Customers who cannot pay their overdue balance because of a genuine change in circumstances, such as losing a job, illness, bereavement or a natural disaster, may ask for a hardship payment plan. The agent notes the reason; documents may be requested for balances above $500.

The plan splits the overdue balance into up to 6 equal monthly payments, added to the customer's regular invoices. While the plan is kept, late payment fees on that balance are frozen: no new fees are charged, and fees already charged may be waived under the Late Payment Fee Policy. A suspended service is reinstated once the first instalment is paid, and the first reconnection fee in 12 months is waived as usual.

The customer must keep paying new monthly charges alongside the instalments. If an instalment is missed, the customer is contacted once; a second miss ends the plan, the remaining balance becomes due, and the normal late fee and suspension rules apply again. Only one hardship plan may be open per account, and a new one can be requested six months after the previous plan ends. Offer autopay to make instalments easier to keep, and consider a cheaper plan if the regular charges are the real problem.`,
	},
	{
		"Dropped Call Investigation Workflow", "Procedure",
		`Follow this workflow when a customer keeps losing calls in a particular place after the basic steps in Troubleshooting Call Dropping have not helped.

1. Open or update a call_drop ticket with high priority if the customer relies on the line for work or safety.
2. Collect 3 samples. For each of three dropped calls, record the date and time, the exact location (street address or nearest cross streets), the number called, how long the call lasted before it dropped, and the signal bars shown. Samples from one place within a short period are the most useful.
3. Check the network records: open incidents on the subscription, planned maintenance on nearby sites, and whether other customers have reported drops in the same area.
4. Rule out the device: confirm that the phone software is current and the SIM has been reseated, and ask whether another phone drops calls in the same place.
5. Escalate to RF engineering with the three samples and the checks made. RF engineering analyses the cell coverage and interference at those locations and replies on the ticket within two business days.
6. Keep the customer informed of what RF engineering finds. If the cause is a network fault, apply any credit due under the Service Reliability SLA Credit Matrix.`,
	},
	{
		"Service Reliability SLA Credit Matrix", "Policy",
		`Contoso credits customers whose service is unavailable because of a fault on the Contoso network. The credit depends on how long the outage lasted, measured from when it was reported or detected until service was restored:

- less than 1 hour: no credit;
- 1 to 3 hours: 10% of the monthly fee of the affected service;
- 3 to 24 hours: 25% of the monthly fee;
- over 24 hours: a full month's fee.

The credit is worked out per outage and applied to the next invoice. Where several outages happen in one billing cycle, their credits add up, but the total never exceeds one month's fee for that service. Degraded service, such as speeds well below the subscribed tier confirmed by an open incident, is treated as an outage for the hours it lasts.

Outages caused by the customer's own equipment or wiring, by planned maintenance announced at least 48 hours ahead, or by suspension for non-payment do not earn credits. Customers should ask for a credit within 30 days of the outage; agents check the service incident record and its timestamps before applying it, and note the incident on the credit.`,
	},
	{
		"Autopay Discount Terms", "Policy",
		`Customers who pay automatically by card or bank account receive an autopay discount of $5 a month, shown on each invoice. The discount starts on the first invoice issued after autopay is set up and stays as long as autopay remains enabled and its payments succeed.

If an autopay payment fails, for example because the card has expired or the bank account lacks funds, the discount is lost from the next invoice. It is restored after 2 successful payments in a row; the invoice after the second successful payment shows the discount again. A failed payment also starts the grace period described in Payment Failure & Reinstatement, so the customer should update the payment method quickly.

Turning autopay off ends the discount from the next invoice; turning it back on restarts it under the same terms. The discount applies once per account, not per line, and it cannot be combined with payment by cash or cheque. It is separate from promotions and loyalty discounts, which the customer keeps.

When a customer asks why the discount is missing, check the recent payments for a failure before taking any other step.`,
	},
	{
		"Roaming Activation Cut-off Times", "Policy",
		`Roaming has to be active on the line before the phone leaves the home network. To be sure it works on arrival, the request to turn it on must be made at least 24 hours before the customer crosses the border or boards the flight. Requests made within that window are still accepted, but are handled as same-day activations: they can take up to 6 hours to become active, and the customer may have no mobile service abroad until then.

For that reason, agents should encourage customers to arrange roaming 3 days before they travel, as International Roaming Options recommends, and to check that the phone supports roaming before they go. When a trip is less than 3 days away, enable roaming at once, tell the customer the cut-off that applies to them, and suggest they test it before departure.

Turning roaming off takes effect within an hour. Charges for the International Roaming add-on start on the day it is enabled. If roaming does not work after the cut-off has passed, the customer should restart the phone and check that data roaming is turned on in its settings; if that does not help, support can reapply the roaming profile to the line.`,
	},
}
