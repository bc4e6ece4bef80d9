package pep_test

import (
	"context"
	"fmt"
	"io/fs"
	"log"

	"github.com/ztkit/ztkit/zt"
	"github.com/ztkit/ztkit/zt/pep"
)

// This example decides with the roles + ownership + grants policy of
// examples/roles_ownership_grants, then shares alice's transactions with an
// auditor through a live grant.
func Example() {
	ctx := context.Background()
	policy, err := fs.Sub(examples, "examples/roles_ownership_grants")
	if err != nil {
		log.Fatal(err)
	}
	engine, err := pep.New(ctx, pep.Config{Policies: policy})
	if err != nil {
		log.Fatal(err)
	}
	defer engine.Close()

	bob := &zt.Principal{User: &zt.User{ID: "bob", Roles: []string{"auditor"}}}
	in := &pep.Input{
		Principal: bob,
		Request: zt.Request{
			Action:   "transactions.read",
			Method:   "GET",
			Route:    "/v1/transactions/{id}",
			Resource: zt.Resource{Type: "transaction", ID: "t1", Owner: "alice"},
		},
	}
	d, err := engine.Decide(ctx, in)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Allow, d.Reasons)

	_, err = engine.Update(ctx, func(tx *pep.Tx) error {
		tx.AddGrant(pep.Grant{
			Subject: "bob", Action: "transactions.read",
			ResourceType: "transaction", Owner: "alice",
		})
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	d, err = engine.Decide(ctx, in)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Allow, d.Reasons, d.Obligations["redact"])
	// Output:
	// false [rbac.no_permission]
	// true [grant] [account_number note]
}

// This example lists only the transactions a subject may see: the filter rule
// of the example policy is partially evaluated with the row unknown and
// translated into a SQL WHERE clause to append to the list query.
func ExampleEngine_Filter() {
	ctx := context.Background()
	policy, err := fs.Sub(examples, "examples/roles_ownership_grants")
	if err != nil {
		log.Fatal(err)
	}
	engine, err := pep.New(ctx, pep.Config{
		Policies: policy,
		Filters: map[string]pep.FilterSpec{"transactions": {
			Query:   "ztkit/filter/transactions/include",
			Table:   "transactions",
			Dialect: pep.DialectPostgreSQL,
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer engine.Close()

	for _, p := range []*zt.Principal{
		{User: &zt.User{ID: "alice", Roles: []string{"user"}}},
		{User: &zt.User{ID: "root", Roles: []string{"admin"}}},
		nil,
	} {
		f, err := engine.Filter(ctx, "transactions", &pep.Input{Principal: p})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%q %q none=%v\n", f.Where, f.Args, f.None)
	}
	// Output:
	// "WHERE transactions.owner = $1" ["alice"] none=false
	// "" [] none=false
	// "WHERE 1 = 0" [] none=true
}
