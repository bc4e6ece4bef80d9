package smsparse_test

import (
	"errors"
	"fmt"

	"github.com/ztkit/ztkit/examples/zerosms-backend/smsparse"
)

func ExampleParse() {
	tx, err := smsparse.Parse("Rs.1,00,000.00 debited from A/c XX4821 on 20-Oct-25 to shop@okaxis " +
		"(UPI Ref No 604218375519). Avl Bal Rs 2,500.50")
	if err != nil {
		fmt.Println(err)

		return
	}

	fmt.Println(tx.Type, tx.Amount, tx.Account, tx.VPA, tx.Reference, tx.Channel)
	fmt.Println(tx.Date.Format("2006-01-02"), *tx.Balance)
	// Output:
	// debit INR 100000.00 4821 shop@okaxis 604218375519 UPI
	// 2025-10-20 INR 2500.50
}

func ExampleRefusalError() {
	_, err := smsparse.Parse("482915 is the OTP for transaction of INR 3373.00 at AMAZON. Do not share.")

	var refusal *smsparse.RefusalError
	if errors.As(err, &refusal) {
		fmt.Println(refusal.Reason, errors.Is(err, smsparse.ErrNotTransaction))
	}
	// Output:
	// otp true
}
