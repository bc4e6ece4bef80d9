package classify_test

import (
	"fmt"

	"github.com/ztkit/ztkit/examples/zerosms-backend/classify"
)

func ExampleModel_IsSpam() {
	m, err := classify.Default()
	if err != nil {
		fmt.Println(err)

		return
	}

	fmt.Println(m.IsSpam("URGENT! You have won a 2000 cash prize. Call 09061701461 to claim now"))
	fmt.Println(m.IsSpam("Are we still on for lunch tomorrow?"))
	// Output:
	// true
	// false
}

func ExamplePersonal() {
	m, err := classify.Default()
	if err != nil {
		fmt.Println(err)

		return
	}

	p := classify.NewPersonal(m, classify.PersonalConfig{})
	text := "Weekly team update from the office, see the attached notes"

	for range 3 {
		if err := p.Label("alice", text, true); err != nil {
			fmt.Println(err)

			return
		}
	}

	fmt.Println(p.IsSpam("alice", text), p.IsSpam("bob", text))
	// Output:
	// true false
}
