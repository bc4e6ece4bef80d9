package mtls

import (
	"context"
	"fmt"

	"github.com/spiffe/go-spiffe/v2/workloadapi"
)

// NewWorkloadAPISource connects to the SPIFFE Workload API at addr (for
// example "unix:///run/spire/agent.sock"; empty means the
// SPIFFE_ENDPOINT_SOCKET environment variable) and returns a Source that
// the agent keeps up to date: SVIDs and bundles rotate without a restart.
// It blocks until the first SVID arrives or ctx ends. Close the source when
// done with it.
func NewWorkloadAPISource(ctx context.Context, addr string) (*workloadapi.X509Source, error) {
	var opts []workloadapi.X509SourceOption
	if addr != "" {
		opts = append(opts, workloadapi.WithClientOptions(workloadapi.WithAddr(addr)))
	}

	src, err := workloadapi.NewX509Source(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("mtls: workload API: %w", err)
	}

	return src, nil
}
