package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ztkit/ztkit/examples/zerosms-backend/client"
	"github.com/ztkit/ztkit/examples/zerosms-backend/device"
	"github.com/ztkit/ztkit/examples/zerosms-backend/server"
)

// defaultSignature stands for the app's signing certificate digest.
var defaultSignature = strings.Repeat("5a", 32)

// postureFlags are the posture a simulated device reports.
type postureFlags struct {
	p device.Posture
}

func (f *postureFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.p.Rooted, "rooted", false, "report a rooted device")
	fl.BoolVar(&f.p.Debuggable, "debuggable", false, "report a debuggable app build")
	fl.BoolVar(&f.p.Emulator, "emulator", false, "report an emulator")
	fl.BoolVar(&f.p.DeveloperMode, "developer-mode", false, "report developer options on")
	fl.StringVar(&f.p.OSVersion, "os", "Android 15", "operating system version")
	fl.StringVar(&f.p.AppSignatureSHA256, "app-signature", defaultSignature,
		"hex SHA-256 of the app's signing certificate")
}

func (f *postureFlags) posture() device.Posture {
	p := f.p
	p.ReportedAt = time.Now().UTC()

	return p
}

func init() {
	var (
		pf                           postureFlags
		srv, platform, cacert, email string
		name, alg                    string
	)

	cmd := &cobra.Command{
		Use:   "enroll",
		Short: "Sign in to the finance platform and enroll this simulated device",
		Long: `enroll generates the device key (ES256 or EdDSA) into the state folder,
readable by its owner only, signs the user in to the finance platform (the
password comes from ZEROSMS_PASSWORD), and enrolls the device with the
posture the flags describe. It prints what policy lets the device do.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			password := os.Getenv("ZEROSMS_PASSWORD")
			if email == "" || password == "" {
				return errors.New("--email and ZEROSMS_PASSWORD are required")
			}

			st := &state{Server: srv, CACert: cacert, Sent: map[string]sent{}}

			view, err := enroll(cmd, st, platform, email, password, name, alg, pf.posture())
			if err != nil {
				return err
			}

			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "enrolled device %s (%s)\n", view.ID, view.Name)
			fmt.Fprintf(out, "upload allowed: %v (%s)\n", view.Upload.Allow,
				strings.Join(view.Upload.Reasons, ", "))

			return nil
		},
	}

	pf.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&srv, "server", "https://127.0.0.1:8445", "the ZeroSMS backend's URL")
	fl.StringVar(&platform, "platform", "https://127.0.0.1:8443", "the finance platform's URL")
	fl.StringVar(&cacert, "cacert", "data/ca/ca.pem", "CA certificate to trust (empty: system)")
	fl.StringVar(&email, "email", "", "the user's email at the finance platform")
	fl.StringVar(&name, "name", "simulated phone", "the device's name")
	fl.StringVar(&alg, "alg", "ES256", "device key algorithm: ES256 or EdDSA")
	rootCmd.AddCommand(cmd)
}

func enroll(cmd *cobra.Command, st *state, platform, email, password, name, alg string,
	p device.Posture) (*server.DeviceView, error) {
	ctx := cmd.Context()

	keyPath := filepath.Join(stateDir, keyFile)
	if _, err := os.Stat(keyPath); err == nil {
		return nil, fmt.Errorf("%s holds an enrolled device; use another --state", stateDir)
	}

	hc, err := httpClient(st.CACert)
	if err != nil {
		return nil, err
	}

	pu, err := url.Parse(platform)
	if err != nil {
		return nil, err
	}

	su, err := url.Parse(st.Server)
	if err != nil {
		return nil, err
	}

	user, err := client.SignIn(ctx, hc, pu, email, password)
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}

	key, err := client.GenerateKey(alg)
	if err != nil {
		return nil, err
	}

	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, err
	}

	if err := client.SaveKey(keyPath, key); err != nil {
		return nil, err
	}

	c := &client.Client{BaseURL: su, HTTP: hc, Key: key}

	view, err := c.Enroll(ctx, user, name, p)
	if err != nil {
		_ = os.Remove(keyPath)
		return nil, fmt.Errorf("enroll: %w", err)
	}

	st.DeviceID = view.ID

	return view, st.save()
}

func init() {
	var pf postureFlags

	cmd := &cobra.Command{
		Use:   "posture",
		Short: "Report a new posture of the enrolled device",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, _, err := deviceClient()
			if err != nil {
				return err
			}

			view, err := c.ReportPosture(cmd.Context(), pf.posture())
			if err != nil {
				return err
			}

			fmt.Fprintf(cmd.OutOrStdout(), "upload allowed: %v (%s)\n", view.Upload.Allow,
				strings.Join(view.Upload.Reasons, ", "))

			return nil
		},
	}

	pf.register(cmd)
	rootCmd.AddCommand(cmd)
}
