package pep

import (
	"context"
	"errors"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/rego/compile"
	"github.com/open-policy-agent/opa/v1/storage"
)

// ErrFilterUnsupported is matched by the error of a Filter whose policy uses
// something the SQL dialect cannot express. Only equality, membership,
// comparisons, and, or and not-equal translate.
var ErrFilterUnsupported = errors.New("pep: filter cannot be expressed in SQL")

// SQL dialects that Filter can produce.
const (
	DialectPostgreSQL = "postgresql"
	DialectSQLite     = "sqlite"
	DialectMySQL      = "mysql"
	DialectSQLServer  = "sqlserver"
)

// FilterSpec describes a list filter: a rule that decides whether one row is
// visible, partially evaluated with the row unknown and translated to SQL.
type FilterSpec struct {
	// Query is the rule, as a path under data, for example
	// "ztkit/filter/transactions/include". The row is the unknown
	// input.<table>, so the policy reads its columns as input.<table>.<col>.
	Query string
	// Table names the unknown: the policy sees the row as input.<Table>.
	Table string
	// Dialect is one of the Dialect constants.
	Dialect string
	// Mappings renames tables and columns, in the format of OPA's compile
	// API: {"<table>": {"$self": "sql_table", "<col>": "sql_col"}}. Nil keeps
	// the names of the policy.
	Mappings map[string]any
}

// SQLFilter is a WHERE clause that keeps only the rows a principal may see.
//
// OPA's compile API interpolates values as escaped SQL literals (E'...' with
// backslash escapes for PostgreSQL, doubled quotes and char(0) for SQLite)
// rather than returning bind parameters. ztkit's tests run the clauses it
// produces for hostile subjects and values (quotes, backslashes, SQL, NUL,
// unicode) against real SQLite and PostgreSQL and check that exactly the
// rows the policy allows come back. PostgreSQL refuses a NUL in a literal,
// so such a query fails rather than matching.
//
// TODO(filter): return bind parameters once OPA's compile API offers them;
// until then the clause must not be logged where values are secret.
type SQLFilter struct {
	// Where is "WHERE <condition>" to append to a SELECT over the table. It is
	// empty when every row is visible, and a condition no row meets when none
	// is.
	Where string
	// None reports that no row is visible; the query need not be run.
	None bool
	// Revision is the policy and data revision that produced the filter.
	Revision string
}

type preparedFilter struct {
	spec     FilterSpec
	prepared *compile.Prepared
}

// prepareFilters compiles each filter spec against a policy once, at load.
func (e *Engine) prepareFilters(ctx context.Context, p *policy,
	store storage.Store) (map[string]*preparedFilter, error) {
	out := make(map[string]*preparedFilter, len(e.cfg.Filters))
	for name, spec := range e.cfg.Filters {
		ref, err := entrypointRef(spec.Query)
		if err != nil {
			return nil, fmt.Errorf("filter %s: %w", name, err)
		}
		if spec.Table == "" {
			return nil, fmt.Errorf("filter %s: no table", name)
		}
		unknown := ast.NewTerm(ast.InputRootRef.Append(ast.StringTerm(spec.Table)))
		prep, err := compile.New(
			compile.Target("sql", spec.Dialect),
			compile.ParsedUnknowns(unknown),
			compile.ParsedQuery(ast.NewBody(ast.NewExpr(ast.NewTerm(ref)))),
			compile.Mappings(spec.Mappings),
			compile.Rego(rego.Compiler(p.compiler), rego.Store(store)),
		).Prepare(ctx)
		if err != nil {
			return nil, fmt.Errorf("filter %s: %w", name, err)
		}
		out[name] = &preparedFilter{spec: spec, prepared: prep}
	}
	return out, nil
}

// Filter returns the SQL WHERE clause that keeps the rows of the named
// filter's table that in.Principal may see. The input is built as for
// Decide (before hooks included); the row itself is the unknown.
func (e *Engine) Filter(ctx context.Context, name string, in *Input) (SQLFilter, error) {
	st := e.cur.Load()
	pf, ok := st.filters[name]
	if !ok {
		return SQLFilter{}, fmt.Errorf("%w: filter %q", ErrUnknownEntrypoint, name)
	}
	for _, h := range e.cfg.Before {
		if err := h(ctx, in); err != nil {
			return SQLFilter{}, fmt.Errorf("pep: before hook: %w", err)
		}
	}
	roles, bound := st.pip.rolesOf(in.Principal)
	val, err := in.value(roles, bound, fullShape)
	if err != nil {
		return SQLFilter{}, err
	}

	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	fs, err := pf.prepared.Compile(ctx, rego.EvalParsedInput(val))
	if err != nil {
		var astErrs ast.Errors
		if errors.As(err, &astErrs) {
			return SQLFilter{}, fmt.Errorf("%w: %w", ErrFilterUnsupported, err)
		}
		return SQLFilter{}, fmt.Errorf("pep: filter %s: %w", name, err)
	}
	return sqlFilter(fs.For("sql", pf.spec.Dialect).Query, st.revision)
}

func sqlFilter(q any, revision string) (SQLFilter, error) {
	switch where := q.(type) {
	case nil:
		return SQLFilter{Where: "WHERE 1 = 0", None: true, Revision: revision}, nil
	case string:
		return SQLFilter{Where: where, Revision: revision}, nil
	default:
		return SQLFilter{}, fmt.Errorf("pep: filter produced a %T, not SQL", q)
	}
}
