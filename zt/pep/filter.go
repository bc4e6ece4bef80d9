package pep

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/huandu/go-sqlbuilder"
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

// SQLFilter is a WHERE clause that keeps only the rows a principal may see,
// with every value a bind parameter: no value of the principal, the policy
// or its data is ever written into the SQL text.
type SQLFilter struct {
	// Where is "WHERE <condition>" to append to a SELECT over the table, its
	// parameters numbered from the first ($1 for PostgreSQL, ? for SQLite
	// and MySQL, @p1 for SQL Server). It is empty when every row is visible,
	// and a condition no row meets when none is. Use Condition to combine
	// the filter with parameters of the query's own.
	Where string
	// Args are the values of Where's parameters, in order.
	Args []any
	// None reports that no row is visible; the query need not be run.
	None bool
	// Revision is the policy and data revision that produced the filter.
	Revision string

	where  *sqlbuilder.WhereClause
	flavor sqlbuilder.Flavor
}

// Condition returns the filter's condition, without the WHERE keyword, its
// parameters numbered after the prior ones, with the arguments of the
// whole query: prior followed by the filter's. It is "1 = 0" when no row is
// visible and "1 = 1" when every row is, so that it can always be ANDed:
//
//	cond, args := f.Condition(tenant)
//	rows, err := db.QueryContext(ctx,
//		"SELECT id FROM tx WHERE tenant = $1 AND ("+cond+")", args...)
func (f SQLFilter) Condition(prior ...any) (string, []any) {
	switch {
	case f.None:
		return "1 = 0", prior
	case f.where == nil:
		return "1 = 1", prior
	}

	where, args := f.where.BuildWithFlavor(f.flavor, prior...)

	return strings.TrimPrefix(where, "WHERE "), args
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
		if _, ok := flavors[spec.Dialect]; !ok {
			return nil, fmt.Errorf("filter %s: unknown dialect %q", name, spec.Dialect)
		}
		// The "ucast" target with the LINQ constraints refuses, at
		// partial-evaluation time, all but equality, comparisons and
		// membership under and/or; the tree it returns becomes SQL with bind
		// parameters here (the "sql" target writes values as literals).
		prep, err := compile.New(
			compile.Target("ucast", "linq"),
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
	return sqlFilter(fs.For("ucast", "linq").Query, flavors[pf.spec.Dialect], st.revision)
}

// flavors maps the Dialect constants to the SQL builder's flavors.
var flavors = map[string]sqlbuilder.Flavor{
	DialectPostgreSQL: sqlbuilder.PostgreSQL,
	DialectSQLite:     sqlbuilder.SQLite,
	DialectMySQL:      sqlbuilder.MySQL,
	DialectSQLServer:  sqlbuilder.SQLServer,
}

// sqlFilter turns the UCAST tree of a partial evaluation (nil: no row; an
// empty map: every row) into a parameterized WHERE clause.
func sqlFilter(q any, flavor sqlbuilder.Flavor, revision string) (SQLFilter, error) {
	f := SQLFilter{Revision: revision, flavor: flavor}

	node, ok := q.(map[string]any)
	switch {
	case q == nil:
		f.Where, f.None = "WHERE 1 = 0", true
		return f, nil
	case !ok:
		return SQLFilter{}, fmt.Errorf("pep: filter produced a %T, not a UCAST tree", q)
	case len(node) == 0:
		return f, nil
	}

	cond := sqlbuilder.NewCond()
	cond.Args.Flavor = flavor

	expr, err := ucastSQL(cond, node)
	if err != nil {
		return SQLFilter{}, err
	}

	f.where = sqlbuilder.NewWhereClause().AddWhereExpr(cond.Args, expr)
	f.Where, f.Args = f.where.BuildWithFlavor(flavor)

	return f, nil
}

// ucastSQL translates one UCAST node: "and" and "or" of nodes, and a
// column compared with a value (eq, ne, lt, lte, gt, gte, in; eq and ne
// with null). Anything else is refused with ErrFilterUnsupported.
func ucastSQL(cond *sqlbuilder.Cond, node map[string]any) (string, error) {
	op, _ := node["operator"].(string)

	if op == "and" || op == "or" {
		children, ok := node["value"].([]any)
		if !ok || len(children) == 0 {
			return "", fmt.Errorf("%w: %q needs a list of conditions", ErrFilterUnsupported, op)
		}

		exprs := make([]string, 0, len(children))
		for _, c := range children {
			child, ok := c.(map[string]any)
			if !ok {
				return "", fmt.Errorf("%w: %q holds a %T", ErrFilterUnsupported, op, c)
			}

			e, err := ucastSQL(cond, child)
			if err != nil {
				return "", err
			}
			exprs = append(exprs, e)
		}

		if op == "and" {
			return cond.And(exprs...), nil
		}

		return cond.Or(exprs...), nil
	}

	field, _ := node["field"].(string)
	if node["type"] != "field" || field == "" {
		return "", fmt.Errorf("%w: operator %q", ErrFilterUnsupported, op)
	}

	col := quoteColumn(cond.Args.Flavor, field)

	raw, present := node["value"]
	if !present {
		return "", fmt.Errorf("%w: %s %s without a value", ErrFilterUnsupported, field, op)
	}

	if op == "in" {
		return inSQL(cond, col, field, raw)
	}

	if raw == nil {
		switch op {
		case "eq":
			return cond.IsNull(col), nil
		case "ne":
			return cond.IsNotNull(col), nil
		}

		return "", fmt.Errorf("%w: %s %s null", ErrFilterUnsupported, field, op)
	}

	v, err := bindValue(field, raw)
	if err != nil {
		return "", err
	}

	switch op {
	case "eq":
		return cond.Equal(col, v), nil
	case "ne":
		return cond.NotEqual(col, v), nil
	case "lt":
		return cond.LessThan(col, v), nil
	case "lte":
		return cond.LessEqualThan(col, v), nil
	case "gt":
		return cond.GreaterThan(col, v), nil
	case "gte":
		return cond.GreaterEqualThan(col, v), nil
	}

	return "", fmt.Errorf("%w: operator %q on %s", ErrFilterUnsupported, op, field)
}

func inSQL(cond *sqlbuilder.Cond, col, field string, raw any) (string, error) {
	list, ok := raw.([]any)
	if !ok {
		return "", fmt.Errorf("%w: %s in a %T, not a list", ErrFilterUnsupported, field, raw)
	}

	vs := make([]any, 0, len(list))
	for _, x := range list {
		v, err := bindValue(field, x)
		if err != nil {
			return "", err
		}
		vs = append(vs, v)
	}

	return cond.In(col, vs...), nil
}

// maxExactInt is the largest integer that a float64 holds exactly; the
// UCAST tree arrives through JSON, so its numbers are float64.
const maxExactInt = 1 << 53

// bindValue returns a scalar of the tree as a bind parameter: strings and
// booleans as they are, whole numbers as int64 (refused beyond 2^53, where
// the trip through JSON may have rounded them), other numbers as float64.
func bindValue(field string, v any) (any, error) {
	switch x := v.(type) {
	case string, bool:
		return x, nil
	case float64:
		if x != math.Trunc(x) {
			return x, nil
		}

		if math.Abs(x) > maxExactInt {
			return nil, fmt.Errorf("%w: %s compared with %g, beyond exact integers",
				ErrFilterUnsupported, field, x)
		}

		return int64(x), nil
	}

	return nil, fmt.Errorf("%w: %s compared with a %T", ErrFilterUnsupported, field, v)
}

// quoteColumn quotes the parts of a table.column reference that are not
// plain identifiers, as OPA's own SQL translation does: a dynamic key can put
// any text where a column name goes.
func quoteColumn(flavor sqlbuilder.Flavor, field string) string {
	parts := strings.Split(field, ".")
	for i, p := range parts {
		if !plainIdentifier.MatchString(p) {
			parts[i] = flavor.Quote(p)
		}
	}

	return strings.Join(parts, ".")
}

var plainIdentifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
