package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/ztkit/ztkit/examples/zerosms-backend/device"
	"github.com/ztkit/ztkit/examples/zerosms-backend/server"
	"github.com/ztkit/ztkit/examples/zerosms-backend/upload"
	"github.com/ztkit/ztkit/zt/token"
)

// PlatformTokens is the finance platform's answer to a sign-in.
type PlatformTokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
}

// SignIn signs a user in to the finance platform whose public URL is
// platform, with hc trusting its certificate.
func SignIn(ctx context.Context, hc *http.Client, platform *url.URL,
	email, password string) (*PlatformTokens, error) {
	c := &Client{BaseURL: platform, HTTP: hc}

	var t PlatformTokens
	err := c.Call(ctx, http.MethodPost, "/v1/auth/login", "", "",
		map[string]string{"email": email, "password": password}, &t)

	return &t, err
}

// Enroll enrolls the client's key as a new device of the user whose
// platform tokens are given (the refresh token's session becomes the
// device's delegated session) and sets DeviceID.
func (c *Client) Enroll(ctx context.Context, user *PlatformTokens, name string,
	posture device.Posture) (*server.DeviceView, error) {
	pub, err := PublicJWK(c.Key)
	if err != nil {
		return nil, err
	}

	in := server.Enrollment{Name: name, Key: pub, Posture: posture,
		RefreshToken: user.RefreshToken}

	var out server.DeviceView
	if err := c.Call(ctx, http.MethodPost, "/v1/devices", token.SchemeBearer+" "+user.AccessToken,
		"", in, &out); err != nil {
		return nil, err
	}

	c.DeviceID = out.ID

	return &out, nil
}

// Upload sends a batch of messages.
func (c *Client) Upload(ctx context.Context, msgs []upload.Message) (*upload.Response, error) {
	var out upload.Response
	err := c.Device(ctx, http.MethodPost, "/v1/device/messages", server.Upload{Messages: msgs}, &out)

	return &out, err
}

// Messages returns what the backend made of the device's messages.
func (c *Client) Messages(ctx context.Context) (*server.Status, error) {
	var out server.Status
	err := c.Device(ctx, http.MethodGet, "/v1/device/messages", nil, &out)

	return &out, err
}

// ReportPosture sends a new posture report and returns what the device may
// now do.
func (c *Client) ReportPosture(ctx context.Context, p device.Posture) (*server.DeviceView, error) {
	var out server.DeviceView
	err := c.Device(ctx, http.MethodPost, "/v1/device/posture", p, &out)

	return &out, err
}

// Devices lists the user's devices, with the user's platform access token.
func (c *Client) Devices(ctx context.Context, accessToken string) ([]server.DeviceView, error) {
	var out struct {
		Devices []server.DeviceView `json:"devices"`
	}

	err := c.Call(ctx, http.MethodGet, "/v1/devices", token.SchemeBearer+" "+accessToken, "",
		nil, &out)

	return out.Devices, err
}

// Revoke revokes one of the user's devices.
func (c *Client) Revoke(ctx context.Context, accessToken, deviceID string) error {
	return c.Call(ctx, http.MethodPost, "/v1/devices/"+url.PathEscape(deviceID)+"/revoke",
		token.SchemeBearer+" "+accessToken, "", nil, nil)
}

// Postures returns a device's posture history, with the user's platform
// access token.
func (c *Client) Postures(ctx context.Context, accessToken, deviceID string) ([]device.Posture, error) {
	var out struct {
		Postures []device.Posture `json:"postures"`
	}

	err := c.Call(ctx, http.MethodGet, "/v1/devices/"+url.PathEscape(deviceID)+"/postures",
		token.SchemeBearer+" "+accessToken, "", nil, &out)

	return out.Postures, err
}
