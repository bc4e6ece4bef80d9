package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/ztkit/ztkit/examples/zerosms-backend/client"
)

const (
	keyFile   = "device.jwk"
	stateFile = "device.json"
)

// sent is what the device remembers of a message it uploaded, so that a
// resend is the same message (same sequence number and receive time).
type sent struct {
	Seq        uint64    `json:"seq"`
	ReceivedAt time.Time `json:"received_at"`
}

// state is the simulated device's memory.
type state struct {
	DeviceID string          `json:"device_id"`
	Server   string          `json:"server"`
	CACert   string          `json:"cacert"`
	LastSeq  uint64          `json:"last_seq"`
	Sent     map[string]sent `json:"sent"`
}

func loadState() (*state, error) {
	b, err := os.ReadFile(filepath.Join(stateDir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no device in %s: run zerosms enroll first", stateDir)
	}

	if err != nil {
		return nil, err
	}

	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", stateFile, err)
	}

	if s.Sent == nil {
		s.Sent = map[string]sent{}
	}

	return &s, nil
}

func (s *state) save() error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}

	tmp := filepath.Join(stateDir, stateFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}

	return os.Rename(tmp, filepath.Join(stateDir, stateFile))
}

// httpClient trusts the CA certificate in file, or the system roots when
// file is empty.
func httpClient(file string) (*http.Client, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS13}

	if file != "" {
		pem, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}

		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no certificate", file)
		}
	}

	return &http.Client{Timeout: 2 * time.Minute,
		Transport: &http.Transport{TLSClientConfig: cfg}}, nil
}

// deviceClient returns the enrolled device's client.
func deviceClient() (*client.Client, *state, error) {
	s, err := loadState()
	if err != nil {
		return nil, nil, err
	}

	key, err := client.LoadKey(filepath.Join(stateDir, keyFile))
	if err != nil {
		return nil, nil, err
	}

	hc, err := httpClient(s.CACert)
	if err != nil {
		return nil, nil, err
	}

	u, err := url.Parse(s.Server)
	if err != nil {
		return nil, nil, err
	}

	return &client.Client{BaseURL: u, HTTP: hc, Key: key, DeviceID: s.DeviceID}, s, nil
}
