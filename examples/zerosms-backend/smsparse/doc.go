// Package smsparse turns the transaction SMS that Indian banks, card issuers
// and UPI apps send into transactions: direction, amount in integer minor
// units with its currency, masked account or card, counterparty and UPI
// address, reference, payment channel, date, and the balance or available
// limit after the transaction.
//
// It refuses, with a *RefusalError that says why, every message that moves no
// money even when it carries an amount: one-time passwords, bill reminders,
// "will be debited" notices, mandate registrations, failed or declined
// payments, held funds, vouchers, promotions, balance statements, phishing,
// and any message that names no account, card, UPI address, reference or
// payment rail, as every bank's message does.
//
//	tx, err := smsparse.Parse("Rs.500.00 debited from A/c XX4821 on 20-Oct-25 to shop@upi")
//	var refusal *smsparse.RefusalError
//	switch {
//	case errors.As(err, &refusal):
//		// not a transaction; refusal.Reason says why
//	case err != nil:
//		// not an SMS at all
//	default:
//		fmt.Println(tx.Type, tx.Amount) // debit INR 500.00
//	}
//
// The parser works on the general shapes of these messages rather than on a
// list of templates per bank, so that a bank's new wording still parses.
package smsparse
